"""A lying RPC node is outvoted: real anvil nodes as witnesses of one chain.

The honest chain runs on node A; node B is an exact copy of it (A's state loaded into a second anvil), as two
independent operators' nodes of one network would be. The liar is a third anvil with the same chain id, where
the same deployer key at the same nonce puts a registry at the trusted address and the attacker's batch is
anchored by an "issuer" called like the genuine school. Alone it fools a single-endpoint verifier; among honest
witnesses it only makes the facts undecidable (ERROR), never VALID. With the trusted chain's genesis hash
pinned, the liar is what it also is: a reset chain with the trusted id, refused as the wrong chain.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from notary import localchain
from notary.chain import Registry, connect, fund_dev_account
from notary.chain.identity import read_identity
from notary.config import Settings, TrustedRegistry, load_settings
from notary.errors import ConfigError
from tests.conftest import Actors
from tests.issuing import Issued, issue_samples
from verifier.pipeline import Verifier
from verifier.result import Reason, Status, Verdict, VerificationResult
from verifier.trust import TrustedEntry, TrustList
from verifier.web import create_app
from verifier.web.config import WebConfig
from verifier.witnesses import Witnesses

SCHOOL = "Realschule am Park, Mannheim"
DEAD = "http://127.0.0.1:1"


def _anvil(workdir: Path, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = localchain.free_port()
    log = (workdir / f"anvil-{port}.log").open("wb")
    process = subprocess.Popen(
        [str(localchain.anvil_binary()), "--host", "127.0.0.1", "--port", str(port), *args],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # generous: a loaded machine starts processes slowly
    while localchain.rpc_answers(url, timeout=0.5) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"anvil did not start: {(workdir / f'anvil-{port}.log').read_text()[-500:]}")
        time.sleep(0.05)
    return process, url


@dataclass
class Witnessed:
    honest_a: str
    honest_b: str
    liar: str
    other_chain: str
    registry: Registry
    genuine: Issued
    forged: Issued
    genesis: str  # the honest chain's genesis block hash

    def entry(self, *urls: str, quorum: int | None = None, genesis_hash: str | None = None) -> TrustedEntry:
        return TrustedEntry(
            SCHOOL, 31337, self.registry.address, urls[0], True,
            rpc_urls=urls, quorum=quorum, genesis_hash=genesis_hash,
        )  # fmt: skip

    def verify(self, entry: TrustedEntry, pdf: Path, witnesses: Witnesses | None = None) -> VerificationResult:
        verifier = Verifier(TrustList([entry]))
        if witnesses is not None:
            verifier.witnesses = witnesses
        try:
            return verifier.verify_pdf(pdf.read_bytes())
        finally:
            verifier.witnesses.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Witnessed]:
    base = tmp_path_factory.mktemp("witnesses")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        node_a, honest_a = _anvil(base, "--chain-id", "31337")
        processes.append(node_a)
        actors = Actors(honest_a)
        genuine = issue_samples(actors.registry, actors.issuer, base / "genuine", count=1)

        # node B: the same chain, from A's state (blocks, logs, storage)
        state = localchain.dump_state(honest_a)
        assert state is not None
        (base / "copy.json").write_bytes(state)
        node_b, honest_b = _anvil(base, "--chain-id", "31337", "--load-state", str(base / "copy.json"))
        processes.append(node_b)

        # the liar: same chain id, same deployer key and nonce -> a registry at the very same address. Its
        # genesis block differs by its time alone: started in a later second than A, as a reset chain would be
        genesis = connect(honest_a).eth.get_block(0)
        while time.time() < genesis["timestamp"] + 1.2:
            time.sleep(0.1)
        node_c, liar = _anvil(base, "--chain-id", "31337")
        processes.append(node_c)
        w3 = connect(liar)
        attacker = Account.create()
        for account in (actors.admin, attacker):
            fund_dev_account(w3, account.address)
        fake, _ = Registry.deploy(w3, actors.admin)
        assert fake.address == actors.registry.address
        fake.add_issuer(actors.admin, attacker.address, SCHOOL)
        forged = issue_samples(fake, attacker, base / "forged", count=1, seed=7)

        node_d, other_chain = _anvil(base, "--chain-id", "4242")
        processes.append(node_d)
        honest_genesis = "0x" + bytes(genesis["hash"]).hex()
        yield Witnessed(honest_a, honest_b, liar, other_chain, actors.registry, genuine, forged, honest_genesis)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def _chain_reasons(result: VerificationResult) -> set[Reason]:
    return {result.check(n).reason for n in ("anchor", "issuer", "signature", "status")}


@pytest.mark.anvil
def test_a_lying_node_alone_fools_a_single_endpoint_verifier(world: Witnessed) -> None:
    """The attack the witnesses defend against: with the liar as the only node, the forgery is VALID."""
    result = world.verify(world.entry(world.liar), world.forged.notarised[0])
    assert result.verdict is Verdict.VALID, result.to_json()
    assert result.issuer is not None and result.issuer["name"] == SCHOOL


@pytest.mark.anvil
def test_the_liar_among_honest_witnesses_makes_the_forgery_undecidable_never_valid(world: Witnessed) -> None:
    entry = world.entry(world.honest_a, world.honest_b, world.liar, quorum=2)
    result = world.verify(entry, world.forged.notarised[0])
    assert result.verdict is Verdict.NOT_CHECKABLE, result.to_json()
    assert _chain_reasons(result) == {Reason.WITNESSES_DISAGREE}
    assert all(result.check(n).status is Status.ERROR for n in ("anchor", "issuer", "signature", "status"))
    assert "3" in result.check("anchor").message("en")  # which witness differs, by number (no URL)
    assert "127.0.0.1" not in result.check("anchor").message("en")
    # the genuine document: the liar contradicts the honest nodes there too -> undecidable, not INVALID
    genuine = world.verify(entry, world.genuine.notarised[0])
    assert genuine.verdict is Verdict.NOT_CHECKABLE and _chain_reasons(genuine) == {Reason.WITNESSES_DISAGREE}


@pytest.mark.anvil
def test_honest_witnesses_agree(world: Witnessed) -> None:
    two = world.entry(world.honest_a, world.honest_b)
    assert two.needed == 2
    assert world.verify(two, world.genuine.notarised[0]).verdict is Verdict.VALID
    # the forgery is simply not anchored on the real chain
    forged = world.verify(two, world.forged.notarised[0])
    assert forged.verdict is Verdict.INVALID and forged.check("anchor").reason is Reason.NOT_ANCHORED


@pytest.mark.anvil
def test_a_dead_witness_is_tolerated_only_down_to_the_quorum(world: Witnessed) -> None:
    majority = world.entry(world.honest_a, world.honest_b, DEAD)
    assert majority.needed == 2
    assert world.verify(majority, world.genuine.notarised[0]).verdict is Verdict.VALID
    everyone = world.entry(world.honest_a, world.honest_b, DEAD, quorum=3)
    result = world.verify(everyone, world.genuine.notarised[0])
    assert result.verdict is Verdict.NOT_CHECKABLE and _chain_reasons(result) == {Reason.CHAIN_UNREACHABLE}
    assert "2 of 3" in result.check("anchor").message("en")


@pytest.mark.anvil
def test_a_witness_on_another_chain_is_refused(world: Witnessed) -> None:
    entry = world.entry(world.honest_a, world.honest_b, world.other_chain)
    result = world.verify(entry, world.genuine.notarised[0])
    assert result.verdict is Verdict.NOT_CHECKABLE and _chain_reasons(result) == {Reason.WRONG_CHAIN}


@pytest.mark.anvil
def test_a_hanging_witness_costs_at_most_the_deadline(world: Witnessed, tmp_path: Path) -> None:
    """A node that accepts the connection and never answers: the other witnesses decide within the deadline."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        hanging = f"http://127.0.0.1:{silent.getsockname()[1]}"
        entry = world.entry(world.honest_a, world.honest_b, hanging)
        witnesses = Witnesses(rpc_timeout=600.0, deadline=5.0)
        started = time.monotonic()
        result = world.verify(entry, world.genuine.notarised[0], witnesses)
        elapsed = time.monotonic() - started
    assert result.verdict is Verdict.VALID, result.to_json()
    assert elapsed < 300  # bounded by the 5 s deadline, not the 600 s RPC timeout (generous for a loaded machine)


