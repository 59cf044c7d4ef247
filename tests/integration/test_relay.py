"""Relayed anchoring on anvil: a school whose key holds no Ether signs batches (`--sign-only`), the city's relayer
anchors them (`anchorSigned`), the school's next run stamps them; the relayer refuses bad files before spending."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary.chain import Registry, connect, fund_dev_account
from notary.chain.artifact import abi
from notary.core.eip712 import Batch, BatchDomain, sign_batch
from notary.core.hashing import Digest32
from notary.issuance import ClaimDefaults, IssueOptions, Journal, Summary, from_paths
from notary.pdf import read_attached_proof
from notary.pdf.samples import make_certificates
from notary.signing import KeystoreSigner
from notary.signing.relay import Relayer, RelayJournal
from notary.signing.sign_only import SignOnlyIssuance
from notary.signing.signed_batch import SignedBatch, read_signed_batch, write_signed_batch
from tests.issuing import verifier_for
from verifier.result import Verdict

pytestmark = pytest.mark.anvil

HAS_ANCHOR_SIGNED = any(item.get("name") == "anchorSigned" for item in abi())
needs_anchor_signed = pytest.mark.skipif(
    not HAS_ANCHOR_SIGNED, reason="the registry contract has no anchorSigned yet (issue 13, contract side)"
)


@dataclass
class City:
    registry: Registry
    admin: LocalAccount
    relayer: LocalAccount
    school: LocalAccount


@pytest.fixture
def city(anvil_url: str) -> City:
    w3 = connect(anvil_url)
    admin: LocalAccount = Account.create()
    relayer: LocalAccount = Account.create()
    school: LocalAccount = Account.create()  # never funded: the school holds no Ether
    fund_dev_account(w3, admin.address)
    fund_dev_account(w3, relayer.address)
    registry, _ = Registry.deploy(w3, admin)
    registry.add_issuer(admin, school.address, "Realschule am Park, Mannheim")
    return City(registry, admin, relayer, school)


def school_run(city: City, workdir: Path, count: int = 3, batch_size: int = 2) -> tuple[SignOnlyIssuance, Summary]:
    src = workdir / "in"
    if not src.exists():
        src.mkdir(parents=True)
        for i, pdf in enumerate(make_certificates(count, seed=7)):
            (src / f"zeugnis-{i}.pdf").write_bytes(pdf)
    journal = Journal(workdir / "school-journal.sqlite")
    with ThreadPoolExecutor(2) as pool:
        try:
            run = SignOnlyIssuance(
                journal, city.registry, city.school, IssueOptions(out_dir=workdir / "out", batch_size=batch_size),
                executor=pool, outbox=workdir / "outbox",
            )  # fmt: skip
            defaults = ClaimDefaults(doc_type="zeugnis", title="Abschlusszeugnis", holder="Lena Müller")
            summary = run.issue(from_paths([src], defaults), spec=f"test:{src}")
        finally:
            journal.close()
    return run, summary


def relay(city: City, workdir: Path, relayer: LocalAccount | None = None) -> list[dict[str, object]]:
    journal = RelayJournal(workdir / "relay.sqlite")
    try:
        signer = KeystoreSigner(relayer or city.relayer)
        return [o.__dict__ for o in Relayer(city.registry, signer, journal).relay_folder(workdir / "outbox")]
    finally:
        journal.close()


def spent(city: City, account: LocalAccount) -> tuple[int, int]:
    w3 = city.registry.w3
    return int(w3.eth.get_transaction_count(account.address)), int(w3.eth.get_balance(account.address))


def test_a_sign_only_run_sends_nothing_and_leaves_signed_batches(city: City, tmp_path: Path) -> None:
    run, summary = school_run(city, tmp_path)
    files = sorted((tmp_path / "outbox").glob("*.json"))
    assert len(files) == 2 and sorted(p.name for p in run.waiting) == [p.name for p in files]  # 3 docs, 2 a batch
    batches = [read_signed_batch(p) for p in files]
    assert {b.issuer for b in batches} == {city.school.address}
    assert sorted(b.batch.document_count for b in batches) == [1, 2]
    assert all((b.domain.chain_id, b.domain.registry) == (city.registry.chain_id, city.registry.address)
               for b in batches)  # fmt: skip
    assert spent(city, city.school) == (0, 0)
    assert summary.counts.get("written", 0) == 0 and not list((tmp_path / "out").glob("*.pdf"))
    # the same command again: nothing new is signed, the same files are there
    again, _ = school_run(city, tmp_path)
    assert sorted(p.name for p in again.waiting) == [p.name for p in files]
    assert len(list((tmp_path / "outbox").glob("*.json"))) == 2


def test_the_relayer_refuses_bad_files_before_spending(city: City, tmp_path: Path) -> None:
    school_run(city, tmp_path, count=1)
    outbox = tmp_path / "outbox"
    (good,) = outbox.glob("*.json")
    data = json.loads(good.read_text())
    (outbox / "junk.json").write_text("not json at all")
    (outbox / "count.json").write_text(json.dumps({**data, "document_count": data["document_count"] + 1}))
    (outbox / "extra.json").write_text(json.dumps({**data, "note": "hi"}))
    elsewhere = Registry.deploy(city.registry.w3, city.admin)[0]
    # a genuine signature of the school, but for another registry: replaying it here is refused
    other = BatchDomain(city.registry.chain_id, elsewhere.address)
    replayed = Batch(Digest32(b"\x22" * 32), 2, 1_767_225_600)
    signature = sign_batch(bytes(city.school.key), other, replayed)
    moved = write_signed_batch(outbox, SignedBatch(other, city.school.address, replayed, signature))
    moved.rename(outbox / "other-registry.json")
    good.unlink()
    # a school the registry does not know signs a batch (a valid file, but not an issuer's)
    stranger: LocalAccount = Account.create()
    domain = BatchDomain(city.registry.chain_id, city.registry.address)
    statement = Batch(Digest32(b"\x11" * 32), 5, 1_767_225_600)
    write_signed_batch(outbox, SignedBatch(domain, stranger.address, statement,
                                           sign_batch(bytes(stranger.key), domain, statement)))  # fmt: skip
    before = spent(city, city.relayer)
    outcomes = {o["file"]: o for o in relay(city, tmp_path)}
    assert {o["status"] for o in outcomes.values()} == {"refused"}, outcomes
    assert "not JSON" in str(outcomes["junk.json"]["reason"])
    assert "the signature is by" in str(outcomes["count.json"]["reason"])
    assert "unknown members note" in str(outcomes["extra.json"]["reason"])
    assert f"signed for registry {elsewhere.address}" in str(outcomes["other-registry.json"]["reason"])
    (stranger_outcome,) = [o for name, o in outcomes.items() if name.startswith("batch-")]
    assert "is not an issuer" in str(stranger_outcome["reason"])
    assert "nothing was sent" in str(stranger_outcome["reason"])
    assert spent(city, city.relayer) == before


@needs_anchor_signed
def test_relayed_anchoring_end_to_end_with_a_school_key_of_zero_balance(city: City, tmp_path: Path) -> None:
    _, first = school_run(city, tmp_path)
    assert first.counts.get("written", 0) == 0
    outcomes = relay(city, tmp_path)
    assert [o["status"] for o in outcomes] == ["anchored", "anchored"], outcomes
    for outcome in outcomes:
        record, _ = city.registry.batch(bytes.fromhex(str(outcome["root"])[2:]))
        assert record.anchored and record.issuer == city.school.address  # the signer, not the relayer
    # the relayer again: nothing is sent twice
    nonce = spent(city, city.relayer)[0]
    assert [o["status"] for o in relay(city, tmp_path)] == ["already-anchored", "already-anchored"]
    assert spent(city, city.relayer)[0] == nonce
    # the school's same command again stamps what the chain now has
    run, finished = school_run(city, tmp_path)
    assert finished.counts.get("written") == 3 and not run.waiting
    verifier = verifier_for(city.registry)
    for pdf in sorted((tmp_path / "out").glob("*.pdf")):
        result = verifier.verify_pdf(pdf.read_bytes())
        assert result.verdict is Verdict.VALID, result.to_json()
        raw = read_attached_proof(pdf.read_bytes())
        assert raw is not None and json.loads(raw)["issuer"] == city.school.address
    assert spent(city, city.school) == (0, 0)


@needs_anchor_signed
def test_the_relayer_cannot_alter_what_the_school_signed(city: City, tmp_path: Path) -> None:
    """A relayer that bypasses notary's checks and sends altered values names another signer on chain: the
    contract refuses (the recovered address is no issuer), so nothing is anchored for the school."""
    school_run(city, tmp_path, count=1)
    (path,) = (tmp_path / "outbox").glob("*.json")
    signed = read_signed_batch(path)
    for root, count, issued_at in ((b"\x99" * 32, 1, signed.batch.issued_at),
                                   (signed.root, 2, signed.batch.issued_at),
                                   (signed.root, 1, signed.batch.issued_at + 1)):  # fmt: skip
        with pytest.raises(Exception, match=r"(?i)issuer|signature|revert|refused"):
            tx = city.registry.sign(
                city.relayer, city.registry.address,
                city.registry.encode("anchorSigned", [root, count, issued_at, signed.signature]), 200_000,
            )  # fmt: skip
            city.registry.broadcast(tx)
            city.registry.wait_mined(tx)
    assert not city.registry.batch(signed.root)[0].anchored


@needs_anchor_signed
def test_a_relay_killed_after_recording_its_transaction_sends_that_one_on_the_next_run(
    city: City, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    school_run(city, tmp_path, count=1)

    class Killed(BaseException):
        pass

    def killed(*args: object, **kwargs: object) -> None:
        raise Killed  # the power goes out after the journal has the transaction, before the node has it

    with monkeypatch.context() as patch:
        patch.setattr(city.registry, "broadcast", killed)
        with pytest.raises(Killed):
            relay(city, tmp_path)
    journal = RelayJournal(tmp_path / "relay.sqlite")
    try:
        ((state, recorded_hash),) = journal.db.execute("SELECT state, tx_hash FROM relayed").fetchall()
    finally:
        journal.close()
    assert state == "sending" and spent(city, city.relayer)[0] == 0
    (outcome,) = relay(city, tmp_path)
    assert outcome["status"] == "anchored" and outcome["tx_hash"] == recorded_hash  # the recorded one, not a new one
    assert spent(city, city.relayer)[0] == 1


@needs_anchor_signed
def test_a_recorded_relay_transaction_whose_nonce_went_elsewhere_is_signed_afresh(
    city: City, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    school_run(city, tmp_path, count=1)
    real = city.registry.broadcast
    with monkeypatch.context() as patch:
        patch.setattr(city.registry, "broadcast", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            relay(city, tmp_path)
    assert city.registry.broadcast == real
    # meanwhile the relayer key pays for something else with the same nonce
    city.registry._forget_nonce(city.relayer.address)
    city.registry.add_issuer(city.admin, Account.create().address, "Grundschule Nord")  # admin's nonce, not ours
    w3 = city.registry.w3
    tx = city.relayer.sign_transaction({
        "to": city.admin.address, "value": 1, "gas": 21_000, "gasPrice": int(w3.eth.gas_price) * 2,
        "nonce": 0, "chainId": city.registry.chain_id,
    })  # fmt: skip
    w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(tx.raw_transaction))
    (outcome,) = relay(city, tmp_path)
    assert outcome["status"] == "anchored", outcome
    record, _ = city.registry.batch(bytes.fromhex(str(outcome["root"])[2:]), city.school.address)
    assert record.anchored and record.issuer == city.school.address
