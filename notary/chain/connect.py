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


# Dev nodes set balances by fiat, each under its own name: anvil, Hardhat, ganache.
_SET_BALANCE = ("anvil_setBalance", "hardhat_setBalance", "evm_setAccountBalance")


def fund_dev_account(w3: Web3, address: str, wei: int = 10**20) -> str:
    """Give a key gas money on a development chain; returns how. Real chains refuse, saying what to do instead.

    Tried in turn: the node's set-balance method, then a transfer from an account the node holds unlocked
    (geth --dev, Besu dev mode with a wallet, ganache)."""
    address = Web3.to_checksum_address(address)
    if is_memory(w3):
        rich = w3.eth.accounts[0]
        tx_hash = w3.eth.send_transaction({"from": rich, "to": address, "value": Web3.to_wei(wei, "wei")})
        w3.eth.wait_for_transaction_receipt(tx_hash)
        return "eth-tester"
    for method in _SET_BALANCE:
        response: Any = _request(w3, method, [address, hex(wei)])
        if not response.get("error"):
            return method
    accounts: Any = _request(w3, "eth_accounts", []).get("result") or []
    for rich in accounts:
        rich = Web3.to_checksum_address(rich)
        if rich == address or int(w3.eth.get_balance(rich)) <= 2 * wei:
            continue
        try:
            tx_hash = w3.eth.send_transaction({"from": rich, "to": address, "value": Web3.to_wei(wei, "wei")})
            w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        except Exception:  # the node lists the account but will not sign for it (locked): try the next
            continue
        return f"transfer from unlocked account {rich}"
    raise ChainError(
        f"cannot fund {address} on this chain: it is not a dev node (no anvil/hardhat/ganache set-balance method, "
        "no unlocked account with ether); send it ether for gas from a funded account of your network (Besu/geth: "
        "an account pre-funded in the genesis 'alloc'), or run the network with zero gas price (gas_price = 0)"
    )


def _request(w3: Web3, method: str, params: list[Any]) -> Any:
    try:
        return w3.provider.make_request(method, params)  # type: ignore[arg-type]
    except (OSError, ValueError) as exc:
        raise ChainError(f"cannot reach the chain while funding a key: {type(exc).__name__}") from exc
