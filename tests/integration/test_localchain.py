"""The managed anvil keeps its state across restarts, and loses at most about a second to a SIGKILL."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest
from eth_account import Account

from notary import localchain
from notary.chain import Registry, connect, fund_dev_account
from notary.chain.evm import detect_evm_version
from notary.errors import ChainError

pytestmark = pytest.mark.anvil


def test_state_survives_sigkill_and_double_start_is_refused(tmp_path: Path) -> None:
    chain = localchain.up(tmp_path, port=localchain.free_port())
    try:
        with pytest.raises(ChainError, match="already running"):
            localchain.up(tmp_path)
        w3 = connect(chain.url)
        admin = Account.create()
        fund_dev_account(w3, admin.address)
        registry, _ = Registry.deploy(w3, admin)
        registry.add_issuer(admin, admin.address, "Bürgeramt")
        root = os.urandom(32)
        registry.anchor(admin, root, 7)
        time.sleep(2.5)  # state is written every second
        os.kill(chain.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while localchain.running(tmp_path) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(chain.pid, os.WNOHANG)
        assert localchain.running(tmp_path) is None
        # a new port: the killed node's half-closed connections may hold the old one for a while
        chain = localchain.up(tmp_path, port=localchain.free_port())
        again = Registry(connect(chain.url), registry.address)
        record, _ = again.batch(root)
        assert record.document_count == 7 and record.issuer == admin.address
        assert again.issuer(admin.address).name == "Bürgeramt"
    finally:
        localchain.down(tmp_path)


def test_the_managed_chain_can_stand_in_for_an_older_network(tmp_path: Path) -> None:
    with pytest.raises(ChainError, match="unknown hardfork 'berlin'"):
        localchain.up(tmp_path, hardfork="berlin")
    chain = localchain.up(tmp_path, port=localchain.free_port(), hardfork="shanghai")
    try:
        assert detect_evm_version(connect(chain.url)) == "shanghai"
    finally:
        localchain.down(tmp_path)