@pytest.mark.anvil
def test_a_liar_announcing_a_far_block_cannot_pin_the_cache_block(world: Witnessed) -> None:
    w3 = connect(world.liar, timeout=120)
    honest = connect(world.honest_a).eth.block_number
    w3.provider.make_request("anvil_mine", [hex(honest + 200)])  # type: ignore[arg-type]
    assert w3.eth.block_number > honest + 200
    witnesses = Witnesses()
    try:
        block = witnesses.block_number(world.entry(world.honest_a, world.honest_b, world.liar))
        assert block <= connect(world.honest_a).eth.block_number
    finally:
        witnesses.close()


@pytest.mark.anvil
def test_the_web_verifier_reads_through_the_witnesses(world: Witnessed) -> None:
    """notary.toml with rpc_urls and quorum, through create_app and its per-block cache."""
    trusted = TrustedRegistry(
        name=SCHOOL, chain_id=31337, address=world.registry.address, production=True,
        rpc_urls=[world.honest_a, world.honest_b, world.liar], quorum=2,
    )  # fmt: skip
    app = create_app(Settings(trusted=[trusted]), web=WebConfig(rate_limit_per_minute=0))
    with TestClient(app) as client:
        for _ in range(2):  # the second answer comes through the cache path: still not VALID
            pdf = world.forged.notarised[0].read_bytes()
            reply = client.post("/api/v1/verify", files={"file": ("f.pdf", pdf, "application/pdf")})
            assert reply.status_code == 200
            body = reply.json()
            assert body["verdict"] == "NOT_CHECKABLE", body
            assert {c["reason"] for c in body["checks"] if c["name"] == "anchor"} == {"witnesses-disagree"}


