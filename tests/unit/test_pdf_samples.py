"""Sample certificates: realistic size, deterministic, varied."""

from __future__ import annotations

import io
import itertools

from pypdf import PdfReader

from notary.pdf.samples import SAMPLE_PUPILS, make_certificate, make_certificates, sample_certificates


def test_size_determinism_and_text() -> None:
    for pupil in SAMPLE_PUPILS:
        pdf = make_certificate(pupil)
        assert 30_000 <= len(pdf) <= 60_000
        assert pdf == make_certificate(pupil)
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        text = reader.pages[0].extract_text()
        assert "Abschlusszeugnis der Realschule" in text and pupil.family_name in text


def test_generator_varies_and_is_seeded() -> None:
    first = list(itertools.islice(make_certificates(5, seed=1), 5))
    assert len(set(first)) == 5
    assert first == list(make_certificates(5, seed=1))
    names = {c.pupil.family_name for c in sample_certificates(50)}
    assert any(ch in "".join(names) for ch in "äöüß")
