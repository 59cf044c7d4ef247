"""The rectangle fields computed without complements (``x & ~g`` as ``x ^ (x & g)``) and without the
little-endian pass (end columns moved onto the runs' first modules by doubling steps, one interleaved
compaction of (Y or X, W or H)), and the operator text that compares digit places with all zeros (and skips
the hundreds below 100 modules + quiet zone), give exactly what the implementation they replaced gives (stamp
format v1 is format-critical: docs/stamp-format.md S§6).

``_frozen_rect_fields`` / ``_frozen_rect_operators`` are verbatim copies of that implementation, kept here only
as the reference.
"""

from __future__ import annotations

import random
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from notary.errors import PdfError
from notary.pdf import stamp_drawing
from notary.pdf.qr_symbol import Matrix, Symbol, module_bytes, qr_modules
from notary.pdf.stamp_drawing import QUIET_ZONE, _qr_rectangles_plain, qr_rectangles
from tests.unit.test_stamp_drawing_fast import frozen_rect_tables

RNG_SEED = 20261202
ALPHANUMERIC = string.ascii_uppercase + string.digits + " $%*+-./:"
ECLS = ("L", "M", "Q", "H")


# --- frozen copy of the replaced implementation (do not edit) -----------------------------------------------
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
    starts = g & ~(g >> 8) & ones
    differs = g ^ (g >> row_bits)
    seeds = ((differs & g) | (g & ((differs & ~g) << 8))) & ones
    new = (((g + seeds) | differs) >> 8) & starts
    continuing = starts ^ new

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

    big = 0xFF * new
    merged = bytearray(3 * length)
    merged[0::3] = ((0xFF * after) & cols_little).to_bytes(length, "little")
    merged[1::3] = ((big & cols_big) | (((big & rows_big) - heights) << 8)).to_bytes(length, "big")
    merged[2::3] = heights.to_bytes(length, "big")
    picked = bytes(merged).translate(None, b"\x00")
    xs = picked[1::4]
    count = len(xs)
    widths = (int.from_bytes(picked[3::4], "big") - int.from_bytes(xs, "big")).to_bytes(count, "big")
    return xs, picked[0::4], widths, picked[2::4]


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
    slot = bytearray()
    places: list[tuple[int, bytes]] = []
    for values in (xs, ys, widths, heights):
        hundreds = values.translate(_HUNDREDS)
        tens = values.translate(_TENS)
        if hundreds.count(0) != count:
            digits: tuple[bytes, ...] = (hundreds, tens, values.translate(_ONES))
        elif tens.count(0) != count:
            digits = (tens, values.translate(_ONES))
        else:
            digits = (values.translate(_ONES),)
        for column in digits:
            places.append((len(slot), column))
            slot.append(0)
        slot += b" "
    slot += b"re\n"
    size = len(slot)
    text = bytearray(slot * count)
    for offset, column in places:
        text[offset::size] = column
    del text[-1]
    if 0 in text:
        return [bytes(text.translate(None, b"\x00"))]
    return [bytes(text)]


