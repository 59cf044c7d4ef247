"""A `false` in what the notarisation update copies from the original (catalog, page 1) stays `false`.

pypdf's BooleanObject is always truthy, so a conversion through bool() once wrote `true` for every `false`:
the stamp changed the document's meaning and disagreed with the spec's value serialisation (S§4)."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from tests.unit.test_pdf_stamp import assert_stamp_ok, build_pdf, stream


def _original() -> bytes:
    return build_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R /MarkInfo << /Marked false /Suspects true >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R "
           b"/NotaryTestFlags [false true false] >>",
        4: stream(b"0 0 1 rg 72 720 100 20 re f"),
    })  # fmt: skip


def test_false_is_copied_as_false(tmp_path: Path) -> None:
    """assert_stamp_ok also regenerates the update through the verifier's check."""
    out = assert_stamp_ok(_original(), tmp_path)
    update = out[len(_original()) :]
    assert b"[false true false]" in update
    reader = PdfReader(io.BytesIO(out))
    assert list(reader.pages[0]["/NotaryTestFlags"]) == [False, True, False]
    marked = reader.trailer["/Root"]["/MarkInfo"]
    assert marked["/Marked"].value is False and marked["/Suspects"].value is True
