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
    _symbol_grid,
    alphanumeric_capacity,
    choose_qr_params,
    data_codewords,
    mask_penalty,
    penalty_scores,
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


# --- Mask choice: the ISO/IEC 18004 penalty evaluation -------------------------------------------------------


def _reference_penalty(matrix: Matrix) -> tuple[int, int, int, int]:
    """ISO/IEC 18004:2015 7.8.3.1, written plainly module by module (the area outside the symbol is light)."""
    n = len(matrix)
    lines = [list(row) for row in matrix] + [[matrix[r][c] for r in range(n)] for c in range(n)]
    n1 = n3 = 0
    finder = [True, False, True, True, True, False, True]
    for line in lines:
        run = 1
        for i in range(1, n + 1):
            if i < n and line[i] == line[i - 1]:
                run += 1
            else:
                n1 += run - 2 if run >= 5 else 0
                run = 1
        for i in range(n - 6):
            if line[i : i + 7] == finder:
                light_before = not any(line[max(i - 4, 0) : i])
                light_after = not any(line[i + 7 : i + 11])
                n3 += 40 if light_before or light_after else 0
    n2 = sum(
        3
        for r in range(n - 1)
        for c in range(n - 1)
        if matrix[r][c] == matrix[r][c + 1] == matrix[r + 1][c] == matrix[r + 1][c + 1]
    )
    dark = sum(sum(row) for row in matrix)
    n4 = 10 * (abs(20 * dark - 10 * n * n) // (n * n))
    return n1, n2, n3, n4


def _random_symbols(seed: int, count: int) -> list[tuple[str, int, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        version = rng.randint(1, 22)
        ecl = rng.choice("LMQH")
        length = rng.randint(1, alphanumeric_capacity(version, ecl))
        out.append(("".join(rng.choice(ALPHANUMERIC_CHARSET) for _ in range(length)), version, ecl))
    return out


def test_penalty_scores_match_a_plain_implementation() -> None:
    for text, version, ecl in _random_symbols(11, 40):
        for mask in range(8):
            matrix = qr_matrix(text, version, ecl, mask)
            expected = _reference_penalty(matrix)
            assert penalty_scores(_symbol_grid(text, version, ecl, mask), version) == expected
            assert mask_penalty(text, version, ecl, mask) == sum(expected)


def test_penalty_scores_n1_n2_n4_match_segno() -> None:
    """segno's evaluation differs from the standard's wording only in N3 (it skips overlapping patterns)."""
    segno_encoder = pytest.importorskip("segno.encoder", reason="segno (dev cross-check) not installed")
    for text, version, ecl in _random_symbols(12, 30):
        mask = random.Random(text).randint(0, 7)
        matrix = qr_matrix(text, version, ecl, mask)
        n = len(matrix)
        theirs = segno_encoder.mask_scores([bytearray(row) for row in matrix], n, n)
        ours = penalty_scores(_symbol_grid(text, version, ecl, mask), version)
        assert (ours[0], ours[1], ours[3]) == (theirs[0], theirs[1], theirs[3])


def test_chosen_mask_has_the_lowest_penalty_and_decodes() -> None:
    rng = random.Random(13)
    for length in (5, 120, 400, 727, 896):
        text = "NT1:" + "".join(rng.choice(ALPHANUMERIC_CHARSET) for _ in range(length))
        version, mask = choose_qr_params(text, "M")
        assert version == smallest_version(text, "M")
        penalties = [sum(_reference_penalty(qr_matrix(text, version, "M", m))) for m in range(8)]
        assert penalties[mask] == min(penalties)
        assert mask == penalties.index(min(penalties))  # the lowest mask number among equals
        assert [r.text for r in zxingcpp.read_barcodes(_image(qr_matrix(text, version, "M", mask)))] == [text]


def test_chosen_mask_agrees_with_zint() -> None:
    """zint (behind zxing-cpp's encoder) applies the same rules; on letter-only texts it encodes exactly our
    data, so it must pick the same mask (up to ties, which it may break differently)."""
    rng = random.Random(14)
    for _ in range(20):
        text = "".join(rng.choice(LETTERS) for _ in range(rng.randint(1, 300)))
        version, mask = choose_qr_params(text, "M")
        barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ecLevel="M", version=version)
        view = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))
        n = view.shape[0]
        data = bytes(view)
        theirs = tuple(tuple(data[r * n + c] == 0 for c in range(n)) for r in range(n))
        their_mask = next(m for m in range(8) if qr_matrix(text, version, "M", m) == theirs)
        assert mask_penalty(text, version, "M", mask) == mask_penalty(text, version, "M", their_mask)


def test_matrix_cache_does_not_leak_between_parameters() -> None:
    text = "NT1:CACHE"
    first = qr_matrix(text, 2, "M", 0)
    assert qr_matrix(text, 2, "Q", 0) != first
    assert qr_matrix(text, 3, "M", 0) != first
    assert qr_matrix(text + "X", 2, "M", 0) != first
    assert qr_matrix(text, 2, "M", 0) == first
