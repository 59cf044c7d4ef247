"""The fast stamp drawing (whole-symbol integer operations instead of a module loop) gives exactly the bytes of
a straightforward implementation of the stamp-format-v1 rules, kept here as the reference: for random
matrices of every QR size and of other sizes, random layouts, boxes and rotations. Likewise the table-free
codeword interleaving and the charset check of the QR encoder, and the faster pickling of parsed originals."""

from __future__ import annotations

import pickle
import random
from fractions import Fraction
from pathlib import Path

import pytest

from notary.core.layout import StampLayout
from notary.issuance import documents
from notary.pdf import qr_symbol
from notary.pdf.original_pdf import Box, read_original
from notary.pdf.pdf_objects import Real, format_real
from notary.pdf.qr_symbol import ALPHANUMERIC_CHARSET, Matrix, qr_matrix
from notary.pdf.stamp_drawing import qr_rectangles, stamp_content
from tests.unit.test_pdf_bulk_stamp import ORIGINALS

# --- the reference: the rules of stamp_drawing's docstring, module by module ---------------------------------


def reference_rectangles(matrix: Matrix) -> list[tuple[int, int, int, int]]:
    """(column, row, width, height): maximal runs per row; a run continues the rectangle above when that
    rectangle's last row has the identical run (same start and width); ordered by (start row, column)."""
    done: list[tuple[int, int, int, int]] = []
    open_rects: dict[tuple[int, int], tuple[int, int]] = {}  # (col, width) -> (start row, height)
    for row_index, row in enumerate(matrix):
        runs = []
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                runs.append((start, col - start))
            else:
                col += 1
        still_open = {}
        for run in runs:
            if run in open_rects:
                start_row, height = open_rects.pop(run)
                still_open[run] = (start_row, height + 1)
            else:
                still_open[run] = (row_index, 1)
        done.extend((c, r, w, h) for (c, w), (r, h) in open_rects.items())
        open_rects = still_open
    done.extend((c, r, w, h) for (c, w), (r, h) in open_rects.items())
    return sorted(done, key=lambda rect: (rect[1], rect[0]))


def _num(value: Fraction | int, places: int = 6) -> bytes:
    return format_real(Real.rounded(value, places).value)


def reference_content(matrix: Matrix, layout: StampLayout, box: Box, rotate: int, font: bytes) -> bytes:
    x0, y0, x1, y1 = box
    one, zero = Fraction(1), Fraction(0)
    transform = {
        0: (one, zero, zero, one, x0, y0),
        90: (zero, one, -one, zero, x1, y0),
        180: (-one, zero, zero, -one, x1, y1),
        270: (zero, -one, one, zero, x0, y1),
    }[rotate]
    modules = len(matrix) + 8
    unit = Fraction(layout.size, modules)
    lines = [b"", b"Q", b"q", b" ".join(_num(v) for v in transform) + b" cm"]
    lines.append(b"1 g %d %d %d %d re f" % (layout.x, layout.y, layout.size, layout.size))
    lines.append(b"q")
    lines.append(b"%s 0 0 %s %d %d cm" % (_num(unit), _num(unit), layout.x, layout.y))
    lines.append(b"0 g")
    for col, row, width, height in reference_rectangles(matrix):
        lines.append(b"%d %d %d %d re" % (4 + col, modules - 4 - row - height, width, height))
    lines.append(b"f")
    lines.append(b"Q")
    if layout.caption:
        raw = layout.caption.encode("cp1252")
        escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        lines += [b"0 g", b"BT", b"%s 6.5 Tf" % font, b"%s %d Td" % (_num(layout.x + 4 * unit, 3), layout.y - 5)]
        lines += [b"(" + escaped + b") Tj", b"ET"]
    lines.append(b"Q")
    return b"\n".join(lines) + b"\n"


# --- random matrices, layouts and boxes -----------------------------------------------------------------------