@pytest.mark.anvil
def test_a_reset_chain_with_the_trusted_id_and_address_is_the_wrong_chain_never_valid(world: Witnessed) -> None:
    """The liar is a fresh chain with the trusted chain id and a registry at the trusted address (what a reset
    dev or test chain is): with the genesis pinned, even the forgery it vouches for is ERROR wrong-chain."""
    assert read_identity(connect(world.liar)).genesis_hash != world.genesis  # the premise: another block 0
    assert read_identity(connect(world.honest_b)).genesis_hash == world.genesis  # a copy of the chain keeps it
    alone = world.verify(world.entry(world.liar, genesis_hash=world.genesis), world.forged.notarised[0])
    assert alone.verdict is Verdict.NOT_CHECKABLE, alone.to_json()
    assert _chain_reasons(alone) == {Reason.WRONG_CHAIN}
    detail = alone.check("anchor").message("en")
    assert "reset" in detail and "another chain" in detail and "127.0.0.1" not in detail, detail
    genuine = world.verify(world.entry(world.liar, genesis_hash=world.genesis), world.genuine.notarised[0])
    assert genuine.verdict is Verdict.NOT_CHECKABLE and _chain_reasons(genuine) == {Reason.WRONG_CHAIN}
    # among honest witnesses it is refused, not outvoted, whatever the quorum
    mixed = world.entry(world.honest_a, world.honest_b, world.liar, quorum=2, genesis_hash=world.genesis)
    result = world.verify(mixed, world.genuine.notarised[0])
    assert result.verdict is Verdict.NOT_CHECKABLE and _chain_reasons(result) == {Reason.WRONG_CHAIN}
    assert "node 3 of 3" in result.check("anchor").message("en")


@pytest.mark.anvil
def test_witnesses_of_the_pinned_genesis_say_valid(world: Witnessed) -> None:
    pinned = world.entry(world.honest_a, world.honest_b, genesis_hash=world.genesis.upper().replace("0X", "0x"))
    assert world.verify(pinned, world.genuine.notarised[0]).verdict is Verdict.VALID
    forged = world.verify(pinned, world.forged.notarised[0])
    assert forged.verdict is Verdict.INVALID and forged.check("anchor").reason is Reason.NOT_ANCHORED


