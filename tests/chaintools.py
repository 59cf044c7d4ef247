"""Test-only helpers that move a development chain's clock, on eth-tester and on anvil alike."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from notary.chain.connect import is_memory


def advance_time(w3: Web3, seconds: int) -> None:
    """Mine a block whose timestamp is ``seconds`` later than the latest one."""
    latest = int(w3.eth.get_block("latest")["timestamp"])
    if is_memory(w3):
        tester: Any = w3.provider.ethereum_tester  # type: ignore[attr-defined]
        tester.time_travel(latest + seconds)
        return
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