_HUNDREDS = bytes(0x30 + v // 100 if v >= 100 else 0 for v in range(256))
_TENS = bytes(0x30 + v // 10 % 10 if v >= 10 else 0 for v in range(256))
_ONES = bytes(0x30 + v % 10 for v in range(256))
# --- end of the frozen copy -----------------------------------------------------------------------------------


def _plain_operators(matrix: Matrix) -> bytes:
    top = len(matrix) + QUIET_ZONE
    return b"\n".join(
        b"%d %d %d %d re" % (QUIET_ZONE + c, top - r - h, w, h) for c, r, w, h in _qr_rectangles_plain(matrix)
    )


def _check(matrix: Matrix | Symbol) -> None:
    fields = stamp_drawing._rect_fields(matrix)
    assert fields == _frozen_rect_fields(matrix)
    assert all(type(field) is bytes for field in fields or ())
    operators = stamp_drawing._rect_operators(matrix)
    assert operators == _frozen_rect_operators(matrix)
    assert all(type(line) is bytes for line in operators)


def _stamp_like_symbols() -> list[Symbol]:
    """Symbols like the stamp's (a verifier URL, then a long payload): versions 14-22 around the real 18/19
    (93 modules + quiet zone stay below 100, 97 do not), every ECL and mask."""
    rng = random.Random(RNG_SEED)
    found: list[Symbol] = []
    for version in range(14, 23):
        for mask in range(8):
            ecl = ECLS[(version + mask) % 4]
            length = rng.randint(200, 1400)
            while True:
                payload = "".join(rng.choice(ALPHANUMERIC) for _ in range(length))
                try:
                    found.append(qr_modules("http://127.0.0.1:8000/#" + payload, version, ecl, mask))
                    break
                except PdfError:
                    length = max(1, length * 4 // 5)
    return found


def test_stamp_like_symbols_match_the_frozen_code_and_the_plain_rule() -> None:
    symbols = _stamp_like_symbols()
    assert {s.size for s in symbols} >= {89, 93, 97, 101}
    for symbol in symbols:
        _check(symbol)
        matrix = symbol.matrix()
        _check(matrix)
        assert b"\n".join(stamp_drawing._rect_operators(symbol)) == _plain_operators(matrix)


def test_every_version_matches_the_frozen_code() -> None:
    rng = random.Random(RNG_SEED + 1)
    for version in range(1, 41):
        mask = rng.randrange(8)
        ecl = rng.choice(ECLS)
        length = rng.randint(1, 10)  # fits every version at every level
        _check(qr_modules("".join(rng.choice(ALPHANUMERIC) for _ in range(length)), version, ecl, mask))


def test_hundreds_at_the_boundary() -> None:
    # n + QUIET_ZONE = 100 is the last size without a three-digit value, 101 the first with one (an X or Y)
    for size in (95, 96, 97, 98, 120, 240):
        full = tuple(True for _ in range(size))
        rows = [full] * (size // 2)  # a full-width run going down half the symbol: widths and heights >= 10
        rows += [tuple((c + r) % 3 == 0 for c in range(size)) for r in range(size - len(rows))]
        matrix = tuple(rows)
        _check(matrix)
        assert b"\n".join(stamp_drawing._rect_operators(matrix)) == _plain_operators(matrix)
        values = b"".join(stamp_drawing._rect_operators(matrix)).replace(b"\n", b" ").split()
        assert max(int(v) for v in values if v != b"re") == size + QUIET_ZONE - 1


def test_matrices_the_fast_path_does_not_take() -> None:
    odd: list[Matrix] = [(), ((True, False),), tuple((True,) * 241 for _ in range(241))]
    for matrix in odd:
        _check(matrix)
    small_ints: Matrix = ((1, 0, 2), (0, 1, 1), (3, 1, 0))  # type: ignore[assignment]
    _check(small_ints)


@st.composite
def _matrices(draw: st.DrawFn) -> Matrix:
    size = draw(st.integers(1, 40))
    density = draw(st.sampled_from((0.0, 0.2, 0.5, 0.8, 1.0)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    rows = [tuple(rng.random() < density for _ in range(size)) for _ in range(size)]
    repeat = draw(st.sampled_from((0.0, 0.3, 0.9)))  # repeated rows make tall rectangles
    for r in range(1, size):
        if rng.random() < repeat:
            rows[r] = rows[r - 1]
    return tuple(rows)


@settings(max_examples=300, deadline=None)
@given(_matrices())
def test_random_matrices_match_the_frozen_code(matrix: Matrix) -> None:
    _check(matrix)
    assert qr_rectangles(matrix) == _qr_rectangles_plain(matrix)
    assert b"\n".join(stamp_drawing._rect_operators(matrix)) == _plain_operators(matrix)


def test_runs_of_every_width_up_to_the_doubling_steps() -> None:
    # widths 1..70 (1, 2, 3 ... doubling steps and one past each power of two), repeated rows and shifted ones
    for width in range(1, 71):
        size = width + 3
        row = tuple(1 <= c <= width for c in range(size))
        shifted = tuple(2 <= c <= width + 1 for c in range(size))
        matrix = (row, row, shifted, row, *[tuple(c % 2 == 0 for c in range(size))] * (size - 4))
        _check(matrix)
        assert b"\n".join(stamp_drawing._rect_operators(matrix)) == _plain_operators(matrix)
