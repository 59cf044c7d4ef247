"""The registry on chains a city actually runs: every EVM hardfork from london on, legacy and zero fees, on-demand
mining with confirmations, capped log ranges, and chain identity. Real anvil nodes forced to each hardfork."""

from __future__ import annotations

import importlib
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from web3 import Web3

import notary.chain.evm as evm_module
from notary.chain import Registry, State, connect, fund_dev_account
from notary.chain.evm import check_views, detect_evm_version
from notary.chain.fees import FeePolicy
from notary.chain.identity import WrongChain, check_identity, read_identity
from notary.errors import ChainError, ConfigError
from tests.chaintools import dev_node, mine
from tests.issuing import issue_samples, verifier_for
from verifier.result import Verdict

pytestmark = pytest.mark.anvil

# the build each hardfork gets: london and paris compile identically, so the older name stands for both
BUILD = {"london": "london", "paris": "london", "shanghai": "shanghai", "cancun": "cancun"}


@pytest.fixture(scope="module")
def shanghai_url() -> Iterator[str]:
    with dev_node("anvil", "--hardfork", "shanghai") as url:
        yield url


def _sent(w3: Web3, tx_hash: str) -> Any:
    return w3.eth.get_transaction(HexStr(tx_hash))


def _funded(url: str, count: int) -> list[LocalAccount]:
    w3 = connect(url)
    accounts = [Account.create() for _ in range(count)]
    for account in accounts:
        fund_dev_account(w3, account.address)
    return accounts


@pytest.mark.parametrize("hardfork", list(BUILD))
def test_issue_verify_revoke_on_each_hardfork(hardfork: str, tmp_path: Path) -> None:
    with dev_node("anvil", "--hardfork", hardfork) as url:
        w3 = connect(url)
        assert detect_evm_version(w3) == BUILD[hardfork]
        admin, issuer = _funded(url, 2)
        registry, _ = Registry.deploy(w3, admin)  # the build is chosen by probing the node
        assert registry.deployed_build() == BUILD[hardfork]
        check_views(registry, BUILD[hardfork])
        registry.add_issuer(admin, issuer.address, "Realschule am Park")
        issued = issue_samples(registry, issuer, tmp_path, count=2)
        verifier = verifier_for(registry)
        assert verifier.verify_pdf(issued.notarised[0].read_bytes()).verdict is Verdict.VALID
        proof = issued.proof(1)
        registry.set_document_state(
            issuer, bytes(proof.root), bytes(proof.leaf()), [bytes(p) for p in proof.merkle_proof], State.REVOKED, 4
        )
        assert verifier.verify_pdf(issued.notarised[1].read_bytes()).verdict is Verdict.REVOKED
        assert verifier.verify_pdf(issued.notarised[0].read_bytes()).verdict is Verdict.VALID


