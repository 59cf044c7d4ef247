"""Test-only chain helpers: move a development chain's clock (eth-tester and anvil alike), run a throwaway
node (anvil on any hardfork, ganache), mine blocks."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from notary import localchain
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


GANACHE = Path(__file__).resolve().parent.parent / "node_modules" / ".bin" / "ganache"


@contextmanager
def dev_node(kind: str = "anvil", *args: str, timeout: float = 60.0) -> Iterator[str]:
    """A throwaway JSON-RPC node of ``kind`` ("anvil" with extra ``args``, e.g. ``--hardfork shanghai``, or
    "ganache") on a free loopback port; yields its URL and stops it (only the process it started)."""
    port = localchain.free_port()
    if kind == "anvil":
        command = [str(localchain.anvil_binary()), "--host", "127.0.0.1", "--port", str(port), "--silent", *args]
    elif kind == "ganache":
        if not GANACHE.exists() or shutil.which("node") is None:
            pytest.skip(f"ganache is not installed ({GANACHE}): run `make setup` (npm ci installs it)")
        command = [str(GANACHE), "--server.host", "127.0.0.1", "--server.port", str(port), "--logging.quiet",
                   "--wallet.totalAccounts", "2", *args]  # fmt: skip
    else:
        raise ValueError(kind)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while localchain.rpc_answers(url, timeout=0.5) is None:
            if process.poll() is not None:
                error = process.stderr.read().decode(errors="replace")[-500:] if process.stderr else ""
                if kind == "ganache":
                    pytest.skip(f"ganache did not start here (exit {process.returncode}): {error}")
                raise RuntimeError(f"{kind} exited at start: {error}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind} did not answer on {url} within {timeout:.0f} s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def mine(w3: Web3, blocks: int = 1) -> None:
    for _ in range(blocks):
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
