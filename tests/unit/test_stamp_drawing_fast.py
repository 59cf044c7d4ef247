"""The faster rectangle fields and operator text of the stamp give exactly what the committed implementation and
the plain rule give (stamp format v1 is format-critical: docs/stamp-format.md S§6).

``_frozen_rect_fields`` / ``_frozen_rect_operators`` are verbatim copies of the implementation these replaced
(three compactions of the picked bytes; fixed three-digit slots in the operator text), kept here only as the
reference.
"""

from __future__ import annotations

import random
import string
from fractions import Fraction
from typing import Literal

import pytest

from notary.core.layout import StampLayout
from notary.errors import PdfError
from notary.pdf import stamp_drawing
from notary.pdf.qr_symbol import Matrix, Symbol, choose_qr_params, module_bytes, qr_modules, symbol_size
from notary.pdf.stamp_drawing import QUIET_ZONE, _qr_rectangles_plain, qr_rectangles

RNG_SEED = 20261201
ALPHANUMERIC = string.ascii_uppercase + string.digits + " $%*+-./:"
ECLS = ("L", "M", "Q", "H")


def frozen_rect_tables(n: int, stride: int) -> tuple[int, int, int, int, int, int]:
    """``stamp_drawing._rect_tables`` as the frozen copies read it: with the little-endian x table (the x table's
    bytes in the other order), which the implementation no longer needs."""
    ones, cols_big, rows_big, length, row_bits = stamp_drawing._rect_tables(n, stride)
    cols_little = int.from_bytes(cols_big.to_bytes(length, "big"), "little")
    return ones, cols_big, cols_little, rows_big, length, row_bits


# --- frozen copy of the committed implementation (do not edit) ---------------------------------------------
def _frozen_rect_fields(matrix: Matrix | Symbol) -> tuple[bytes, bytes, bytes, bytes] | None:
    if isinstance(matrix, Symbol):
        modules, stride, n = matrix.modules, matrix.stride, matrix.size
        if not 0 < n <= 240:
            return None
    else:
        n = len(matrix)
        if not 0 < n <= 240 or set(map(len, matrix)) != {n}:
            return None
        try:
            modules, stride = module_bytes(matrix)
        except (TypeError, ValueError):
            return None
    ones, cols_big, cols_little, rows_big, length, row_bits = frozen_rect_tables(n, stride)
    raw = modules.translate(stamp_drawing._DARK)

    g = int.from_bytes(raw, "big")
    starts = g & ~(g >> 8)
    differs = g ^ (g >> row_bits)
    seeds = ((differs & g) | (g & ((differs & ~g) << 8))) & ones
    new = (((g + seeds) | differs) >> 8) & starts & ones
    continuing = (starts & ones) ^ new

    g = int.from_bytes(raw, "little")
    light = ~g
    differs = g ^ (g << row_bits)
    seeds = ((differs & g) | (g & ((differs & light) << 8))) & ones
    after = ((g + seeds) | differs) & (g << 8) & light & ones

    heights = going = new
    below = continuing
    while True:
        below <<= row_bits
        going &= below
        if not going:
            break
        heights += going

    def picked(value: int, order: Literal["big", "little"]) -> bytes:
        return value.to_bytes(length, order).translate(None, b"\x00")

    big = 0xFF * new
    pairs = picked((big & cols_big) | (((big & rows_big) - heights) << 8), "big")
    ys, xs = pairs[0::2], pairs[1::2]
    ends = picked((0xFF * after) & cols_little, "little")
    count = len(xs)
    widths = (int.from_bytes(ends, "big") - int.from_bytes(xs, "big")).to_bytes(count, "big")
    return xs, ys, widths, picked(heights, "big")