def test_a_build_the_chain_cannot_run_is_refused_at_deploy(shanghai_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    w3 = connect(shanghai_url)
    (admin,) = _funded(shanghai_url, 1)
    with pytest.raises(ConfigError, match=r"evm_version = cancun needs MCOPY.*runs shanghai"):
        Registry.deploy(w3, admin, evm_version="cancun")
    assert w3.eth.get_transaction_count(admin.address) == 0  # refused before anything was sent
    # were the probe fooled, the cancun build deploys on shanghai, but the view check catches it before any issuing
    monkeypatch.setattr(evm_module, "require_evm", lambda w3, evm: None)
    registry, _ = Registry.deploy(w3, admin, evm_version="cancun")
    with pytest.raises(ChainError, match=r"view \w+ fails on this chain .* the cancun build does not run here"):
        check_views(registry, "cancun")


def test_zero_fee_chain_with_keys_that_hold_nothing(tmp_path: Path) -> None:
    with dev_node("anvil", "--base-fee", "0", "--gas-price", "0") as url:
        w3 = connect(url)
        admin, issuer = Account.create(), Account.create()
        unfunded = Registry.deploy  # with the node's suggested tip (1 gwei) an empty key cannot pay
        with pytest.raises(ChainError, match=r"not enough ether for gas.*priority_fee = 0"):
            unfunded(w3, admin)
        free = FeePolicy(priority_fee=0)
        registry, _ = Registry.deploy(w3, admin, fees=free)
        registry.add_issuer(admin, issuer.address, "Bürgeramt")
        issued = issue_samples(registry, issuer, tmp_path, count=2)
        assert verifier_for(registry).verify_pdf(issued.notarised[0].read_bytes()).verdict is Verdict.VALID
        legacy = Registry(w3, registry.address, fees=FeePolicy(tx_type="legacy", gas_price=0))
        legacy.set_batch_state(issuer, bytes(issued.proof(0).root), State.SUSPENDED, 0)
        assert verifier_for(registry).verify_pdf(issued.notarised[0].read_bytes()).verdict is Verdict.SUSPENDED
        assert w3.eth.get_balance(admin.address) == w3.eth.get_balance(issuer.address) == 0


def test_legacy_fees_where_eip1559_is_not_active() -> None:
    with dev_node("anvil", "--hardfork", "berlin") as url:
        w3 = connect(url)
        assert w3.eth.get_block("latest").get("baseFeePerGas") is None
        (admin,) = _funded(url, 1)
        with pytest.raises(ConfigError, match="EIP-1559 is not active"):
            Registry.deploy(w3, admin, fees=FeePolicy(tx_type="eip1559"))
        registry, deployed = Registry.deploy(w3, admin)  # auto: legacy
        assert int(_sent(w3, deployed.tx_hash)["type"]) == 0
        priced = Registry(w3, registry.address, fees=FeePolicy(gas_price=3 * 10**9))
        tx = priced.add_issuer(admin, admin.address, "Schule")
        assert int(_sent(w3, tx.tx_hash)["gasPrice"]) == 3 * 10**9


def test_fee_policies_on_an_eip1559_chain(shanghai_url: str) -> None:
    w3 = connect(shanghai_url)
    (admin,) = _funded(shanghai_url, 1)
    registry, deployed = Registry.deploy(w3, admin)
    assert int(_sent(w3, deployed.tx_hash)["type"]) == 2
    legacy = Registry(w3, registry.address, fees=FeePolicy(tx_type="legacy"))
    tx = legacy.add_issuer(admin, admin.address, "Schule")
    assert int(_sent(w3, tx.tx_hash)["type"]) == 0
    fixed = Registry(w3, registry.address, fees=FeePolicy(max_fee=50 * 10**9, priority_fee=2 * 10**9))
    sent = _sent(w3, fixed.grant_revoker(admin, admin.address).tx_hash)
    assert (int(sent["maxFeePerGas"]), int(sent["maxPriorityFeePerGas"])) == (50 * 10**9, 2 * 10**9)
    estimated = Registry(w3, registry.address, fees=FeePolicy(estimate_gas=True))
    tx = estimated.rename_issuer(admin, admin.address, "Schule am See")
    assert tx.gas_used <= int(_sent(w3, tx.tx_hash)["gas"]) < 200_000
    for bad in ({"tx_type": "eip-1559"}, {"gas_price": -1}, {"max_fee": 1, "priority_fee": 2}):
        with pytest.raises(ConfigError):
            FeePolicy(**bad)


def test_confirmations_on_a_node_that_mines_on_demand(shanghai_url: str) -> None:
    w3 = connect(shanghai_url)
    (admin,) = _funded(shanghai_url, 1)
    registry, _ = Registry.deploy(w3, admin)
    # nobody mines: a clear, non-crashing error that says the transaction is on chain
    waiting = Registry(w3, registry.address, confirmations=2, receipt_timeout=5, block_time=0.1)
    with pytest.raises(ChainError, match=r"mined in block \d+ but has not got 2 confirmations .* stays on chain"):
        waiting.add_issuer(admin, admin.address, "Schule")
    assert Registry(w3, registry.address).issuer(admin.address).registered
    # someone mines (another user, a block producer): the wait finishes with 2 blocks on top of the mined one
    stop = threading.Event()

    def producer() -> None:
        while not stop.wait(0.2):
            mine(w3)

    thread = threading.Thread(target=producer, daemon=True)
    thread.start()
    try:
        patient = Registry(w3, registry.address, confirmations=2, receipt_timeout=60, block_time=1)
        tx = patient.rename_issuer(admin, admin.address, "Schule am See")
        assert patient.block_number() >= tx.block_number + 2
    finally:
        stop.set()
        thread.join()
    one = Registry(w3, registry.address, confirmations=1, receipt_timeout=5, block_time=0.1)
    with pytest.raises(ChainError, match="1 confirmations"):  # one block on top of the mined one, not zero
        one.grant_revoker(admin, admin.address)


def test_status_history_is_read_in_chunks_of_blocks(shanghai_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    w3 = connect(shanghai_url)
    admin, issuer = _funded(shanghai_url, 2)
    deployed, _ = Registry.deploy(w3, admin)
    deployed.add_issuer(admin, issuer.address, "Schule")
    registry = Registry(w3, deployed.address, log_chunk=3)
    root = os.urandom(32)
    anchored = registry.anchor(issuer, root, 5)
    registry.set_batch_state(issuer, root, State.SUSPENDED, 0)
    mine(w3, 4)
    registry.set_batch_state(issuer, root, State.ACTIVE)
    mine(w3, 3)
    registry.set_batch_state(issuer, root, State.REVOKED, 1)
    ranges: list[tuple[int, int]] = []
    real = Registry._logs

    def spy(self: Registry, event: str, start: int, end: int, filters: dict[str, object]) -> list[object]:
        ranges.append((start, end))
        return real(self, event, start, end, filters)

    monkeypatch.setattr(Registry, "_logs", spy)
    history = registry.status_history(root, from_block=anchored.block_number)
    assert [e.state for e in history] == [State.SUSPENDED, State.ACTIVE, State.REVOKED]
    assert len(ranges) >= 4 and all(end - start < 3 for start, end in ranges)
    assert ranges[0][0] == anchored.block_number and ranges[-1][1] == registry.block_number()


def test_chain_identity_is_checked(shanghai_url: str) -> None:
    w3 = connect(shanghai_url)
    here = read_identity(w3)
    assert check_identity(w3, here.chain_id, here.genesis_hash) == here
    with pytest.raises(WrongChain, match=f"pins chain_id 5, but the node is chain {here.chain_id}"):
        check_identity(w3, 5, None)
    # same chain id, another genesis (its time: two nodes started in the same second would share it): a reset chain
    with dev_node("anvil", "--hardfork", "shanghai", "--timestamp", "1700000000") as other_url:
        other = connect(other_url)
        assert read_identity(other).chain_id == here.chain_id
        with pytest.raises(WrongChain, match="another genesis block"):
            check_identity(other, here.chain_id, here.genesis_hash)
    (admin,) = _funded(shanghai_url, 1)
    registry, _ = Registry.deploy(w3, admin)
    elsewhere = Registry(w3, registry.address, expected_chain_id=here.chain_id + 1)
    with pytest.raises(WrongChain, match="wrong chain"):
        elsewhere.document(os.urandom(32), os.urandom(32), [])
    pinned = Registry(w3, registry.address, expected_chain_id=here.chain_id, expected_genesis=here.genesis_hash)
    pinned.add_issuer(admin, admin.address, "Schule")
    reset = Registry(w3, registry.address, expected_chain_id=here.chain_id, expected_genesis="0x" + "ab" * 32)
    nonce = w3.eth.get_transaction_count(admin.address)
    with pytest.raises(WrongChain, match="another genesis block"):  # checked before signing, not only at start
        reset.grant_revoker(admin, admin.address)
    assert w3.eth.get_transaction_count(admin.address) == nonce
    gone = Registry(w3, Account.create().address)  # what a reset chain looks like: nothing at the address
    with pytest.raises(ChainError, match=r"no registry contract answers on this chain .* reset"):
        gone.batch(os.urandom(32))


class _RealNetworkNode(BaseHTTPRequestHandler):
    """A JSON-RPC node as a production network answers: no dev methods, no unlocked accounts."""

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if request["method"] == "eth_accounts":
            body: dict[str, object] = {"result": []}
        elif request["method"] == "eth_chainId":
            body = {"result": "0x5"}
        else:
            body = {"error": {"code": -32601, "message": f"Method {request['method']} not found"}}
        data = json.dumps({"jsonrpc": "2.0", "id": request["id"], **body}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def test_funding_on_a_real_network_says_what_to_do_instead() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RealNetworkNode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        w3 = connect(f"http://127.0.0.1:{server.server_address[1]}")
        with pytest.raises(ChainError, match=r"not a dev node .* send it ether .* genesis 'alloc'.*gas_price = 0"):
            fund_dev_account(w3, Account.create().address)
    finally:
        server.shutdown()
        thread.join()


def test_funding_on_dev_nodes_says_how(shanghai_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    w3 = connect(shanghai_url)
    address = Account.create().address
    assert fund_dev_account(w3, address, 5 * 10**18) == "anvil_setBalance"
    assert w3.eth.get_balance(address) == 5 * 10**18
    # a dev node without a set-balance method but with unlocked funded accounts (geth --dev): a transfer
    connect_module = importlib.import_module("notary.chain.connect")  # the package re-exports a function by that name
    monkeypatch.setattr(connect_module, "_SET_BALANCE", ())
    other = Account.create().address
    assert fund_dev_account(w3, other, 10**18).startswith("transfer from unlocked account 0x")
    assert w3.eth.get_balance(other) == 10**18


def test_an_issuer_without_gas_money_stops_at_once(
    shanghai_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No gas money is the chain's final answer: the run names it instead of retrying it as a passing fault for
    the ten minutes it waits for a node that went away."""
    w3 = connect(shanghai_url)
    (admin,) = _funded(shanghai_url, 1)
    issuer = Account.create()  # authorised, but holds nothing
    registry, _ = Registry.deploy(w3, admin)
    registry.add_issuer(admin, issuer.address, "Realschule ohne Guthaben")

    def no_waiting(seconds: float) -> None:
        raise AssertionError(f"retried a final answer (sleep {seconds} s)")

    monkeypatch.setattr("notary.issuance.run.time.sleep", no_waiting)
    with pytest.raises(ChainError, match=r"not enough ether for gas"):
        issue_samples(registry, issuer, tmp_path, count=1)
    assert w3.eth.get_transaction_count(issuer.address) == 0
