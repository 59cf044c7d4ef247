"""The QR encoder against the standard's tables and two independent encoders (segno, zxing-cpp/zint)."""

from __future__ import annotations

import hashlib
import random

import pytest
import zxingcpp
from PIL import Image

from notary.errors import PdfError
from notary.pdf.qr_symbol import (
    _ECC_PER_BLOCK,
    _NUM_BLOCKS,
    ALPHANUMERIC_CHARSET,
    Matrix,
    alphanumeric_capacity,
    choose_qr_params,
    data_codewords,
    qr_matrix,
    smallest_version,
    symbol_size,
)

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _zxing_matrix(text: str, version: int, ecl: str, mask: int) -> Matrix:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ecLevel=ecl, version=version, dataMask=mask)
    view = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))
    n = view.shape[0]
    data = bytes(view)
    return tuple(tuple(data[r * n + c] == 0 for c in range(n)) for r in range(n))


def _segno_matrix(text: str, version: int, ecl: str, mask: int) -> Matrix:
    segno = pytest.importorskip("segno", reason="segno (dev cross-check) not installed")
    code = segno.make_qr(text, version=version, error=ecl, mask=mask, mode="alphanumeric", boost_error=False)
    return tuple(tuple(bool(x) for x in row) for row in code.matrix)


def _image(matrix: Matrix, scale: int = 3) -> Image.Image:
    n = len(matrix)
    quiet = 4
    img = Image.new("L", (n + 2 * quiet, n + 2 * quiet), 255)
    img.putdata([0 if 0 <= r - quiet < n and 0 <= c - quiet < n and matrix[r - quiet][c - quiet] else 255
                 for r in range(n + 2 * quiet) for c in range(n + 2 * quiet)])  # fmt: skip
    return img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)


def _byte_aligned_after_terminator(length: int, version: int, ecl: str) -> bool:
    """segno issue #148: segno adds a whole zero codeword when the bit stream is already byte aligned."""
    count_bits = 9 if version <= 9 else 11 if version <= 26 else 13
    bits = 4 + count_bits + (length // 2) * 11 + (6 if length % 2 else 0)
    bits += min(4, data_codewords(version, ecl) * 8 - bits)
    return bits % 8 == 0 and bits < data_codewords(version, ecl) * 8


def test_tables_match_segno() -> None:
    segno_consts = pytest.importorskip("segno.consts", reason="segno (dev cross-check) not installed")
    levels = {"L": 1, "M": 0, "Q": 3, "H": 2}
    for ecl, code in levels.items():
        for version in range(1, 41):
            blocks = segno_consts.ECC[version][code]
            assert sum(b.num_blocks for b in blocks) == _NUM_BLOCKS[ecl][version]
            assert {b.num_total - b.num_data for b in blocks} == {_ECC_PER_BLOCK[ecl][version]}
            assert sum(b.num_blocks * b.num_data for b in blocks) == data_codewords(version, ecl)


@pytest.mark.parametrize("version", range(1, 41))
def test_matches_segno_every_version(version: int) -> None:
    rng = random.Random(version)
    for ecl in "LMQH":
        cap = alphanumeric_capacity(version, ecl)
        for length in (cap, rng.randint(1, cap)):
            if _byte_aligned_after_terminator(length, version, ecl):
                continue
            text = "".join(rng.choice(ALPHANUMERIC_CHARSET) for _ in range(length))
            mask = rng.randint(0, 7)
            assert qr_matrix(text, version, ecl, mask) == _segno_matrix(text, version, ecl, mask)


def test_matches_zxing_cpp_on_letter_only_texts() -> None:
    """zint optimises segments, so only texts without digit runs are comparable — then it must agree,
    including the byte-aligned case where segno deviates from ISO/IEC 18004."""
    rng = random.Random(7)
    for _ in range(120):
        version, ecl, mask = rng.randint(1, 40), rng.choice("LMQH"), rng.randint(0, 7)
        length = rng.randint(1, alphanumeric_capacity(version, ecl))
        text = "".join(rng.choice(LETTERS) for _ in range(length))
        assert qr_matrix(text, version, ecl, mask) == _zxing_matrix(text, version, ecl, mask)
    aligned = "ABCDEFG"  # 4+9+33+6 = 52 bits, +4 terminator = 56 = 7 bytes: byte aligned
    assert _byte_aligned_after_terminator(len(aligned), 1, "M")
    assert qr_matrix(aligned, 1, "M", 2) == _zxing_matrix(aligned, 1, "M", 2)


def test_payload_decodes_with_zxing() -> None:
    rng = random.Random(3)
    text = "NT1:" + "".join(rng.choice(ALPHANUMERIC_CHARSET) for _ in range(896))
    version, mask = choose_qr_params(text, "M")
    assert version == 19
    matrix = qr_matrix(text, version, "M", mask)
    assert len(matrix) == symbol_size(19) == 93
    results = zxingcpp.read_barcodes(_image(matrix))
    assert [r.text for r in results] == [text]
    assert results[0].ec_level == "M"


@pytest.mark.parametrize("mask", range(8))
def test_every_mask_decodes(mask: int) -> None:
    text = "NT1:HELLO 2060 $%*+-./:"
    assert [r.text for r in zxingcpp.read_barcodes(_image(qr_matrix(text, 3, "Q", mask)))] == [text]


def test_choose_qr_params() -> None:
    assert smallest_version("A" * alphanumeric_capacity(5, "M"), "M") == 5
    assert smallest_version("A" * (alphanumeric_capacity(5, "M") + 1), "M") == 6
    version, mask = choose_qr_params("NT1:ABC", "H")
    assert version == 1 and 0 <= mask <= 7
    assert choose_qr_params("NT1:ABC", "H") == (version, mask)


def test_golden_matrix() -> None:
    """Pins the encoder's output forever (stamp format v1)."""
    matrix = qr_matrix("NT1:GOLDEN VECTOR 0123456789 $%*+-./:", 4, "M", 5)
    bits = "".join("1" if m else "0" for row in matrix for m in row)
    digest = hashlib.sha256(bits.encode()).hexdigest()
    assert digest == GOLDEN_MATRIX_SHA256


GOLDEN_MATRIX_SHA256 = "beed3ce07aff9b1963a1acd1da498d2dac3106e719b9b797e8dc5d0a0b903432"


@pytest.mark.parametrize(
    ("text", "version", "ecl", "mask"),
    [
        ("lowercase", 5, "M", 0),
        ("ÄÖÜ", 5, "M", 0),
        ("A" * 30, 1, "M", 0),
        ("A", 0, "M", 0),
        ("A", 41, "M", 0),
        ("A", 1, "X", 0),
        ("A", 1, "M", 8),
    ],
)
def test_rejects_bad_input(text: str, version: int, ecl: str, mask: int) -> None:
    with pytest.raises(PdfError):
        qr_matrix(text, version, ecl, mask)
