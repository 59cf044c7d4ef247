"""A notarised PDF whose embedded proof a later change removed is not a scan of paper.

Without this rule the verifier fell back to the QR search, found the genuine QR still drawn on the page and
answered "details confirmed" for a file that was notarised and then changed (found by the seal review)."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from tests.conftest import Actors
from tests.issuing import issue_samples, verifier_for
from verifier.result import Reason, Verdict


def _drop_proof(pdf: bytes, *, new_text: bytes | None = None) -> bytes:
    """One more incremental update, as any PDF editor appends it: the catalog without /Names (the proof)."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    del writer._root_object[NameObject("/Names")]
    if new_text is not None:
        page = writer.pages[0]
        page.merge_page(PdfReader(io.BytesIO(_page_with(new_text))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page_with(text: bytes) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=(595.28, 841.89))
    sheet.drawString(100, 500, text.decode())
    sheet.save()
    return buffer.getvalue()


def test_a_notarised_pdf_whose_proof_was_removed_is_invalid(tmp_path: Path) -> None:
    actors = Actors("memory")
    issued = issue_samples(actors.registry, actors.issuer, tmp_path, count=1)
    genuine = issued.notarised[0].read_bytes()
    verifier = verifier_for(actors.registry)
    assert verifier.verify_pdf(genuine).verdict is Verdict.VALID
    for changed in (_drop_proof(genuine), _drop_proof(genuine, new_text=b"Note: 1,0")):
        assert PdfReader(io.BytesIO(changed)).attachments == {}
        result = verifier.verify_pdf(changed)
        assert result.verdict is Verdict.INVALID, result.to_json()
        assert result.check("format").reason is Reason.EXTRA_CONTENT
        assert result.scope != "claims" and result.source == "pdf"