_SLOT = b"\x00\x00\x00 \x00\x00\x00 \x00\x00\x00 \x00\x00\x00 re\n"
_HUNDREDS = bytes(0x30 + v // 100 if v >= 100 else 0 for v in range(256))
_TENS = bytes(0x30 + v // 10 % 10 if v >= 10 else 0 for v in range(256))
_ONES = bytes(0x30 + v % 10 for v in range(256))


def _frozen_rect_operators(matrix: Matrix | Symbol) -> list[bytes]:
    fields = _frozen_rect_fields(matrix)
    if fields is None:
        if isinstance(matrix, Symbol):
            matrix = matrix.matrix()
        top = len(matrix) + QUIET_ZONE
        return [b"%d %d %d %d re" % (QUIET_ZONE + c, top - r - h, w, h) for c, r, w, h in qr_rectangles(matrix)]
    xs, ys, widths, heights = fields
    count = len(xs)
    if not count:
        return []
    text = bytearray(_SLOT * count)
    for offset, values in ((0, xs), (4, ys), (8, widths), (12, heights)):
        text[offset::19] = values.translate(_HUNDREDS)
        text[offset + 1 :: 19] = values.translate(_TENS)
        text[offset + 2 :: 19] = values.translate(_ONES)
    return [bytes(text[:-1]).translate(None, b"\x00")]


def _frozen_stamp_content(matrix: Matrix | Symbol, layout: StampLayout, font: bytes) -> bytes:
    box = (Fraction(0), Fraction(0), Fraction(595), Fraction(842))
    modules = (matrix.size if isinstance(matrix, Symbol) else len(matrix)) + 2 * QUIET_ZONE
    head, tail = stamp_drawing._make_frame(box, 0, layout, modules, font)
    return b"\n".join([head, *_frozen_rect_operators(matrix), tail])


# --- helpers --------------------------------------------------------------------------------------------------
def _plain_operators(matrix: Matrix) -> bytes:
    top = len(matrix) + QUIET_ZONE
    return b"\n".join(
        b"%d %d %d %d re" % (QUIET_ZONE + c, top - r - h, w, h) for c, r, w, h in _qr_rectangles_plain(matrix)
    )


def _symbols() -> list[Symbol]:
    """Real symbols of every version 1-40, every ECL and all 8 masks (one ECL per version and mask, cycling),
    on random alphanumeric payloads of many lengths, plus the smallest-version symbols choose_qr_params picks."""
    rng = random.Random(RNG_SEED)
    found: list[Symbol] = []
    for version in range(1, 41):
        for mask in range(8):
            ecl = ECLS[(version + mask) % 4]
            # a random length, cut down until it fits this version (so often close to its capacity)
            length = rng.randint(1, 4296)
            while True:
                text = "".join(rng.choice(ALPHANUMERIC) for _ in range(length))
                try:
                    found.append(qr_modules(text, version, ecl, mask))
                    break
                except PdfError:
                    length = max(1, length * 4 // 5)
    for length in (1, 2, 7, 25, 77, 150, 333, 500, 777, 1000, 1500, 2000):
        text = "".join(rng.choice(ALPHANUMERIC) for _ in range(length))
        for ecl in ECLS:
            try:
                version, mask = choose_qr_params(text, ecl)
            except PdfError:  # too long for this level
                continue
            found.append(qr_modules(text, version, ecl, mask))
    return found


SYMBOLS = _symbols()


def _random_matrices() -> list[Matrix]:
    rng = random.Random(RNG_SEED + 1)
    matrices: list[Matrix] = []
    for size in [*range(1, 30), 40, 57, 93, 101, 128, 177, 200, 240]:
        for density in (0.0, 0.1, 0.5, 0.9, 1.0):
            matrices.append(tuple(tuple(rng.random() < density for _ in range(size)) for _ in range(size)))
        # long vertical bars and repeated rows (tall rectangles), runs touching both edges
        row = tuple(rng.random() < 0.5 for _ in range(size))
        matrices.append(tuple(row if rng.random() < 0.8 else tuple(not v for v in row) for _ in range(size)))
    return matrices


MATRICES = _random_matrices()


def test_the_symbols_cover_every_version_ecl_and_mask() -> None:
    sizes = {s.size for s in SYMBOLS}
    assert sizes >= {symbol_size(v) for v in range(1, 41)}
    assert len(SYMBOLS) >= 320


@pytest.mark.parametrize("index", range(len(SYMBOLS)))
def test_real_symbols_match_the_plain_rule_and_the_committed_code(index: int) -> None:
    symbol = SYMBOLS[index]
    matrix = symbol.matrix()
    plain = _qr_rectangles_plain(matrix)
    assert qr_rectangles(matrix) == plain
    fields = stamp_drawing._rect_fields(symbol)
    assert fields is not None
    assert fields == _frozen_rect_fields(symbol)
    assert stamp_drawing._rect_fields(matrix) == fields
    operators = stamp_drawing._rect_operators(symbol)
    assert operators == _frozen_rect_operators(symbol)
    assert all(type(line) is bytes for line in operators)
    assert b"\n".join(operators) == _plain_operators(matrix)


def test_random_matrices_match_the_plain_rule_and_the_committed_code() -> None:
    for matrix in MATRICES:
        plain = _qr_rectangles_plain(matrix)
        assert qr_rectangles(matrix) == plain
        assert stamp_drawing._rect_fields(matrix) == _frozen_rect_fields(matrix)
        operators = stamp_drawing._rect_operators(matrix)
        assert operators == _frozen_rect_operators(matrix)
        assert b"\n".join(operators) == _plain_operators(matrix)


def test_values_of_one_two_and_three_digits() -> None:
    # widths and heights of 1-9, 10-99 and 100+ modules side by side, x and y of one to three digits
    for size in (5, 12, 96, 97, 120, 240):
        rows = [tuple(c < size for c in range(size))]  # one full-width run...
        rows += [tuple(c < size for c in range(size))] * (size // 2)  # ...going down half the symbol
        rows += [tuple(c % 3 == 0 for c in range(size)) for _ in range(size - len(rows))]
        matrix = tuple(rows)
        operators = stamp_drawing._rect_operators(matrix)
        assert operators == _frozen_rect_operators(matrix)
        assert b"\n".join(operators) == _plain_operators(matrix)


def test_matrices_the_fast_path_does_not_take() -> None:
    odd: list[Matrix] = [(), ((True, False),), (("x", ""), ("", "x")), tuple((True,) * 241 for _ in range(241))]  # type: ignore[list-item]
    for matrix in odd:
        assert stamp_drawing._rect_fields(matrix) is None
        assert stamp_drawing._rect_operators(matrix) == _frozen_rect_operators(matrix)
    small_ints: Matrix = ((1, 0, 1), (0, 1, 1), (1, 1, 0))  # type: ignore[assignment]
    assert stamp_drawing._rect_fields(small_ints) == _frozen_rect_fields(small_ints)
    assert stamp_drawing._rect_operators(small_ints) == _frozen_rect_operators(small_ints)


@pytest.mark.parametrize("caption", ["", "Digital geprüft: https://example.org (v1)"])
def test_stamp_content_equals_the_committed_output(caption: str) -> None:
    box = (Fraction(0), Fraction(0), Fraction(595), Fraction(842))
    for symbol in SYMBOLS[::7]:
        version = (symbol.size - 17) // 4
        layout = StampLayout(stamp_version=1, page=0, x=40, y=50, size=120, caption=caption,
                             qr_version=version, qr_ecl="M", qr_mask=0)  # fmt: skip
        expected = _frozen_stamp_content(symbol, layout, b"/F1")
        assert stamp_drawing.stamp_content(symbol, layout, box, 0, b"/F1") == expected
        assert stamp_drawing.stamp_content(symbol.matrix(), layout, box, 0, b"/F1") == expected