def random_matrix(rng: random.Random, size: int, width: int | None = None) -> Matrix:
    """Random bits of a random density, with vertical structure now and then (repeated rows, repeated or
    shifted runs, full rows and columns), so that rectangles of every height and merging corner case occur."""
    width = size if width is None else width
    density = rng.choice([0.0, 0.03, 0.3, 0.5, 0.5, 0.7, 0.97, 1.0])
    rows: list[tuple[bool, ...]] = []
    for _ in range(size):
        kind = rng.random()
        if rows and kind < 0.15:
            row = rows[-1]  # identical row: every run continues
        elif rows and kind < 0.25:
            row = rows[-1][1:] + rows[-1][:1]  # shifted: same widths, other starts
        elif rows and width and kind < 0.35:
            prev = list(rows[-1])  # one module flipped: a run split, joined, grown or shrunk
            flip = rng.randrange(width)
            prev[flip] = not prev[flip]
            row = tuple(prev)
        else:
            row = tuple(rng.random() < density for _ in range(width))
        rows.append(row)
    if size and width and rng.random() < 0.2:
        col = rng.randrange(width)
        rows = [(*r[:col], True, *r[col + 1 :]) for r in rows]  # a dark column
    return tuple(rows)


def random_layout(rng: random.Random) -> StampLayout:
    caption = rng.choice(["", "Digital geprüft: https://verify.example.de", "a (b) \\ c", "€ – ok", "x"])
    return StampLayout(1, 0, rng.randint(0, 14400), rng.randint(0, 14400), rng.randint(36, 1440), caption,
                       rng.randint(1, 40), rng.choice("LMQH"), rng.randrange(8))  # fmt: skip


def random_box(rng: random.Random) -> Box:
    def coordinate() -> Fraction:
        return Fraction(rng.randint(-20000, 20000), rng.choice([1, 1, 2, 3, 7, 10, 1000, 99991]))

    return (coordinate(), coordinate(), coordinate(), coordinate())


@pytest.mark.parametrize("version", range(1, 41))
def test_rectangles_and_content_match_the_reference(version: int) -> None:
    rng = random.Random(2060 + version)
    size = 17 + 4 * version
    for _ in range(6):
        matrix = random_matrix(rng, size)
        assert qr_rectangles(matrix) == reference_rectangles(matrix)
        layout, box, rotate = random_layout(rng), random_box(rng), rng.choice([0, 90, 180, 270])
        font = rng.choice([b"/NotaryHelv", b"/NotaryHelv1", b"/F#20x"])
        assert stamp_content(matrix, layout, box, rotate, font) == reference_content(matrix, layout, box, rotate, font)


@pytest.mark.parametrize("version", range(1, 41))
def test_real_symbols_match_the_reference(version: int) -> None:
    """A symbol straight from qr_matrix (drawn from the module bytes qr_matrix kept) and an equal copy of it
    (drawn from its rows) both give the reference bytes."""
    rng = random.Random(version)
    ecl = rng.choice("LMQH")
    length = rng.randint(1, qr_symbol.alphanumeric_capacity(version, ecl))
    text = "".join(rng.choice(ALPHANUMERIC_CHARSET) for _ in range(length))
    matrix = qr_matrix(text, version, ecl, rng.randrange(8))
    copy = tuple(tuple(list(row)) for row in matrix)
    assert copy == matrix and copy is not matrix
    layout, box = random_layout(rng), random_box(rng)
    expected = reference_content(matrix, layout, box, 0, b"/NotaryHelv")
    assert stamp_content(matrix, layout, box, 0, b"/NotaryHelv") == expected
    assert stamp_content(copy, layout, box, 0, b"/NotaryHelv") == expected
    assert qr_rectangles(matrix) == qr_rectangles(copy) == reference_rectangles(matrix)


def test_module_bytes_of_the_latest_symbol_are_its_rows() -> None:
    matrix = qr_matrix("NT1:MODULE BYTES", 2, "M", 3)
    other = qr_matrix("NT1:ANOTHER", 2, "M", 3)  # the latest now; the first is laid out from its rows
    for symbol in (matrix, other):
        modules, stride = qr_symbol.module_bytes(symbol)
        n = len(symbol)
        assert stride > n and len(modules) == (n - 1) * stride + n + 2
        expected = bytearray(len(modules))
        for r, row in enumerate(symbol):
            expected[1 + r * stride : 1 + r * stride + n] = bytes(row)
        assert modules == expected


