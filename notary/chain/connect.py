"""Make a web3 connection for a chain spec: ``memory`` (in-process eth-tester) or a JSON-RPC URL."""

from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.providers.rpc import HTTPProvider

from notary.errors import ChainError

MEMORY = "memory"


def connect(url: str, *, timeout: float = 10.0) -> Web3:
    """A Web3 for ``memory`` or an http(s) JSON-RPC URL. Nothing is sent until the first call."""
    if url == MEMORY:
        from eth_tester import EthereumTester, PyEVMBackend
        from web3.providers.eth_tester import EthereumTesterProvider

        return Web3(EthereumTesterProvider(EthereumTester(PyEVMBackend())))
    if not url.startswith(("http://", "https://")):
        raise ChainError(f"unsupported chain {url!r}: use 'memory', 'local' or an http(s):// JSON-RPC URL")
    return Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))


def is_memory(w3: Web3) -> bool:
    return type(w3.provider).__name__ == "EthereumTesterProvider"


def fund_dev_account(w3: Web3, address: str, wei: int = 10**20) -> None:
    """Give a key gas money on a development chain (eth-tester or anvil); real chains refuse, clearly."""
    address = Web3.to_checksum_address(address)
    if is_memory(w3):
        rich = w3.eth.accounts[0]
        tx_hash = w3.eth.send_transaction({"from": rich, "to": address, "value": Web3.to_wei(wei, "wei")})
        w3.eth.wait_for_transaction_receipt(tx_hash)
        return
    response: Any = w3.provider.make_request("anvil_setBalance", [address, hex(wei)])  # type: ignore[arg-type]
    if response.get("error"):
        raise ChainError(
            f"cannot fund {address} on this chain (not an anvil dev chain): send it some ETH for gas yourself"
        )
