"""A lying RPC node is outvoted: real anvil nodes as witnesses of one chain.

The honest chain runs on node A; node B is an exact copy of it (A's state loaded into a second anvil), as two
independent operators' nodes of one network would be. The liar is a third anvil with the same chain id, where
the same deployer key at the same nonce puts a registry at the trusted address and the attacker's batch is
anchored by an "issuer" called like the genuine school. Alone it fools a single-endpoint verifier; among honest
witnesses it only makes the facts undecidable (ERROR), never VALID.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from notary import localchain
from notary.chain import Registry, connect, fund_dev_account
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

    def entry(self, *urls: str, quorum: int | None = None) -> TrustedEntry:
        return TrustedEntry(SCHOOL, 31337, self.registry.address, urls[0], True, rpc_urls=urls, quorum=quorum)

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

        # the liar: same chain id, same deployer key and nonce -> a registry at the very same address
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
        yield Witnessed(honest_a, honest_b, liar, other_chain, actors.registry, genuine, forged)
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
    assert result.verdict is Verdict.ERROR, result.to_json()
    assert _chain_reasons(result) == {Reason.WITNESSES_DISAGREE}
    assert all(result.check(n).status is Status.ERROR for n in ("anchor", "issuer", "signature", "status"))
    assert "3" in result.check("anchor").message("en")  # which witness differs, by number (no URL)
    assert "127.0.0.1" not in result.check("anchor").message("en")
    # the genuine document: the liar contradicts the honest nodes there too -> undecidable, not INVALID
    genuine = world.verify(entry, world.genuine.notarised[0])
    assert genuine.verdict is Verdict.ERROR and _chain_reasons(genuine) == {Reason.WITNESSES_DISAGREE}


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
    assert result.verdict is Verdict.ERROR and _chain_reasons(result) == {Reason.CHAIN_UNREACHABLE}
    assert "2 of 3" in result.check("anchor").message("en")


@pytest.mark.anvil
def test_a_witness_on_another_chain_is_refused(world: Witnessed) -> None:
    entry = world.entry(world.honest_a, world.honest_b, world.other_chain)
    result = world.verify(entry, world.genuine.notarised[0])
    assert result.verdict is Verdict.ERROR and _chain_reasons(result) == {Reason.WRONG_CHAIN}


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
            assert body["verdict"] == "ERROR", body
            assert {c["reason"] for c in body["checks"] if c["name"] == "anchor"} == {"witnesses-disagree"}


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


def test_a_bad_witness_configuration_is_one_readable_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "notary.toml"
    monkeypatch.setenv("NOTARY_CONFIG", str(config))
    address = "0x" + "11" * 20
    for table in (
        f'name = "R"\nchain_id = 1\naddress = "{address}"\nrpc_urls = ["http://a", "http://b"]\nquorum = 3',
        f'name = "R"\nchain_id = 1\naddress = "{address}"',
        f'name = "R"\nchain_id = 1\naddress = "{address}"\nrpc_urls = ["http://a"]\nquorum = 0',
    ):
        config.write_text(f"[[trusted]]\n{table}\n", encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_settings()
        assert "\n" not in str(caught.value) and "trusted" in str(caught.value)
