"""The verdict model (issue 11): NOT_CHECKABLE is "could not check", INVALID needs evidence; the exit codes; the
deciding reason and advice; scope and input; the JSON every renderer and the OpenAPI schema share; a preview
carried through the worker's JSON reply. No chain: results are built from checks."""

from __future__ import annotations

import re

import pytest

from verifier.checks import invalid, ok, result, skipped
from verifier.decision import deciding_check
from verifier.isolation import MAX_PREVIEW_BYTES, decode_prepared, encode_prepared
from verifier.messages import ADVICE, STATUS_WORDS, VERDICT_HEADLINES, format_iso_date, format_timestamp, texts
from verifier.pipeline import ORDER, Prepared, format_failure, verdict
from verifier.result import NOT_CHECKABLE_REASONS, CheckResult, Reason, Status, Verdict, VerificationResult
from verifier.web.schemas import VerificationOut

ANCHOR = {"chain_id": 31337, "registry": "0x" + "ab" * 20, "root": "0x" + "00" * 32}
CLAIMS = {"doc_type": "zeugnis", "title": "Abschlusszeugnis", "holder": "Lena Müller", "issued_on": "2025-07-15"}


def _all_ok(**replaced: CheckResult) -> tuple[CheckResult, ...]:
    return tuple(replaced.get(name.replace("-", "_"), ok(name)) for name in ORDER)


def _result(checks: tuple[CheckResult, ...], source: str = "pdf") -> VerificationResult:
    return VerificationResult(verdict(checks), checks, anchor=ANCHOR, claims=CLAIMS, source=source)


def test_exit_codes_are_one_table() -> None:
    assert {v: v.exit_code for v in Verdict} == {
        Verdict.VALID: 0,
        Verdict.INVALID: 1,
        Verdict.REVOKED: 3,
        Verdict.SUSPENDED: 3,
        Verdict.EXPIRED: 3,
        Verdict.NOT_CHECKABLE: 4,
    }
    assert "ERROR" not in {v.value for v in Verdict}


@pytest.mark.parametrize("reason", sorted(NOT_CHECKABLE_REASONS))
def test_could_not_check_is_never_invalid(reason: Reason) -> None:
    failed = format_failure("pdf", reason, "technical detail")
    assert failed.verdict is Verdict.NOT_CHECKABLE and failed.check("format").status is Status.ERROR
    assert failed.scope is None and failed.decision.reason is reason
    assert "technical detail" not in failed.decision.message_en  # details stay in the check


@pytest.mark.parametrize(
    "reason", [Reason.MALFORMED_PROOF, Reason.UNKNOWN_FIELD, Reason.NON_CANONICAL, Reason.DISALLOWED_TEXT]
)
def test_a_broken_proof_is_invalid(reason: Reason) -> None:
    failed = format_failure("qr", reason)
    assert failed.verdict is Verdict.INVALID and failed.decision.reason is reason
    assert failed.decision.advice_de  # ask the issuer


def test_a_plain_pdf_is_not_checkable_with_advice_about_paper() -> None:
    plain = format_failure("pdf", Reason.NO_PROOF)
    assert plain.verdict is Verdict.NOT_CHECKABLE
    assert plain.decision.message_de.startswith("In der Datei wurde kein digitaler Echtheitsnachweis gefunden")
    assert plain.decision.advice_de == ADVICE[Reason.NO_PROOF][0]


def test_the_deciding_reason_is_the_first_evidence_not_a_passed_check() -> None:
    tampered = _result(
        _all_ok(
            notarisation_update=invalid("notarisation-update", Reason.EXTRA_CONTENT),
            anchor=invalid("anchor", Reason.NOT_ANCHORED),
        )
    )
    assert tampered.verdict is Verdict.INVALID
    check = deciding_check(tampered)
    assert check is not None and check.name == "notarisation-update"
    assert tampered.decision.reason is Reason.EXTRA_CONTENT
    assert tampered.decision.message_en == texts("notarisation-update", Reason.EXTRA_CONTENT)[1]


