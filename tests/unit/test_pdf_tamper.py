"""Guarantee 1: anything but the exact notarisation update after the original is detected."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText

from notary.errors import PdfError
from notary.pdf import UpdateVerdict, check_notarisation_update, default_layout, page_size, stamp_pdf
from notary.pdf.samples import SAMPLE_PUPILS, make_certificate

QR = "NT1:" + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:" * 20
PROOF = json.dumps({"v": 1, "doc": "a"}).encode()


@pytest.fixture(scope="module")
def stamped() -> tuple[bytes, bytes, object]:
    original = make_certificate(SAMPLE_PUPILS[1])
    layout = default_layout(*page_size(original), QR, "Digital geprüft: https://verify.example.de")
    return original, stamp_pdf(original, proof_json=PROOF, qr_text=QR, layout=layout), layout


def test_genuine(stamped: tuple) -> None:
    original, out, layout = stamped
    result = check_notarisation_update(out, len(original), PROOF, QR, layout)
    assert result.ok and result.verdict is UpdateVerdict.EXACT


def test_extra_incremental_update_overlaying_text(stamped: tuple) -> None:
    original, out, layout = stamped
    writer = PdfWriter(io.BytesIO(out), incremental=True)
    writer.add_annotation(0, FreeText(text="Mathematik: sehr gut (1)", rect=(300, 500, 500, 520)))
    buf = io.BytesIO()
    writer.write(buf)
    forged = buf.getvalue()
    assert forged.startswith(out)
    result = check_notarisation_update(forged, len(original), PROOF, QR, layout)
    assert result.verdict is UpdateVerdict.EXTRA_BYTES and not result.ok


def test_trailing_garbage_and_truncation(stamped: tuple) -> None:
    original, out, layout = stamped
    assert check_notarisation_update(out + b"\n", len(original), PROOF, QR, layout).verdict is (
        UpdateVerdict.EXTRA_BYTES
    )
    assert check_notarisation_update(out[:-10], len(original), PROOF, QR, layout).verdict is (UpdateVerdict.TRUNCATED)
    for bad_length in (0, -1, len(out), len(out) + 5):
        assert check_notarisation_update(out, bad_length, PROOF, QR, layout).verdict is (
            UpdateVerdict.LENGTH_OUT_OF_RANGE
        )


def test_stamp_with_other_qr_or_proof_or_layout(stamped: tuple) -> None:
    original, _, layout = stamped
    other_qr = QR.replace("NT1:0", "NT1:1", 1)
    forged = stamp_pdf(original, proof_json=PROOF, qr_text=other_qr, layout=layout)
    assert check_notarisation_update(forged, len(original), PROOF, QR, layout).verdict is (UpdateVerdict.BYTES_DIFFER)
    other_proof = json.dumps({"v": 1, "doc": "b"}).encode()
    forged = stamp_pdf(original, proof_json=other_proof, qr_text=QR, layout=layout)
    assert check_notarisation_update(forged, len(original), PROOF, QR, layout).verdict is (UpdateVerdict.BYTES_DIFFER)
    moved = dataclasses.replace(layout, x=layout.x - 1)
    forged = stamp_pdf(original, proof_json=PROOF, qr_text=QR, layout=moved)
    assert not check_notarisation_update(forged, len(original), PROOF, QR, layout).ok


def test_single_byte_flip_in_update(stamped: tuple) -> None:
    original, out, layout = stamped
    for pos in (len(original) + 5, len(out) // 2 + len(original) // 2, len(out) - 3):
        forged = bytearray(out)
        forged[pos] ^= 0x01
        result = check_notarisation_update(bytes(forged), len(original), PROOF, QR, layout)
        assert result.verdict is UpdateVerdict.BYTES_DIFFER and str(pos) in result.detail


def test_full_rewrite(stamped: tuple) -> None:
    original, out, layout = stamped
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out)))
    buf = io.BytesIO()
    writer.write(buf)
    rewritten = buf.getvalue()
    try:
        result = check_notarisation_update(rewritten, len(original), PROOF, QR, layout)
    except PdfError:
        return  # the prefix is no longer a readable PDF: undecidable, and its hash fails anyway
    assert not result.ok