def test_small_odd_and_degenerate_matrices_match_the_reference() -> None:
    rng = random.Random(7)
    cases: list[Matrix] = [(), ((),), ((True,),), ((False,),), ((True, True), (True, True))]
    cases += [random_matrix(rng, rng.randint(1, 30)) for _ in range(300)]
    cases += [random_matrix(rng, rng.randint(1, 12), rng.randint(0, 12)) for _ in range(100)]  # not square
    cases.append(tuple(tuple(bool(v) for v in row) for row in [(1, 0, 1), (1, 1), (0, 1, 1, 1)]))  # ragged
    cases.append(((True,) * 250,) * 250)  # larger than any QR symbol
    for matrix in cases:
        assert qr_rectangles(matrix) == reference_rectangles(matrix)
        layout, box = random_layout(rng), random_box(rng)
        assert stamp_content(matrix, layout, box, 90, b"/F") == reference_content(matrix, layout, box, 90, b"/F")


# --- the QR encoder's shortcuts ---------------------------------------------------------------------------------


def reference_codewords(data: bytes, version: int, ecl: str) -> bytes:
    num_blocks = qr_symbol._NUM_BLOCKS[ecl][version]
    ecc_len = qr_symbol._ECC_PER_BLOCK[ecl][version]
    raw = qr_symbol._raw_data_modules(version) // 8
    num_short = num_blocks - raw % num_blocks
    short_data = raw // num_blocks - ecc_len
    blocks, eccs, pos = [], [], 0
    for i in range(num_blocks):
        length = short_data + (0 if i < num_short else 1)
        blocks.append(data[pos : pos + length])
        eccs.append(qr_symbol._rs_remainder(data[pos : pos + length], ecc_len))
        pos += length
    out = [block[i] for i in range(short_data + 1) for block in blocks if i < len(block)]
    out += [ecc[i] for i in range(ecc_len) for ecc in eccs]
    return bytes(out)


def test_codeword_interleaving_matches_the_reference() -> None:
    rng = random.Random(18004)
    for version in range(1, 41):
        for ecl in "LMQH":
            data = rng.randbytes(qr_symbol.data_codewords(version, ecl))
            assert qr_symbol._codewords(data, version, ecl) == reference_codewords(data, version, ecl)


def test_alphanumeric_check_matches_the_charset() -> None:
    rng = random.Random(45)
    for code in [*range(0x250), 0x2028, 0xFF21, 0x1F600]:
        ch = chr(code)
        assert qr_symbol.is_alphanumeric(ch) == (ch in ALPHANUMERIC_CHARSET)
        assert qr_symbol.is_alphanumeric("AB" + ch + "9") == (ch in ALPHANUMERIC_CHARSET)
    assert qr_symbol.is_alphanumeric("")
    assert qr_symbol.is_alphanumeric(ALPHANUMERIC_CHARSET * 3)
    assert not qr_symbol.is_alphanumeric("ABC\n")
    for _ in range(200):
        text = "".join(rng.choice(ALPHANUMERIC_CHARSET + "a\n]^\\-") for _ in range(rng.randint(0, 30)))
        assert qr_symbol.is_alphanumeric(text) == all(ch in ALPHANUMERIC_CHARSET for ch in text)


# --- documents.prepare's pickled parse ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(ORIGINALS))
def test_prepared_parse_reads_back_as_the_parse(kind: str, tmp_path: Path) -> None:
    original = ORIGINALS[kind]()
    src = tmp_path / "original.pdf"
    src.write_bytes(original)
    prepared = documents.prepare(str(src), documents.Placement("Digital geprüft"))
    assert prepared.error is None
    # held only for an original the plain reader leaves to pypdf; the pickling is the same for any parse
    shipped = pickle.loads(prepared.parsed or documents._pickle_parsed(read_original(original)))
    doc = read_original(original)
    assert shipped == doc
    assert repr(shipped) == repr(doc)  # the same types all the way down (Fraction, Real, Name, Ref ...)
