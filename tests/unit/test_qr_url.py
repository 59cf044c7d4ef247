"""Stamp version 2: the verifier URL in the stamp's QR (docs/stamp-format.md S§7, docs/proof-format.md §8, §9)."""

from __future__ import annotations

import random

import pytest
import zxingcpp
from PIL import Image

from notary.config import Settings
from notary.core.layout import MAX_QR_URL, STAMP_VERSION, URL_STAMP_VERSION, StampLayout, check_qr_url, qr_url_for
from notary.errors import ConfigError, FormatError, PdfError
from notary.pdf import default_layout
from notary.pdf.default_layout import stamp_placement_digest
from notary.pdf.qr_symbol import (
    ALPHANUMERIC_CHARSET,
    Matrix,
    _bits_needed,
    choose_qr_params,
    data_codewords,
    qr_matrix,
    segments,
    smallest_version,
)

URLS = ("https://verify.example/#", "http://127.0.0.1:8000/#", "https://pruefen.stadt-musterstadt.de/zeugnis/#")


def _payload(rng: random.Random, length: int) -> str:
    return "NT1:" + "".join(rng.choice(ALPHANUMERIC_CHARSET) for _ in range(length))


def _segno_matrix(url: str, payload: str, version: int, mask: int) -> Matrix:
    segno = pytest.importorskip("segno", reason="segno (dev cross-check) not installed")
    from segno import consts

    code = segno.make(
        [(url, consts.MODE_BYTE), (payload, consts.MODE_ALPHANUMERIC)],
        version=version, error="m", mask=mask, boost_error=False, micro=False,
    )  # fmt: skip
    return tuple(tuple(bool(x) for x in row) for row in code.matrix)


def _segno_deviates(url: str, payload: str, version: int) -> bool:
    """segno issue #148: a whole zero codeword too many when the bits are byte aligned after the terminator."""
    bits = _bits_needed(url.encode(), payload, version)
    capacity = data_codewords(version, "M") * 8
    bits += min(4, capacity - bits)
    return bits % 8 == 0 and bits < capacity


def test_url_then_payload_matches_segno_with_a_byte_and_an_alphanumeric_segment() -> None:
    rng = random.Random(18004)
    compared = 0
    for _ in range(80):
        url, payload = rng.choice(URLS), _payload(rng, rng.randint(1, 1100))
        version, mask = choose_qr_params(url + payload)
        if _segno_deviates(url, payload, version):
            continue
        assert qr_matrix(url + payload, version, "M", mask) == _segno_matrix(url, payload, version, mask)
        compared += 1
    assert compared > 60


def test_url_symbol_decodes_to_the_exact_text() -> None:
    rng = random.Random(2)
    for url in URLS:
        text = url + _payload(rng, 900)
        version, mask = choose_qr_params(text)
        matrix = qr_matrix(text, version, "M", mask)
        n = len(matrix)
        image = Image.new("L", (n + 8, n + 8), 255)
        image.putdata([0 if 4 <= r < n + 4 and 4 <= c < n + 4 and matrix[r - 4][c - 4] else 255
                       for r in range(n + 8) for c in range(n + 8)])  # fmt: skip
        image = image.resize(((n + 8) * 3, (n + 8) * 3), Image.Resampling.NEAREST)
        assert [b.text for b in zxingcpp.read_barcodes(image)] == [text]


def test_segments_split_after_the_last_hash() -> None:
    assert segments("NT1:ABC") == (b"", "NT1:ABC")
    assert segments("https://v.example/#NT1:ABC") == (b"https://v.example/#", "NT1:ABC")
    # a byte segment costs 4 + 16 + 8 bits per character (from version 10): a 64-character URL is 532 bits, as
    # much as 97 payload characters, so a full version-19 payload needs version 21 with it
    rng = random.Random(3)
    payload = _payload(rng, 903)
    assert smallest_version(payload) == 19
    assert smallest_version("https://" + "v" * (MAX_QR_URL - 10) + "/#" + payload) == 21
    assert smallest_version("https://verify.example/#" + payload) == 20


@pytest.mark.parametrize(
    "text", ["https://v.example/#", "https://vé.example/#NT1:AB", "https://v example/#NT1:AB", "https://v/#nt1:ab"]
)
def test_refused_texts(text: str) -> None:
    with pytest.raises(PdfError):
        choose_qr_params(text)


def test_layout_version_2_binds_the_url_and_version_1_is_unchanged() -> None:
    rng = random.Random(4)
    payload = _payload(rng, 600)
    plain = default_layout(595, 842, payload, "Digital geprüft")
    assert plain.stamp_version == STAMP_VERSION and "qr_url" not in plain.to_json_dict()
    with_url = default_layout(595, 842, URLS[0] + payload, "Digital geprüft", qr_url=URLS[0])
    assert with_url.stamp_version == URL_STAMP_VERSION and with_url.to_json_dict()["qr_url"] == URLS[0]
    assert StampLayout.from_json_dict(with_url.to_json_dict()) == with_url
    digests = {
        plain.placement_digest(),
        with_url.placement_digest(),
        default_layout(595, 842, URLS[2] + payload, "Digital geprüft", qr_url=URLS[2]).placement_digest(),
    }
    assert len(digests) == 3
    assert stamp_placement_digest(595, 842, "Digital geprüft", qr_url=URLS[0]) == with_url.placement_digest()
    assert stamp_placement_digest(595, 842, "Digital geprüft") == plain.placement_digest()
    with pytest.raises(PdfError, match="must start with"):
        default_layout(595, 842, payload, "Digital geprüft", qr_url=URLS[0])


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://verify.example/#", True),
        ("https://verify.example#", True),
        ("https://verify.example:8443/pruefen/#", True),
        ("http://localhost:8000/#", True),
        ("http://127.0.0.1:8000/#", True),
        ("http://verify.example/#", False),
        ("https://Verify.example/#", False),
        ("https://verify.example/", False),
        ("https://verify.example/##", False),
        ("https://verify.example/?a=1#", False),
        ("https://user@verify.example/#", False),
        ("ftp://verify.example/#", False),
        ("https://verify.example/" + "p" * (MAX_QR_URL - 24) + "#", True),
        ("https://verify.example/" + "p" * (MAX_QR_URL - 23) + "#", False),
    ],
)
def test_check_qr_url(url: str, ok: bool) -> None:
    if ok:
        assert check_qr_url(url) == url
    else:
        with pytest.raises(FormatError):
            check_qr_url(url)


def test_qr_url_from_the_settings() -> None:
    assert qr_url_for("HTTPS://Pruefen.Example.de/App/") == "https://pruefen.example.de/App/#"
    assert Settings().stamp_qr_url() == "http://127.0.0.1:8000/#"  # the demo's local verifier
    assert Settings(verifier_url="https://pruefen.example.de").stamp_qr_url() == "https://pruefen.example.de/#"
    assert Settings(qr_url="https://q.example/p#").stamp_qr_url() == "https://q.example/p#"
    assert Settings(qr_url="").stamp_qr_url() == ""
    # refused only when issuing: `notary verify` reads the same file and must not fail over it
    remote_http = Settings(verifier_url="http://pruefen.example.de")
    with pytest.raises(ConfigError, match=r'https.*qr_url = ""'):
        remote_http.stamp_qr_url()
    with pytest.raises(ConfigError, match="qr_url"):
        Settings(qr_url="https://q.example/").stamp_qr_url()
