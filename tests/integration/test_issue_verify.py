"""Issue real certificates, then attack them: every attack from the issue is rejected, on eth-tester and anvil."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from eth_account import Account
from pypdf import PdfReader, PdfWriter

from notary.chain import MEMORY, Registry, State, fund_dev_account
from notary.chain import Reason as StatusReason
from notary.core import Claims, Proof, decode_qr_text, encode_qr_text
from notary.core.qr_payload import qr_payload
from notary.demo import overlay_text, render_page
from notary.errors import NotaryError
from notary.issuance import ClaimDefaults
from notary.issuance.documents import Placement, notarise
from notary.pdf import choose_qr_params, stamp_pdf
from tests.chaintools import advance_time
from tests.conftest import Actors
from tests.issuing import Issued, issue_samples, verifier_for
from verifier.pipeline import Verifier
from verifier.qr_image import qr_texts
from verifier.result import Reason, Status, Verdict, VerificationResult


@pytest.fixture(scope="module", params=["memory", pytest.param("anvil", marks=pytest.mark.anvil)])
def issued(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Issued:
    """Three certificates issued once per chain for the tests that only read them (attacks work on copies in
    memory; nothing is written to the chain or the files). Tests that change state use ``own_issued``."""
    url = MEMORY if request.param == "memory" else request.getfixturevalue("anvil_url")
    actors = Actors(url)
    return issue_samples(actors.registry, actors.issuer, tmp_path_factory.mktemp("issued"), count=3)


@pytest.fixture
def own_issued(actors: Actors, tmp_path: Path) -> Issued:
    return issue_samples(actors.registry, actors.issuer, tmp_path, count=3)


def _failed(result: VerificationResult) -> dict[str, Reason]:
    return {c.name: c.reason for c in result.checks if c.status is Status.INVALID}


def test_genuine_pdf_and_its_qr_verify(issued: Issued) -> None:
    verifier = verifier_for(issued.registry)
    pdf = issued.notarised[0].read_bytes()
    result = verifier.verify_pdf(pdf)
    assert result.verdict is Verdict.VALID, result.to_json()
    assert result.issuer is not None and result.issuer["name"] == "Realschule am Park, Mannheim"
    assert result.anchor is not None and result.anchor["tx"] and result.anchor["block"]
    assert pdf.startswith(issued.originals[0].read_bytes())
    # the QR on page 1, rendered at 150 dpi like a scan of the printout, decodes and verifies
    image = io.BytesIO()
    render_page(pdf, 150).save(image, format="PNG")
    scanned = verifier.verify_image(image.getvalue())
    assert scanned.verdict is Verdict.VALID and scanned.source == "photo"
    assert scanned.claims is not None and scanned.claims["holder"] == "Lena Müller"
    # the original with its proof as a separate file verifies too
    proof = issued.proof(0)
    assert verifier.verify_pdf_with_proof(issued.originals[0].read_bytes(), proof.to_json()).verdict is Verdict.VALID


def test_text_overlaid_by_a_second_incremental_update_is_rejected(issued: Issued) -> None:
    forged = overlay_text(issued.notarised[0].read_bytes(), "Mathematik: 1 (sehr gut)")
    result = verifier_for(issued.registry).verify_pdf(forged)
    assert result.verdict is Verdict.INVALID
    assert _failed(result) == {"notarisation-update": Reason.EXTRA_CONTENT}


def test_a_hand_made_notarisation_update_is_rejected(issued: Issued) -> None:
    verifier = verifier_for(issued.registry)
    original = issued.originals[0].read_bytes()
    proof = issued.proof(0)
    assert proof.stamp is not None
    other_qr = encode_qr_text(issued.proof(1).for_qr())
    version, mask = choose_qr_params(other_qr, proof.stamp.qr_ecl)
    # same original and proof, but another QR drawn on the page
    other_layout = dataclasses.replace(proof.stamp, qr_version=version, qr_mask=mask)
    fake = stamp_pdf(original, proof_json=proof.to_json(), qr_text=other_qr, layout=other_layout)
    assert _failed(verifier.verify_pdf(fake)) == {"notarisation-update": Reason.UPDATE_MISMATCH}
    # same original and QR, but a proof that says the stamp sits elsewhere
    moved = dataclasses.replace(proof, stamp=dataclasses.replace(proof.stamp, x=proof.stamp.x - 100), document=None)
    own_qr = encode_qr_text(proof.for_qr())
    fake = stamp_pdf(original, proof_json=moved.to_json(), qr_text=own_qr, layout=proof.stamp)
    assert verifier.verify_pdf(fake).verdict is Verdict.INVALID


def test_a_restamp_with_another_placement_or_caption_is_rejected(issued: Issued) -> None:
    """A forger re-stamps the genuine original: the stamp's white box over the grades, a caption of his own.
    The update is self-consistent, but the placement is bound into the leaf, so the batch does not contain it."""
    verifier = verifier_for(issued.registry)
    original = issued.originals[0].read_bytes()
    proof = issued.proof(0)
    assert proof.stamp is not None
    for layout in (
        dataclasses.replace(proof.stamp, x=60, y=420, size=300),
        dataclasses.replace(proof.stamp, caption="Gesamtnote: 1,0 (mit Auszeichnung)"),
    ):
        forged = dataclasses.replace(proof, stamp=layout, document=None)
        qr_text = encode_qr_text(forged.for_qr())
        version, mask = choose_qr_params(qr_text, layout.qr_ecl)
        forged = dataclasses.replace(forged, stamp=dataclasses.replace(layout, qr_version=version, qr_mask=mask))
        pdf = stamp_pdf(original, proof_json=forged.to_json(), qr_text=qr_text, layout=forged.stamp)
        result = verifier.verify_pdf(pdf)
        assert result.verdict is Verdict.INVALID
        assert result.check("notarisation-update").status is Status.VALID  # self-consistent ...
        assert result.check("inclusion").reason is Reason.NOT_IN_BATCH  # ... but never issued


def test_extra_members_in_the_embedded_proof_are_rejected(issued: Issued) -> None:
    """Any PDF viewer shows the attachment: text added to it (a forged 'grade') must not pass as issued."""
    proof = issued.proof(0)
    assert proof.stamp is not None
    data = json.loads(proof.to_json())
    data["claims"]["gesamtnote"] = "1,0"
    padded = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    pdf = stamp_pdf(issued.originals[0].read_bytes(), proof_json=padded, qr_text=encode_qr_text(proof.for_qr()),
                    layout=proof.stamp)  # fmt: skip
    result = verifier_for(issued.registry).verify_pdf(pdf)
    assert result.verdict is Verdict.INVALID
    assert result.check("format").reason is Reason.UNKNOWN_FIELD  # unsigned bytes, docs/proof-format.md §10


def test_a_rewritten_file_fails_integrity_and_says_so(issued: Issued) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(issued.notarised[0].read_bytes())))
    out = io.BytesIO()
    writer.write(out)
    result = verifier_for(issued.registry).verify_pdf(out.getvalue())
    assert result.verdict is Verdict.INVALID
    assert result.check("integrity").reason is Reason.FILE_REWRITTEN
    assert "neu geschrieben" in result.check("integrity").message_de
    assert "rewritten" in result.check("integrity").message_en


def test_a_proof_copied_from_another_document_of_the_batch_is_rejected(issued: Issued) -> None:
    verifier = verifier_for(issued.registry)
    original_a = issued.originals[0].read_bytes()
    proof_b = issued.proof(1)
    assert _failed(verifier.verify_pdf_with_proof(original_a, proof_b.to_json())) in (
        {"integrity": Reason.HASH_MISMATCH},
        {"integrity": Reason.LENGTH_MISMATCH},
    )
    assert proof_b.stamp is not None
    # stamped onto A as if it were A's: the anchored hash is B's, so A's bytes do not match it ...
    b_for_a = dataclasses.replace(proof_b, original_length=len(original_a))
    qr_b = encode_qr_text(proof_b.for_qr())
    stamped = stamp_pdf(original_a, proof_json=b_for_a.to_json(), qr_text=qr_b, layout=proof_b.stamp)
    result = verifier.verify_pdf(stamped)
    assert result.verdict is Verdict.INVALID and result.check("integrity").reason is Reason.HASH_MISMATCH
    # ... and with A's hash written in, the document commitment is not B's, so the batch does not hold it
    a_hash = hashlib.sha256(original_a).digest()
    relabelled = dataclasses.replace(b_for_a, document_hash=a_hash, document=None)
    stamped = stamp_pdf(original_a, proof_json=relabelled.to_json(), qr_text=encode_qr_text(relabelled.for_qr()),
                        layout=proof_b.stamp)  # fmt: skip
    assert verifier.verify_pdf(stamped).check("inclusion").reason is Reason.NOT_IN_BATCH


def test_changed_claims_or_foreign_chain_in_a_qr_payload_are_rejected(issued: Issued) -> None:
    verifier = verifier_for(issued.registry)
    proof = issued.proof(0).for_qr()
    forged_claims = dataclasses.replace(proof, claims=dataclasses.replace(proof.claims, holder="Mallory Meier"))
    result = verifier.verify_payload(qr_payload(forged_claims))
    assert result.verdict is Verdict.INVALID
    other_chain = dataclasses.replace(proof, chain_id=proof.chain_id + 1)
    assert _failed(verifier.verify_payload(qr_payload(other_chain))).get("registry") is Reason.UNTRUSTED_REGISTRY
    other_registry = dataclasses.replace(proof, registry=Account.create().address)
    assert _failed(verifier.verify_payload(qr_payload(other_registry))).get("registry") is Reason.UNTRUSTED_REGISTRY
    genuine = verifier.verify_payload(qr_payload(proof))
    assert genuine.verdict is Verdict.VALID
    assert decode_qr_text(qr_payload(proof)).claims.holder == "Lena Müller"


def test_a_valid_proof_from_someone_elses_registry_is_untrusted(actors: Actors, tmp_path: Path) -> None:
    impostor = Account.create()
    fund_dev_account(actors.w3, impostor.address)
    rogue, _ = Registry.deploy(actors.w3, impostor)
    rogue.add_issuer(impostor, impostor.address, "Stadt Mannheim")
    issued = issue_samples(rogue, impostor, tmp_path, count=1)
    assert verifier_for(rogue).verify_pdf(issued.notarised[0].read_bytes()).verdict is Verdict.VALID
    result = verifier_for(actors.registry).verify_pdf(issued.notarised[0].read_bytes())
    assert result.verdict is Verdict.INVALID
    assert _failed(result) == {"registry": Reason.UNTRUSTED_REGISTRY}


def test_proofs_signed_by_a_stranger_are_rejected(issued: Issued) -> None:
    from notary.core import sign_batch

    verifier = verifier_for(issued.registry)
    proof = issued.proof(0).for_qr()
    stranger = Account.create()

    def signed_by_stranger(p: Proof) -> Proof:
        p = dataclasses.replace(p, issuer=stranger.address, root=p.computed_root())
        return dataclasses.replace(p, signature=sign_batch(bytes(stranger.key), p.domain(), p.batch()))

    # a batch the stranger made up: it was never anchored (he cannot anchor)
    made_up = signed_by_stranger(dataclasses.replace(proof, salt=b"\x07" * 32))
    result = verifier.verify_payload(qr_payload(made_up))
    assert result.verdict is Verdict.INVALID and _failed(result) == {"anchor": Reason.NOT_ANCHORED}
    # a genuine, anchored batch re-signed by the stranger: roots are per issuer on chain (issue 13), and the
    # stranger never anchored it
    resigned = verifier.verify_payload(qr_payload(signed_by_stranger(proof)))
    assert resigned.verdict is Verdict.INVALID
    assert _failed(resigned) == {"anchor": Reason.NOT_ANCHORED}


def test_an_anchor_after_the_key_was_compromised_is_invalid(actors: Actors, tmp_path: Path) -> None:
    before = issue_samples(actors.registry, actors.issuer, tmp_path / "a", count=1, seed=3)
    advance_time(actors.w3, 3600)
    after = issue_samples(actors.registry, actors.issuer, tmp_path / "b", count=1, seed=4)
    record, _ = actors.registry.batch(bytes(after.proof(0).root))
    actors.registry.mark_compromised(actors.admin, actors.issuer.address, record.timestamp - 60)
    verifier = verifier_for(actors.registry)
    assert verifier.verify_pdf(before.notarised[0].read_bytes()).verdict is Verdict.VALID
    result = verifier.verify_pdf(after.notarised[0].read_bytes())
    assert result.verdict is Verdict.INVALID and _failed(result) == {"issuer": Reason.ISSUER_COMPROMISED}


def test_retired_issuer_documents_stay_valid(own_issued: Issued, actors: Actors) -> None:
    issued = own_issued
    actors.registry.retire_issuer(actors.admin, actors.issuer.address)
    assert verifier_for(issued.registry).verify_pdf(issued.notarised[0].read_bytes()).verdict is Verdict.VALID


def test_revoked_suspended_and_expired(own_issued: Issued, actors: Actors, tmp_path: Path) -> None:
    issued = own_issued
    verifier = verifier_for(issued.registry)
    first, second = issued.proof(0), issued.proof(1)
    reg = actors.registry
    reg.set_document_state(actors.issuer, bytes(first.root), bytes(first.leaf()), list(map(bytes, first.merkle_proof)),
                           State.REVOKED, StatusReason.SUPERSEDED)  # fmt: skip
    revoked = verifier.verify_pdf(issued.notarised[0].read_bytes())
    assert revoked.verdict is Verdict.REVOKED and revoked.verdict.exit_code == 3
    assert "ersetzt" in revoked.check("status").message_de
    reg.set_document_state(actors.revoker, bytes(second.root), bytes(second.leaf()),
                           list(map(bytes, second.merkle_proof)), State.SUSPENDED, StatusReason.WITHDRAWN)  # fmt: skip
    assert verifier.verify_pdf(issued.notarised[1].read_bytes()).verdict is Verdict.SUSPENDED
    reg.set_document_state(actors.admin, bytes(second.root), bytes(second.leaf()),
                           list(map(bytes, second.merkle_proof)), State.ACTIVE)  # fmt: skip
    assert verifier.verify_pdf(issued.notarised[1].read_bytes()).verdict is Verdict.VALID
    reg.set_batch_state(actors.issuer, bytes(first.root), State.SUSPENDED, StatusReason.ISSUED_IN_ERROR)
    assert verifier.verify_pdf(issued.notarised[2].read_bytes()).verdict is Verdict.SUSPENDED

    expiring = issue_samples(
        reg, actors.issuer, tmp_path / "exp", count=1, seed=9,
        defaults=ClaimDefaults(doc_type="gewerbeauskunft", title="Gewerbeauskunft", holder="Bäckerei Fuß",
                               issue_date="2026-01-02", valid_until="2026-06-30"),
    )  # fmt: skip
    pdf = expiring.notarised[0].read_bytes()
    on = dt.datetime(2026, 6, 30, 21, 59, tzinfo=dt.UTC)  # 23:59 in Germany: still valid that day
    assert verifier_for(reg, now=on).verify_pdf(pdf).verdict is Verdict.VALID
    later = verifier_for(reg, now=dt.datetime(2026, 7, 1, 6, 0, tzinfo=dt.UTC)).verify_pdf(pdf)
    assert later.verdict is Verdict.EXPIRED and later.verdict.exit_code == 3


def test_garbage_is_a_clear_invalid(issued: Issued) -> None:
    verifier = verifier_for(issued.registry)
    pdf = issued.notarised[0].read_bytes()
    for data, reason in (
        (b"just some text, not a PDF", Reason.UNREADABLE_PDF),
        (pdf[: len(pdf) // 3], None),
        (issued.originals[0].read_bytes(), Reason.NO_PROOF),
    ):
        result = verifier.verify_pdf(data)
        assert result.verdict is Verdict.NOT_CHECKABLE  # nothing there speaks against a document
        if reason is not None:
            assert result.check("format").reason is reason
    blank = io.BytesIO()
    render_page(issued.originals[0].read_bytes(), 72).save(blank, format="PNG")
    assert qr_texts(blank.getvalue()) == []
    assert verifier.verify_image(blank.getvalue()).check("format").reason is Reason.NO_QR_CODE
    assert verifier.verify_image(b"\x89PNG\r\n\x1a\nbroken").check("format").reason is Reason.IMAGE_UNREADABLE
    assert verifier.verify_payload("HELLO WORLD").check("format").reason is Reason.NOT_A_NOTARY_QR


def test_unreachable_chain_is_error_never_invalid(issued: Issued) -> None:
    proof = issued.proof(0)
    from verifier.trust import TrustedEntry, TrustList

    trust = TrustList([TrustedEntry("Offline", proof.chain_id, proof.registry, "http://127.0.0.1:1", True)])
    result = Verifier(trust).verify_pdf(issued.notarised[0].read_bytes())
    assert result.verdict is Verdict.NOT_CHECKABLE and result.verdict.exit_code == 4
    assert result.check("anchor").reason is Reason.CHAIN_UNREACHABLE
    # a forgery stays decidable even when the chain is down
    forged = overlay_text(issued.notarised[0].read_bytes(), "1,0")
    assert Verifier(trust).verify_pdf(forged).verdict is Verdict.INVALID


def test_claims_are_bound_to_the_leaf(issued: Issued) -> None:
    proof = issued.proof(0)
    other = Claims.create(doc_type="zeugnis", title="Abschlusszeugnis der Realschule", holder="Lena Mueller",
                          issued_on=proof.claims.issued_on)  # fmt: skip
    assert not dataclasses.replace(proof, claims=other).root_matches()


def test_stamp_position_and_size_are_configurable_and_verify(actors: Actors, tmp_path: Path) -> None:
    verifier = verifier_for(actors.registry)
    for i, (corner, size) in enumerate((("top-left", 50.0), ("bottom-left", 30.0), ("top-right", 45.0))):
        issued = issue_samples(actors.registry, actors.issuer, tmp_path / corner, count=1, seed=40 + i,
                               qr_corner=corner, qr_size_mm=size)  # fmt: skip
        pdf = issued.notarised[0].read_bytes()
        full = issued.proof(0)
        assert full.stamp is not None and abs(full.stamp.size - size * 72 / 25.4) < 1
        assert (full.stamp.y > 400) == corner.startswith("top") and (full.stamp.x < 100) == corner.endswith("left")
        assert verifier.verify_pdf(pdf).verdict is Verdict.VALID
        image = io.BytesIO()
        render_page(pdf, 150).save(image, format="PNG")
        assert verifier.verify_image(image.getvalue()).verdict is Verdict.VALID
        # the placement is bound: the same proof cannot be stamped anywhere else
        with pytest.raises(NotaryError, match="does not commit"):
            notarise(issued.originals[0].read_bytes(), full, Placement("Digital geprüft", "bottom-right", 40.0))
    with pytest.raises(NotaryError, match="between 30 and 120"):
        Placement("x", "top-left", 20.0)
    with pytest.raises(NotaryError, match="unknown stamp corner"):
        Placement("x", "middle", 40.0)
