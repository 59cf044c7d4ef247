"""How `notary verify` words a paper verdict (issue 11 review): the claims of a QR code are confirmed, not the
paper, so the headline says so; one compare heading; document kinds and proof sources in words."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from cli.verdict_text import verdict_lines
from verifier.checks import result, skipped
from verifier.pipeline import ORDER
from verifier.result import Reason, Status, Verdict, VerificationResult

CLAIMS = {"doc_type": "zeugnis", "holder": "Lena Müller", "facts": [["Mathematik", "2"]]}


def _paper(source: str = "scan") -> VerificationResult:
    checks = tuple(result(name, Status.VALID, Reason.OK) for name in ORDER)
    anchor = {"timestamp": 1_700_000_000, "chain_id": 1}
    return VerificationResult(Verdict.VALID, checks, anchor=anchor, claims=CLAIMS, source=source)


def _text(res: VerificationResult, lang: str, details: bool = False) -> list[str]:
    return [text for text, _ in verdict_lines(res, lang, details=details)]


def test_a_paper_verdict_leads_with_details_confirmed_not_valid() -> None:
    for source in ("scan", "photo", "qr"):
        de, en = _text(_paper(source), "de"), _text(_paper(source), "en")
        assert de[0].startswith("Angaben bestätigt – bitte mit dem Papier vergleichen")
        assert en[0].startswith("Details confirmed")
        assert "GÜLTIG" not in de and "VALID" not in en


def test_a_full_pdf_verdict_still_says_valid() -> None:
    assert _text(_paper("pdf"), "de")[0] == "GÜLTIG"


def test_the_compare_heading_appears_once_and_the_document_kind_in_words() -> None:
    lines = _text(_paper(), "de", details=True)
    assert sum("Papier stehen" in line or "Mit dem Papier vergleichen –" in line for line in lines) == 1
    assert any(line.strip() == "Art des Dokuments: Zeugnis" for line in lines), lines
    assert not any("zeugnis" in line for line in lines)
    assert any("Quelle des Nachweises: QR-Code in einem gescannten PDF" in line for line in lines)


def test_chain_unreachable_asks_to_try_later_once() -> None:
    checks = (result("format", Status.VALID, Reason.OK), result("anchor", Status.ERROR, Reason.CHAIN_UNREACHABLE))
    rest = tuple(skipped(name, Reason.NOT_REACHED) for name in ORDER if name not in ("format", "anchor"))
    for source in ("pdf", "scan"):
        res = VerificationResult(Verdict.NOT_CHECKABLE, checks + rest, anchor={"chain_id": 1}, source=source)
        text = "\n".join(_text(res, "de"))
        assert text.count("später") == 1, text


def test_an_empty_file_is_said_to_be_empty(tmp_path: Path) -> None:
    empty = tmp_path / "leer.pdf"
    empty.write_bytes(b"")
    (tmp_path / "notary.toml").write_text(
        '[[trusted]]\nname = "X"\nchain_id = 1\naddress = "0x5FbDB2315678afecb367f032d315d8e9f2ba0aa3"\n'
        'rpc_url = "http://127.0.0.1:1"\n'
    )
    done = CliRunner().invoke(app, ["verify", "--config", str(tmp_path / "notary.toml"), str(empty)])
    assert done.exit_code == 4, done.output
    assert "Die Datei ist leer." in done.output and "weder ein PDF" not in done.output