def test_invalid_beats_not_checkable_and_chain_down_is_not_checkable() -> None:
    down = {n: result(n, Status.ERROR, Reason.CHAIN_UNREACHABLE, "(x)", "(x)") for n in ("anchor", "issuer")}
    both = _result(_all_ok(integrity=invalid("integrity", Reason.HASH_MISMATCH), **down))
    assert both.verdict is Verdict.INVALID and both.decision.reason is Reason.HASH_MISMATCH
    only_down = _result(_all_ok(**down))
    assert only_down.verdict is Verdict.NOT_CHECKABLE and only_down.decision.reason is Reason.CHAIN_UNREACHABLE
    assert "später" in (only_down.decision.advice_de or "")


def test_revoked_and_expired_decide_with_their_own_words() -> None:
    revoked = _result(_all_ok(status=invalid("status", Reason.REVOKED, "Grund: Betrug.", "Reason: fraud.")))
    assert revoked.verdict is Verdict.REVOKED and revoked.decision.message_de.endswith("Grund: Betrug.")
    expired = _result(_all_ok(expiry=invalid("expiry", Reason.EXPIRED, "(gültig bis 01.01.2020)", "(x)")))
    assert expired.verdict is Verdict.EXPIRED and expired.decision.reason is Reason.EXPIRED


def test_scope_and_input_by_source() -> None:
    genuine = _result(_all_ok())
    assert genuine.verdict is Verdict.VALID and genuine.scope == "document" and genuine.kind == "pdf"
    assert genuine.decision.reason is Reason.OK and genuine.decision.advice_de is None
    for source, kind in (("qr", "qr-text"), ("photo", "image"), ("scan", "pdf")):
        paper = _result(_all_ok(integrity=skipped("integrity")), source=source)
        assert paper.scope == "claims" and paper.kind == kind
        assert "Papiers" in (paper.decision.advice_de or "")  # what the QR does not cover


def test_json_has_the_agreed_keys_and_validates_against_the_openapi_model() -> None:
    named = VerificationResult(
        Verdict.VALID, _all_ok(), anchor=ANCHOR, claims=CLAIMS, input_name="zeugnis.pdf", preview_png=b"png"
    )
    body = named.to_json("de")
    assert {"verdict", "decision", "scope", "input", "checks", "issuer", "anchor", "claims", "source",
            "registry_name", "production_chain"} <= set(body)  # fmt: skip
    assert body["input"] == {"name": "zeugnis.pdf", "kind": "pdf"} and "preview_png" not in body
    assert set(body["decision"]) == {"reason", "message_de", "message_en", "advice_de", "advice_en"}
    VerificationOut.model_validate(body)
    VerificationOut.model_validate(format_failure("photo", Reason.IMAGE_BLURRED).to_json())
    schema = VerificationOut.model_json_schema()
    assert "NOT_CHECKABLE" in str(schema["properties"]["verdict"]) and "ERROR" not in str(
        schema["properties"]["verdict"]
    )


def test_german_words_have_no_english_codes() -> None:
    for word_de, _ in (*VERDICT_HEADLINES.values(), *STATUS_WORDS.values()):
        assert not re.search(r"VALID|INVALID|SKIPPED|ERROR", word_de)
    assert texts("expiry", Reason.NOT_APPLICABLE)[0] == "Entfällt: Das Dokument hat kein Ablaufdatum."


def test_dates_in_words_in_german_time() -> None:
    assert format_iso_date("2026-11-30", "de") == "30. November 2026"
    assert format_iso_date("2026-11-30", "en") == "30 November 2026"
    assert format_iso_date("not a date", "de") == "not a date"
    winter = 1796043900  # 2026-11-30 13:05 UTC = 14:05 in Berlin
    assert format_timestamp(winter, "de") == "30. November 2026, 14:05 Uhr"
    assert format_timestamp(winter, "en") == "30 November 2026, 14:05"


def test_preview_travels_through_the_worker_reply_bounded() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"x" * 100
    failed = Prepared("pdf", failure=format_failure("pdf", Reason.NO_PROOF), preview_png=png)
    assert decode_prepared(encode_prepared(failed)).preview_png == png
    too_big = Prepared("pdf", failure=failed.failure, preview_png=png + b"x" * MAX_PREVIEW_BYTES)
    assert decode_prepared(encode_prepared(too_big)).preview_png is None
    forged = encode_prepared(failed) | {"preview": "bm90IGEgcG5n"}  # base64 of "not a png"
    with pytest.raises(ValueError):
        decode_prepared(forged)