class _SwitchingProxy:
    """One URL in front of a node that can be swapped for another: a node reset behind an unchanged endpoint.
    Counts the JSON-RPC methods it forwards."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.methods: list[str] = []
        proxy = self

        class Forward(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                calls = json.loads(body)
                proxy.methods += [c["method"] for c in (calls if isinstance(calls, list) else [calls])]
                request = urllib.request.Request(
                    proxy.upstream, data=body, headers={"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(request, timeout=60) as reply:
                    answer = reply.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def genesis_reads(self) -> int:
        return self.methods.count("eth_getBlockByNumber")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.anvil
def test_the_genesis_is_read_once_per_ttl_and_a_reset_behind_the_same_url_is_noticed(world: Witnessed) -> None:
    """No extra RPC per verification on the hot path; after the TTL (an injected clock, not a wait) the node is
    asked again, and a chain reset behind the unchanged URL is then refused."""
    now = [1000.0]
    proxy = _SwitchingProxy(world.honest_a)
    witnesses = Witnesses(genesis_ttl=60.0, clock=lambda: now[0])
    try:
        entry = world.entry(proxy.url, genesis_hash=world.genesis)
        for _ in range(3):
            assert world.verify(entry, world.genuine.notarised[0], witnesses).verdict is Verdict.VALID
        assert proxy.genesis_reads() == 1
        proxy.upstream = world.liar  # the node was reset (here: replaced by the fresh chain) behind the same URL
        now[0] += 59.0
        world.verify(entry, world.genuine.notarised[0], witnesses)
        assert proxy.genesis_reads() == 1  # within the TTL: the cached genesis is believed
        now[0] += 2.0
        result = world.verify(entry, world.forged.notarised[0], witnesses)
        assert proxy.genesis_reads() == 2
        assert result.verdict is Verdict.NOT_CHECKABLE and _chain_reasons(result) == {Reason.WRONG_CHAIN}
        now[0] += 10.0
        world.verify(entry, world.forged.notarised[0], witnesses)
        assert proxy.genesis_reads() == 2  # the wrong genesis is cached too: a refusal costs no extra RPC either
    finally:
        witnesses.close()
        proxy.close()


@pytest.mark.anvil
def test_the_web_verifier_refuses_a_reset_chain_pinned_in_notary_toml(world: Witnessed) -> None:
    trusted = TrustedRegistry(
        name=SCHOOL, chain_id=31337, address=world.registry.address, production=True, rpc_urls=[world.liar],
        genesis_hash=world.genesis.upper().replace("0X", "0x"),
    )  # fmt: skip
    assert trusted.genesis_hash == world.genesis  # stored lower-cased
    app = create_app(Settings(trusted=[trusted]), web=WebConfig(rate_limit_per_minute=0))
    with TestClient(app) as client:
        pdf = world.forged.notarised[0].read_bytes()
        reply = client.post("/api/v1/verify", files={"file": ("f.pdf", pdf, "application/pdf")})
        assert reply.status_code == 200
        body = reply.json()
        assert body["verdict"] == "NOT_CHECKABLE", body
        assert {c["reason"] for c in body["checks"] if c["name"] == "anchor"} == {"wrong-chain"}


def test_endpoints_are_counted_once_and_the_quorum_must_be_reachable(tmp_path: Path) -> None:
    one = TrustedRegistry(
        name="R", chain_id=1, address="0x" + "11" * 20, rpc_url="http://a:8545/", rpc_urls=["http://a:8545", "http://b"]
    )
    assert one.endpoints == ["http://a:8545", "http://b"]  # the same node twice is one witness
    entry = TrustList.from_settings(Settings(trusted=[one])).entries()[0]
    assert entry.endpoints == ("http://a:8545", "http://b") and entry.needed == 2
    three = TrustedRegistry(
        name="R", chain_id=1, address="0x" + "11" * 20, rpc_urls=["http://a", "http://b", "http://c"]
    )
    assert TrustList.from_settings(Settings(trusted=[three])).entries()[0].needed == 2
    single = TrustedEntry("R", 1, "0x" + "11" * 20, "http://a", True)
    assert single.endpoints == ("http://a",) and single.needed == 1
    assert single.genesis_hash is None  # not pinned unless configured
    genesis = "0x" + "Ab" * 32
    pinned = TrustedRegistry(name="R", chain_id=1, address="0x" + "11" * 20, rpc_url="http://a", genesis_hash=genesis)
    assert TrustList.from_settings(Settings(trusted=[pinned])).entries()[0].genesis_hash == genesis.lower()


def test_a_bad_witness_configuration_is_one_readable_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "notary.toml"
    monkeypatch.setenv("NOTARY_CONFIG", str(config))
    address = "0x" + "11" * 20
    for table in (
        f'name = "R"\nchain_id = 1\naddress = "{address}"\nrpc_urls = ["http://a", "http://b"]\nquorum = 3',
        f'name = "R"\nchain_id = 1\naddress = "{address}"',
        f'name = "R"\nchain_id = 1\naddress = "{address}"\nrpc_urls = ["http://a"]\nquorum = 0',
        f'name = "R"\nchain_id = 1\naddress = "{address}"\nrpc_url = "http://a"\ngenesis_hash = "0x1234"',
        f'name = "R"\nchain_id = 1\naddress = "{address}"\nrpc_url = "http://a"\ngenesis_hash = "0x{"zz" * 32}"',
    ):
        config.write_text(f"[[trusted]]\n{table}\n", encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_settings()
        assert "\n" not in str(caught.value) and "trusted" in str(caught.value)
