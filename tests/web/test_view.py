"""Units of the result view: human dates, the page-1 preview, registry names per language, the fallback
decision for results without one, and the paper headline."""

from __future__ import annotations

from verifier.result import Verdict, VerificationResult
from verifier.trust import TrustedEntry
from verifier.web.view import format_date, format_time, preview_uri, registry_display_name, result_view


def test_dates_read_as_people_write_them() -> None:
    assert format_date("2026-03-14", "de") == "14. März 2026"
    assert format_date("2026-03-14", "en") == "14 March 2026"
    assert format_date("not a date", "de") == "not a date"
    assert format_time(1773482400, "de") == "14. März 2026, 11:00 Uhr (CET)"
    assert format_time(True, "de") is None and format_time(-1, "en") is None


def test_only_a_png_becomes_a_preview() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"rest"
    assert preview_uri(png).startswith("data:image/png;base64,iVBORw0KGg")
    assert preview_uri(b"<svg onload=alert(1)>") == "" and preview_uri(None) == "" and preview_uri("x") == ""


def test_registry_name_per_language() -> None:
    entry = TrustedEntry("Schulregister", 1, "0x" + "ab" * 20, "memory", True)
    names = {"Schulregister": {"de": "Schulregister BW", "en": "School registry BW"}}
    assert registry_display_name("Schulregister", "en", [entry], names) == "School registry BW"
    assert registry_display_name("Schulregister", "de", [entry], {}) == "Schulregister"
    assert registry_display_name(None, "de", [entry], names) == ""


def test_paper_headline_and_unconfirmed_results() -> None:
    claims = {"doc_type": "zeugnis", "title": "Abschlusszeugnis", "holder": "Lena Müller", "issued_on": "2025-07-15"}
    paper = result_view(VerificationResult(Verdict.VALID, (), claims=claims, source="photo"), "de")
    assert paper.label == "Angaben bestätigt – bitte mit dem Papier vergleichen" and paper.qr
    assert ("Ausgestellt am", "15. Juli 2025") in paper.claims and "Noten" in paper.not_covered
    whole = result_view(VerificationResult(Verdict.VALID, (), claims=claims, source="pdf"), "en")
    assert whole.label == "Valid" and not whole.qr and whole.not_covered == ""
    unchecked = result_view(VerificationResult(Verdict.NOT_CHECKABLE, (), claims=claims, source="photo"), "de")
    assert unchecked.label == "Nicht prüfbar" and unchecked.claims == [] and unchecked.advice
    assert "ungültig" not in (unchecked.label + unchecked.summary).lower()
