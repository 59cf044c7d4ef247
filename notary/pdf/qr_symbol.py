"""QR Code Model 2 symbols (ISO/IEC 18004) with the stamp's fixed segmenting — FORMAT-CRITICAL.

Normative text: docs/stamp-format.md S§7.

Why our own encoder: the notarisation update must be regenerable byte for byte in decades, so the module
matrix must be a pure function of (text, version, error correction level, mask). Per ISO/IEC 18004 it is,
*provided* the data is encoded in one fixed way. We fix it to exactly ONE alphanumeric-mode segment (stamp
version 1) or, when the text starts with a verifier URL ending in ``#`` (stamp version 2), that URL as ONE
byte-mode segment followed by ONE alphanumeric segment; then the terminator, bit padding and the 0xEC/0x11 pad
codewords, Reed-Solomon blocks and the module placement of the standard. Off-the-shelf encoders optimise the
segmentation (zint, behind zxing-cpp, switches to numeric mode inside long digit runs), so their matrices
differ for some texts; segno can be forced to these segments but takes 6-14 ms per symbol in pure Python.
This module needs ~0.25 ms of CPU to choose version and mask and build a version-19 symbol on an idle core
(data bits packed in big-integer lanes, Reed-Solomon as an XOR of per-position tables, the symbol held
transposed as one big integer with a bit per module and placed by one gather of slices; bench/qr_speed.py)
and is cross-checked in the tests against segno (matrix equality), zxing-cpp (decoding and matrix equality on
letter-only texts, where every encoder picks one alphanumeric segment) and a frozen copy of its slower
predecessor (tests/unit/test_qr_speed_equivalence.py).

The mask *choice* (``choose_qr_params``) is policy, not format: the chosen mask is recorded in the stamp
layout. It is the mask with the lowest ISO/IEC 18004 penalty score, evaluated here with whole-symbol integer
operations (~12 us per mask at version 19, a quarter of it bit counts) and checked in the tests against a
plain module-by-module implementation. The choice skips halves of the costliest score (N3, ~45 % of a mask)
where a bound shows the mask cannot win (on random texts a fifth of them at version 19, a third at version 12:
the masks' scores are too close for more, ~7 % less CPU for the choice) and is checked in the tests against
the plain minimum over ``mask_penalty`` (tests/unit/test_qr_mask_choice_pruned.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache, reduce
from operator import getitem, itemgetter, xor
from typing import cast

from notary.errors import PdfError

ALPHANUMERIC_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_VALUE = {ch: i for i, ch in enumerate(ALPHANUMERIC_CHARSET)}
_ALNUM_BYTES = bytes(_ALNUM_VALUE.get(chr(i), 0) for i in range(256))
"""translate table: an alphanumeric character's ASCII byte -> its value 0-44"""
_MOST_PAIRS = 1 << 12
"""More alphanumeric pairs than a version-40 symbol holds (4,296 characters)."""
_LOW_BYTES = int.from_bytes(b"\0\xff" * _MOST_PAIRS, "big")
_PACK_MASKS = tuple(
    (
        int.from_bytes(((1 << (11 << level)) - 1).to_bytes(4 << level, "big") * (_MOST_PAIRS >> level >> 1), "big"),
        int.from_bytes(
            ((1 << (22 << level)) - (1 << (11 << level))).to_bytes(4 << level, "big") * (_MOST_PAIRS >> level >> 1),
            "big",
        ),
    )
    for level in range(12)
)
"""Per round of :func:`_pair_bits`: (the low and the next 11 * 2^level bits) of every 32 * 2^level bits."""

# Error-correction codewords per block and number of blocks, indexed [ecl][version] (index 0 unused).
# Values from ISO/IEC 18004:2015 table 9; the tests check every entry against segno's own tables.
_ECC_PER_BLOCK: dict[str, tuple[int, ...]] = {
    "L": (-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30,
          30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    "M": (-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28,
          28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28),
    "Q": (-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30,
          30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    "H": (-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30,
          30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
}  # fmt: skip
_NUM_BLOCKS: dict[str, tuple[int, ...]] = {
    "L": (-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14,
          15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25),
    "M": (-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23,
          25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49),
    "Q": (-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34,
          34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68),
    "H": (-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37,
          40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81),
}  # fmt: skip
_ECL_FORMAT_BITS = {"L": 1, "M": 0, "Q": 3, "H": 2}

Matrix = tuple[tuple[bool, ...], ...]
"""Rows top to bottom, modules left to right; True = dark. No quiet zone."""


_ALNUM_TEXT = re.compile("[" + re.escape(ALPHANUMERIC_CHARSET) + "]*")


def is_alphanumeric(text: str) -> bool:
    """True when ``text`` fits the QR alphanumeric charset (uppercase A-Z, 0-9, space, $%*+-./:)."""
    return _ALNUM_TEXT.fullmatch(text) is not None


def symbol_size(version: int) -> int:
    """Edge length in modules, without quiet zone."""
    return 17 + 4 * version


def _raw_data_modules(version: int) -> int:
    """Modules left for data + ECC after the function patterns (and version info from version 7)."""
    result = (16 * version + 128) * version + 64
    if version >= 2:
        num_align = version // 7 + 2
        result -= (25 * num_align - 10) * num_align - 55
        if version >= 7:
            result -= 36
    return result


def data_codewords(version: int, ecl: str) -> int:
    """Number of 8-bit data codewords the symbol holds."""
    return _raw_data_modules(version) // 8 - _ECC_PER_BLOCK[ecl][version] * _NUM_BLOCKS[ecl][version]


def _count_bits(version: int) -> int:
    return 9 if version <= 9 else 11 if version <= 26 else 13


def alphanumeric_capacity(version: int, ecl: str) -> int:
    """Largest number of characters one alphanumeric segment can carry in this symbol."""
    bits = data_codewords(version, ecl) * 8 - 4 - _count_bits(version)
    chars = (bits // 11) * 2
    if bits % 11 >= 6:
        chars += 1
    return min(chars, (1 << _count_bits(version)) - 1)


URL_END = "#"
"""Stamp version 2 (S§7): a QR text with a ``#`` is a verifier URL (up to and including its last ``#``) in one
byte-mode segment, then the payload in one alphanumeric segment."""
_PRINTABLE_ASCII = re.compile("[!-~]+")


def segments(text: str) -> tuple[bytes, str]:
    """(byte-mode segment, alphanumeric segment) of ``text``: the URL prefix up to and including the last
    ``#`` (empty when there is none: one alphanumeric segment, stamp version 1) and the rest."""
    cut = text.rfind(URL_END) + 1
    prefix = text[:cut]
    if cut and not _PRINTABLE_ASCII.fullmatch(prefix):
        raise PdfError("the URL before the QR payload must be printable ASCII without spaces")
    return prefix.encode("ascii"), text[cut:]


def _byte_count_bits(version: int) -> int:
    return 8 if version <= 9 else 16


def _bits_needed(prefix: bytes, payload: str, version: int) -> int:
    bits = 4 + _count_bits(version) + 11 * (len(payload) // 2) + 6 * (len(payload) % 2)
    return bits + (4 + _byte_count_bits(version) + 8 * len(prefix) if prefix else 0)


def _fits(prefix: bytes, payload: str, version: int, ecl: str) -> bool:
    if len(payload) >= 1 << _count_bits(version) or len(prefix) >= 1 << _byte_count_bits(version):
        return False
    return _bits_needed(prefix, payload, version) <= data_codewords(version, ecl) * 8


def _check_text(text: str) -> tuple[bytes, str]:
    prefix, payload = segments(text)
    if not payload or not is_alphanumeric(payload):
        what = "after the URL " if prefix else ""
        raise PdfError(f"the QR text {what}must be QR alphanumeric characters (A-Z 0-9 space $%*+-./:), at least one")
    return prefix, payload


def _check(text: str, version: int, ecl: str, mask: int) -> None:
    if ecl not in _ECC_PER_BLOCK:
        raise PdfError(f"unknown QR error correction level {ecl!r}")
    if not 1 <= version <= 40:
        raise PdfError(f"QR version out of range: {version}")
    if not 0 <= mask <= 7:
        raise PdfError(f"QR mask out of range: {mask}")
    prefix, payload = _check_text(text)
    if not _fits(prefix, payload, version, ecl):
        raise PdfError(f"{len(text)} characters do not fit a version-{version}-{ecl} QR code")


def _data_bits(text: str, version: int, ecl: str) -> bytes:
    """[Byte segment: mode, count, bytes,] alphanumeric segment: mode indicator, character count, 11-bit pairs;
    terminator, bit padding and pad codewords."""
    prefix, text = segments(text)
    values = text.encode("ascii").translate(_ALNUM_BYTES)
    bits, nbits = _pair_bits(values)
    if len(values) & 1:
        bits, nbits = (bits << 6) | values[-1], nbits + 6
    count_bits = _count_bits(version)
    bits |= ((0b0010 << count_bits) | len(text)) << nbits
    nbits += 4 + count_bits
    if prefix:
        head = (0b0100 << _byte_count_bits(version)) | len(prefix)
        bits |= ((head << 8 * len(prefix)) | int.from_bytes(prefix, "big")) << nbits
        nbits += 4 + _byte_count_bits(version) + 8 * len(prefix)
    capacity_bits = data_codewords(version, ecl) * 8
    padded = nbits + min(4, capacity_bits - nbits)  # the terminator,
    padded += -padded % 8  # then zero bits up to a byte boundary
    data = (bits << (padded - nbits)).to_bytes(padded // 8, "big")
    pad_count = capacity_bits // 8 - len(data)
    return data + (b"\xec\x11" * (pad_count // 2 + 1))[:pad_count]


def _pair_bits(values: bytes) -> tuple[int, int]:
    """The 11-bit numbers 45 a + b of the pairs of alphanumeric values (a, b), first pair first, as one int
    and its bit length; a last odd value is left out.

    All pairs at once: read as 16-bit lanes, each lane's number is computed in place, and log2(pairs) rounds
    of shift-and-mask close the 5-bit gaps (each round joins neighbouring groups of lanes), instead of a
    Python step per pair.
    """
    pairs = len(values) >> 1
    lanes = int.from_bytes(values[: 2 * pairs], "big")
    bits = ((lanes >> 8) & _LOW_BYTES) * 45 + (lanes & _LOW_BYTES)
    width, used, level = 16, 11, 0
    while 1 << level < pairs:
        low, high = _PACK_MASKS[level]
        bits = ((bits >> (width - used)) & high) | (bits & low)
        width, used, level = 2 * width, 2 * used, level + 1
    return bits, 11 * pairs


# --- Reed-Solomon over GF(256), primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) ---------------------


def _gf_tables() -> tuple[list[int], list[int]]:
    exp = [0] * 512
    log = [0] * 256
    x = 1
    for i in range(255):
        exp[i] = x
        log[x] = i
        x <<= 1
        if x & 0x100:
            x ^= 0x11D
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return exp, log


_GF_EXP, _GF_LOG = _gf_tables()


def _gf_mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _GF_EXP[_GF_LOG[a] + _GF_LOG[b]]


@cache
def _rs_table(degree: int) -> tuple[int, ...]:
    """For every byte f: f times the generator polynomial (without its leading 1), as one big integer.

    The remainder of the polynomial division is then kept in a single Python int of ``degree`` bytes, and
    each data byte costs one shift, one mask and one XOR.
    """
    gen = [1]  # coefficients, highest degree first; roots alpha^0 .. alpha^(degree-1)
    for i in range(degree):
        root = _GF_EXP[i]
        nxt = [*gen, 0]
        for j, coef in enumerate(gen):
            nxt[j + 1] ^= _gf_mul(coef, root)
        gen = nxt
    tail = gen[1:]
    return tuple(int.from_bytes(bytes(_gf_mul(f, c) for c in tail), "big") for f in range(256))


def _rs_remainder(data: bytes, degree: int) -> bytes:
    """The remainder is linear in the data: the XOR of what each byte contributes at its position."""
    return reduce(xor, map(getitem, _rs_positions(len(data), degree), data), 0).to_bytes(degree, "big")


@cache
def _rs_positions(length: int, degree: int) -> tuple[tuple[int, ...], ...]:
    """For each position of a block of ``length`` bytes and every byte value: its share of the remainder.

    Built from the shift register of ``_rs_table`` (a byte followed by k zero bytes), 8 basis values per
    position and XOR for the rest; ~256 operations per position, once per (block length, degree).
    """
    table = _rs_table(degree)
    shift = 8 * (degree - 1)
    keep = (1 << shift) - 1
    basis = [table[1 << k] for k in range(8)]  # the last position: the register after one byte
    rows: list[tuple[int, ...]] = []
    for _ in range(length):
        row = [0] * 256
        for value in range(1, 256):
            low = value & -value
            row[value] = row[value ^ low] ^ basis[low.bit_length() - 1]
        rows.append(tuple(row))
        basis = [((b & keep) << 8) ^ table[b >> shift] for b in basis]  # one more zero byte after it
    return tuple(reversed(rows))


def _codewords(data: bytes, version: int, ecl: str) -> bytes:
    """Split into blocks, add ECC, interleave (ISO/IEC 18004 7.6)."""
    num_blocks = _NUM_BLOCKS[ecl][version]
    ecc_len = _ECC_PER_BLOCK[ecl][version]
    raw = _raw_data_modules(version) // 8
    num_short = num_blocks - raw % num_blocks
    short_data = raw // num_blocks - ecc_len
    # byte i of every block in turn, block by block (the long blocks' extra last byte after all the
    # others), then the same for the error correction bytes
    head = bytearray(short_data * num_blocks)
    extra = bytearray()
    ecc = bytearray(ecc_len * num_blocks)
    pos = 0
    for i in range(num_blocks):
        length = short_data + (0 if i < num_short else 1)
        block = data[pos : pos + length]
        pos += length
        head[i::num_blocks] = block[:short_data]
        extra += block[short_data:]
        ecc[i::num_blocks] = _rs_remainder(block, ecc_len)
    return bytes(head + extra + ecc)


# --- Module placement ---------------------------------------------------------------------------------------


def _alignment_positions(version: int) -> list[int]:
    if version == 1:
        return []
    num_align = version // 7 + 2
    step = (version * 8 + num_align * 3 + 5) // (num_align * 4 - 4) * 2
    size = symbol_size(version)
    positions = [size - 7 - i * step for i in range(num_align - 1)]
    return [6, *reversed(positions)]


def _bch_format(ecl: str, mask: int) -> int:
    data = (_ECL_FORMAT_BITS[ecl] << 3) | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return ((data << 10) | rem) ^ 0x5412


def _bch_version(version: int) -> int:
    rem = version
    for _ in range(12):
        rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
    return (version << 12) | rem


@cache
def _function_template(version: int) -> tuple[bytes, bytes, tuple[int, ...]]:
    """(dark modules of the version's function patterns, is-function flags, data module order).

    Format information is left light here (it depends on ECL and mask) but reserved as function modules.
    The data order is the standard's two-module-wide zigzag from the lower-right corner.
    """
    n = symbol_size(version)
    dark = bytearray(n * n)
    func = bytearray(n * n)

    def put(row: int, col: int, is_dark: bool) -> None:
        dark[row * n + col] = 1 if is_dark else 0
        func[row * n + col] = 1

    for i in range(n):  # timing patterns
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for cr, cc in ((3, 3), (3, n - 4), (n - 4, 3)):  # finder patterns with separators
        for dr in range(-4, 5):
            for dc in range(-4, 5):
                r, c = cr + dr, cc + dc
                if 0 <= r < n and 0 <= c < n:
                    dist = max(abs(dr), abs(dc))
                    put(r, c, dist not in (2, 4))
    aligns = _alignment_positions(version)
    last = len(aligns) - 1
    for i, ar in enumerate(aligns):
        for j, ac in enumerate(aligns):
            if (i == 0 and j == 0) or (i == 0 and j == last) or (i == last and j == 0):
                continue
            for dr in range(-2, 3):
                for dc in range(-2, 3):
                    put(ar + dr, ac + dc, max(abs(dr), abs(dc)) != 1)
    for i in range(9):  # format information areas (reserved)
        if i != 6:
            put(8, i, False)
            put(i, 8, False)
    for i in range(8):
        put(8, n - 1 - i, False)
        put(n - 1 - i, 8, False)
    put(n - 8, 8, True)  # the dark module
    if version >= 7:
        bits = _bch_version(version)
        for i in range(18):
            bit = (bits >> i) & 1 == 1
            a, b = n - 11 + i % 3, i // 3
            put(b, a, bit)
            put(a, b, bit)
    order: list[int] = []
    right = n - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(n):
            row = n - 1 - vert if upward else vert
            for j in range(2):
                idx = row * n + right - j
                if not func[idx]:
                    order.append(idx)
        right -= 2
    return bytes(dark), bytes(func), tuple(order)


_MASKS: tuple[Callable[[int, int], bool], ...] = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)


@cache
def _mask_and_format(version: int, ecl: str, mask: int) -> int:
    """The mask pattern over the data area XOR the format information, on the padded grid (see ``_grid``)."""
    n, width, _ = _grid(version)
    cond = _MASKS[mask]
    # every mask pattern repeats every 12 rows and every 6 columns
    tiles = [bytes(1 if cond(r, c) else 0 for c in range(6)) * (n // 6 + 1) for r in range(12)]
    pattern = b"".join(tiles[r % 12][:n] for r in range(n))
    layer = _to_grid(pattern, version) & _open_modules(version)
    bits = _bch_format(ecl, mask)
    for i in range(15):
        if not (bits >> i) & 1:
            continue  # format modules are function modules: the pattern left them light
        # first copy, around the upper-left finder
        if i < 6:
            row, col = i, 8
        elif i < 8:
            row, col = i + 1, 8
        elif i == 8:
            row, col = 8, 7
        else:
            row, col = 8, 14 - i
        layer |= 1 << ((col + _PAD) * width + row)
        # second copy, split between the lower-left and upper-right finders
        if i < 8:
            row, col = 8, n - 1 - i
        else:
            row, col = n - 15 + i, 8
        layer |= 1 << ((col + _PAD) * width + row)
    return layer


@cache
def _open_modules(version: int) -> int:
    """The modules that are not function modules (data, error correction and remainder), as a grid int."""
    _, func, _ = _function_template(version)
    return _to_grid(func.translate(bytes.maketrans(b"\0\1", b"\1\0")), version)


# --- The padded grid: one Python int, one bit per module ----------------------------------------------------
#
# The symbol is held TRANSPOSED: module (row r, column c) is bit (c + PAD) * width + r of an int, width = n + PAD:
# every column is followed by PAD light padding bits, and PAD light padding columns lie left and right of the
# symbol. Shifting the int by 1 moves to the module below, by ``width`` to the right neighbour, and no run or
# pattern can cross a column edge (the padding is light and never part of a run or of a dark module). The
# padding doubles as the light area outside the symbol that the penalty rule N3 may count. The penalty rules
# treat rows and columns alike, so the transposed symbol scores exactly as the symbol; columns are what the
# codeword placement fills in long even stretches (see ``_placement``). With that, building a symbol is a few
# big-integer XORs, and the four ISO penalty scores of a mask are ~40 big-integer operations.

_PAD = 4
_BIT_CHARS = bytes.maketrans(b"\x00\x01", b"01")
_BIT_BYTES = bytes.maketrans(b"01", b"\x00\x01")


@cache
def _grid(version: int) -> tuple[int, int, int]:
    """(n, width, total bits) of the padded grid."""
    n = symbol_size(version)
    width = n + _PAD
    return n, width, (n + 2 * _PAD) * width


def _to_grid(layer: bytes | bytearray, version: int) -> int:
    """A module layer (one byte per module, row-major, 0 or 1) as a padded-grid int (transposed)."""
    n, width, _ = _grid(version)
    value = 0
    for c in range(n):
        column = bytes(layer[c::n])[::-1].translate(_BIT_CHARS).decode()
        value |= int(column, 2) << ((c + _PAD) * width)
    return value


@cache
def _function_grid(version: int) -> int:
    dark, _, _ = _function_template(version)
    return _to_grid(dark, version)


@cache
def _placement(version: int) -> tuple[Callable[[bytes], tuple[bytes, ...]], int, int, int]:
    """How the codeword bits land on the padded grid: (a getter of pieces, left margin, right margin, the
    data modules as a grid int).

    The getter cuts the codeword bit string (``"0"``/``"1"`` per bit, ``left`` zeros before and ``right``
    after it) into slices that, joined, are the grid's text from bit 0 up: the zigzag of ISO/IEC 18004 7.7.3
    in stretches where the grid position and the bit index advance evenly (down a column, a two-module strip
    takes every other bit while its neighbour is data too). A stretch runs on through the function modules,
    padding and remainder bits after it with whatever bits its step reaches; ANDing with the data modules
    clears them. ~250 slices for a version-19 symbol, cut by one C call (``itemgetter``), instead of a Python
    step per module or per stretch.
    """
    n, width, total = _grid(version)
    _, _, order = _function_template(version)
    nbits = _raw_data_modules(version) // 8 * 8
    bit_at = [-1] * total
    for i, idx in enumerate(order[:nbits]):
        r, c = divmod(idx, n)
        bit_at[(c + _PAD) * width + r] = i
    data = [pos for pos in range(total) if bit_at[pos] >= 0]
    pieces: list[tuple[int, int, int]] = []  # (bit index at the piece's first position, step, length)
    pos = k = 0
    while pos < total:
        if k == len(data):
            pieces.append((0, 1, total - pos))
            break
        first, step, end_k = data[k], 1, k + 1
        if end_k < len(data):
            gap, rise = data[end_k] - first, bit_at[data[end_k]] - bit_at[first]
            if rise % gap == 0 and rise // gap in (-2, -1, 1, 2):
                step = rise // gap
                while end_k < len(data) and bit_at[data[end_k]] == bit_at[first] + step * (data[end_k] - first):
                    end_k += 1
        end = data[end_k] if end_k < len(data) else total
        pieces.append((bit_at[first] - step * (first - pos), step, end - pos))
        pos, k = end, end_k
    lowest = min(min(b0, b0 + step * (length - 1)) for b0, step, length in pieces)
    highest = max(max(b0, b0 + step * (length - 1)) for b0, step, length in pieces)
    left, right = max(0, -lowest), max(0, highest - nbits + 1)
    slices = []
    for b0, step, length in reversed(pieces):  # the int's text starts with its most significant bit
        last = left + b0 + step * (length - 1)
        stop = left + b0 - step
        slices.append(slice(last, stop if stop >= 0 else None, -step))
    getter = itemgetter(*slices, slice(0, 0))  # never a single slice: itemgetter would not return a tuple
    mask = bytearray(b"0" * total)
    for pos in data:
        mask[pos] = ord("1")
    return getter, left, right, int(mask[::-1], 2)


@lru_cache(maxsize=16)
def _data_grid(text: str, version: int, ecl: str) -> int:
    """The placed codewords (data and error correction) of ``text``, unmasked, as a padded-grid int."""
    codewords = _codewords(_data_bits(text, version, ecl), version, ecl)
    getter, left, right, data_modules = _placement(version)
    bits = format(int.from_bytes(codewords, "big") << right, f"0{left + len(codewords) * 8 + right}b").encode()
    return int(b"".join(getter(bits)), 2) & data_modules


def _symbol_grid(text: str, version: int, ecl: str, mask: int) -> int:
    return _data_grid(text, version, ecl) ^ _function_grid(version) ^ _mask_and_format(version, ecl, mask)


def qr_matrix(text: str, version: int, ecl: str, mask: int) -> Matrix:
    """The QR symbol for ``text`` as one alphanumeric segment at a fixed version, ECL and mask.

    Raises PdfError when the text is not alphanumeric, does not fit, or a parameter is out of range.
    """
    global _latest
    symbol = qr_modules(text, version, ecl, mask)
    matrix = symbol.matrix()
    _latest = (matrix, symbol.modules, symbol.stride)
    return matrix


@dataclass(frozen=True, slots=True)
class Symbol:
    """A QR symbol in the form the stamp draws from (see :func:`module_bytes`): one byte per module, 1 dark,
    row r starting at 1 + r * stride. Building the rows of a :data:`Matrix` costs more than the whole
    symbol, so the stamp never does."""

    modules: bytes
    stride: int
    size: int
    """Edge length in modules, without quiet zone."""

    def matrix(self) -> Matrix:
        view = memoryview(self.modules).cast("?")  # tolist() gives bools
        n, stride = self.size, self.stride
        return tuple(tuple(cast("list[bool]", view[1 + r * stride : 1 + r * stride + n].tolist())) for r in range(n))


def qr_modules(text: str, version: int, ecl: str, mask: int) -> Symbol:
    """:func:`qr_matrix` as a :class:`Symbol` (same errors)."""
    _check(text, version, ecl, mask)
    n, width, total = _grid(version)
    text_bits = format(_symbol_grid(text, version, ecl, mask), f"0{total}b").encode()
    rows = (b"0" * _PAD).join(_rows(version)(text_bits))
    return Symbol(b"\0" + rows.translate(_BIT_BYTES) + b"\0", width, n)


@cache
def _rows(version: int) -> Callable[[bytes], tuple[bytes, ...]]:
    """The symbol's rows out of the (transposed) padded grid's text, most significant bit first."""
    n, width, total = _grid(version)
    first = total - 1 - _PAD * width  # row 0, column 0
    return itemgetter(*(slice(first - r, first - r - n * width, -width) for r in range(n)))


_latest: tuple[Matrix, bytes, int] | None = None
"""(matrix, its module_bytes, stride) of the last qr_matrix call: the stamp draws the symbol just made."""


def module_bytes(matrix: Matrix) -> tuple[bytes, int]:
    """A square ``matrix`` as (modules, stride): one byte per module, 1 dark, 0 light, row r starting at
    1 + r * stride (stride > n); the byte before the first row, those between rows and the one after the
    last row are 0.

    Free for the matrix that ``qr_matrix`` returned last (the very object: tuples are immutable, and it is
    held, so the identity cannot be reused); built from the rows otherwise (TypeError or ValueError when a
    module is not a bool or a small int).
    """
    latest = _latest
    if latest is not None and latest[0] is matrix:
        return latest[1], latest[2]
    return b"\x00" + bytes(1).join(map(bytes, matrix)) + b"\x00", len(matrix) + 1


def smallest_version(text: str, ecl: str = "M") -> int:
    """Smallest QR version whose segments (S§7: [URL in byte mode,] one alphanumeric) hold ``text`` at ``ecl``."""
    if ecl not in _ECC_PER_BLOCK:
        raise PdfError(f"unknown QR error correction level {ecl!r}")
    prefix, payload = segments(text)
    version = _smallest_fitting(len(prefix), len(payload), ecl)
    if not version:
        raise PdfError(f"{len(text)} characters do not fit any QR code at level {ecl}")
    return version


@lru_cache(maxsize=1024)
def _smallest_fitting(prefix_length: int, payload_length: int, ecl: str) -> int:
    """:func:`smallest_version` by the segments' lengths (all it depends on); 0 when none fits."""
    prefix, payload = b"#" * prefix_length, "0" * payload_length
    return next((version for version in range(1, 41) if _fits(prefix, payload, version, ecl)), 0)


# --- Mask choice: the penalty evaluation of ISO/IEC 18004:2015 7.8.3.1 --------------------------------------


@cache
def _penalty_masks(version: int) -> tuple[int, int, int, int, int]:
    """(all grid bits, modules with a next one at +1 (below: the grid is transposed), modules with a next one at
    +width (to the right), all grid bits shifted right by 1 and by the width: ``light >> k`` is
    ``(d >> k) ^ (full >> k)``, one shift of the symbol fewer)."""
    n, width, total = _grid(version)
    line = (1 << n) - 1
    with_below = sum((line >> 1) << ((c + _PAD) * width) for c in range(n))
    with_right = sum(line << ((c + _PAD) * width) for c in range(n - 1))
    full = (1 << total) - 1
    return full, with_below, with_right, full >> 1, full >> width


def penalty_scores(modules: int, version: int) -> tuple[int, int, int, int]:
    """The penalty scores (N1, N2, N3, N4) of a symbol given as a padded-grid int (ISO/IEC 18004 table 11).

    N1: 3 + i for each run of 5 + i modules of one colour in a row or column.
    N2: 3 for each 2 x 2 block of one colour (overlapping blocks each count, so an m x n block scores
        3 (m - 1)(n - 1)).
    N3: 40 for each 1:1:3:1:1 dark-light-dark-light-dark pattern in a row or column with 4 light modules
        before or after it (the area outside the symbol counts as light).
    N4: 10 for each full 5 % that the share of dark modules deviates from 50 %.
    """
    return _penalties(_symbol_parts(modules, version), _unmasked_parts(version), version)


# The rules compare a symbol d with itself shifted. Shifts cost ~4 times an AND or XOR on these ~10,000-bit ints
# and are linear (``(a ^ b) >> k == (a >> k) ^ (b >> k)``), as is ``x & m``; so for d = symbol ^ mask layer the
# linear parts are computed once per symbol and once per mask layer (cached), and each mask's d needs only
# their XOR: 12 shifts and 6 bit counts per mask remain.
_Line = tuple[int, int, int, int, int]
"""Per direction: x shifted by 1, 2, 3 steps, where x is alike its next (linear part), that shifted by 1 step."""


def _symbol_parts(symbol: int, version: int) -> tuple[int, tuple[_Line, _Line], int]:
    """(symbol, its linear parts down and across, the across 'alike' part shifted by 1)."""
    lines = _line_parts(symbol, version)
    return symbol, lines, lines[1][3] >> 1


def _line_parts(x: int, version: int) -> tuple[_Line, _Line]:
    width = _grid(version)[1]
    _, with_below, with_right, _, _ = _penalty_masks(version)
    out = []
    for step, with_next in ((1, with_below), (width, with_right)):
        beside = x >> step
        alike = (x ^ beside) & with_next
        out.append((beside, x >> 2 * step, x >> 3 * step, alike, alike >> step))
    return out[0], out[1]


def _layer_parts(layer: int, version: int) -> tuple[int, int, tuple[_Line, _Line], int]:
    """A mask layer's linear parts with the constants folded in: (layer, layer ^ all bits, per direction (the
    layer shifted by 1 step ^ all bits so shifted, by 2, by 3, 'alike' ^ with_next, that shifted by 1 step),
    the across 'alike' part shifted by 1 ^ with_right so shifted)."""
    width = _grid(version)[1]
    full, with_below, with_right, _, _ = _penalty_masks(version)
    lines = _line_parts(layer, version)
    folded = []
    for (beside, beside2, beside3, alike, alike_next), step, with_next in zip(
        lines, (1, width), (with_below, with_right), strict=True
    ):
        folded.append((beside ^ (full >> step), beside2, beside3, alike ^ with_next, alike_next ^ (with_next >> step)))
    across_shifted = (lines[1][3] >> 1) ^ (with_right >> 1)
    return layer, layer ^ full, (folded[0], folded[1]), across_shifted


@cache
def _unmasked_parts(version: int) -> tuple[int, int, tuple[_Line, _Line], int]:
    return _layer_parts(0, version)


@cache
def _mask_parts(version: int, ecl: str, mask: int) -> tuple[int, int, tuple[_Line, _Line], int]:
    return _layer_parts(_mask_and_format(version, ecl, mask), version)


@cache
def _mask_layers(version: int, ecl: str) -> tuple[tuple[int, int, tuple[_Line, _Line], int], ...]:
    """``_mask_parts`` of the 8 masks."""
    return tuple(_mask_parts(version, ecl, mask) for mask in range(8))


def _penalties(
    symbol: tuple[int, tuple[_Line, _Line], int], layer: tuple[int, int, tuple[_Line, _Line], int], version: int
) -> tuple[int, int, int, int]:
    """:func:`penalty_scores` of symbol ^ layer from their parts."""
    n, width, _ = _grid(version)
    unmasked, unmasked_lines, unmasked_across = symbol
    mask, mask_light, mask_lines, mask_across = layer
    d = unmasked ^ mask
    light = unmasked ^ mask_light
    same_down, n1_down = _line_runs(unmasked_lines[0], mask_lines[0], 1)
    same_across, n1_across = _line_runs(unmasked_lines[1], mask_lines[1], width)
    n2 = 3 * (same_down & same_across & (unmasked_across ^ mask_across)).bit_count()
    n3 = _line_finders(d, light, unmasked_lines[0], mask_lines[0], 1)
    n3 += _line_finders(d, light, unmasked_lines[1], mask_lines[1], width)
    return n1_down + n1_across, n2, n3, _dark_share_penalty(d, n)


def _dark_share_penalty(d: int, n: int) -> int:
    """N4 of the symbol ``d`` of edge ``n``."""
    total = n * n
    return 10 * (abs(20 * d.bit_count() - 10 * total) // total)


def _line_runs(ours: _Line, theirs: _Line, step: int) -> tuple[int, int]:
    """(modules alike their next, N1) down the columns (``step`` 1) or along the rows (``step`` the grid width) of
    the transposed grid, from the symbol's and the layer's linear parts (see ``_layer_parts``)."""
    same = ours[3] ^ theirs[3]  # ~(d ^ (d >> step)) & with_next
    pairs = same & (ours[4] ^ theirs[4])  # 3 alike from here
    run5 = pairs & (pairs >> 2 * step)  # 5 alike from here
    # a run of 5 + i scores 3 + i, its length - 2: the modules from which 3 alike of a run of >= 5 start
    run5 |= run5 << step
    return same, (run5 | (run5 << step)).bit_count()


def _line_finders(d: int, light: int, ours: _Line, theirs: _Line, step: int) -> int:
    """N3 down the columns (``step`` 1) or along the rows (``step`` the grid width): see ``_line_runs``."""
    # 1:1:3:1:1 as dark-light-dark, one dark, dark-light-dark; then 4 light before or after it
    return 40 * _finder_like(d, light, ours[0] ^ theirs[0], ours[1] ^ theirs[1], ours[2] ^ theirs[2], step)


def _finder_like(d: int, light: int, light_beside: int, beside2: int, beside3: int, step: int) -> int:
    """How many 1:1:3:1:1 patterns with 4 light modules before or after them start in ``d`` (dark modules),
    given ``light`` (light modules), ``light >> step``, ``d >> 2 * step`` and ``d >> 3 * step``.

    Monotone: with fewer bits set in every argument, never more patterns."""
    dld = d & light_beside & beside2
    pattern = dld & beside3 & (dld >> 4 * step)
    light2 = light & light_beside
    light4 = light2 & (light2 >> 2 * step)
    return (pattern & ((light4 << 4 * step) | (light4 >> 7 * step))).bit_count()


@cache
def _fixed_finders(version: int, ecl: str) -> tuple[int, int]:
    """Lower bounds of N3 down the columns and along the rows that hold for every mask: 40 for each pattern
    made of modules that no mask and no data change (function patterns other than the format information, and
    the light padding), such as the finder patterns' centre lines beside the area outside the symbol.

    ``_finder_like`` of a symbol's dark and light modules counts at least the patterns of the modules known dark
    and known light, as it is monotone and every known module is in the symbol's own sets.
    """
    width = _grid(version)[1]
    full = _penalty_masks(version)[0]
    layers = [_mask_and_format(version, ecl, mask) for mask in range(8)]
    varies = _open_modules(version)  # data, error correction and remainder bits
    for layer in layers:
        varies |= layer ^ layers[0]  # format information
    known = full & ~varies
    dark = (_function_grid(version) ^ layers[0]) & known
    light = known & ~dark
    return (
        40 * _finder_like(dark, light, light >> 1, dark >> 2, dark >> 3, 1),
        40 * _finder_like(dark, light, light >> width, dark >> 2 * width, dark >> 3 * width, width),
    )


def mask_penalty(text: str, version: int, ecl: str, mask: int) -> int:
    """The ISO/IEC 18004 penalty score of the symbol ``qr_matrix(text, version, ecl, mask)``."""
    _check(text, version, ecl, mask)
    return sum(penalty_scores(_symbol_grid(text, version, ecl, mask), version))


_NO_SCORE = 1 << 62
"""Above every penalty score."""


def choose_qr_params(text: str, ecl: str = "M") -> tuple[int, int]:
    """(version, mask) for ``text``: the smallest version, and the mask with the lowest ISO/IEC 18004 penalty
    score (the lowest mask number among equals).

    Policy, not format: the chosen mask is recorded in the layout, and any mask gives a valid symbol.

    Branch and bound, with the same result as the minimum over all 8 scores: the cheap scores N1, N2 and N4 of
    every mask first, plus the least N3 any mask can have (``_fixed_finders``); then the masks in the order of
    (that bound, mask number), each one's N3 (the costliest score, two halves) only while its bound can still
    beat the best (score, mask number) so far. A mask whose bound is above the best pair cannot win and the
    ones after it in that order neither.
    """
    _check_text(text)
    version = smallest_version(text, ecl)
    n, width, _ = _grid(version)
    fixed_down, fixed_across = _fixed_finders(version, ecl)
    unmasked, (ours_down, ours_across), ours_n2 = _symbol_parts(
        _data_grid(text, version, ecl) ^ _function_grid(version), version
    )
    bounds = []
    for mask, layer in enumerate(_mask_layers(version, ecl)):
        bits, _, (theirs_down, theirs_across), theirs_n2 = layer
        d = unmasked ^ bits
        same_down, n1_down = _line_runs(ours_down, theirs_down, 1)
        same_across, n1_across = _line_runs(ours_across, theirs_across, width)
        n2 = 3 * (same_down & same_across & (ours_n2 ^ theirs_n2)).bit_count()
        cheap = n1_down + n1_across + n2 + _dark_share_penalty(d, n)
        bounds.append((cheap + fixed_down + fixed_across, mask, cheap, d, layer))
    bounds.sort()  # by (bound, mask): masks are distinct, the rest is never compared
    best = (_NO_SCORE, 8)
    for bound, mask, cheap, d, (_, bits_light, (theirs_down, theirs_across), _) in bounds:
        if (bound, mask) > best:
            break  # and so are all the bounds after it
        light = unmasked ^ bits_light
        score = cheap + _line_finders(d, light, ours_down, theirs_down, 1)
        if (score + fixed_across, mask) < best:
            score += _line_finders(d, light, ours_across, theirs_across, width)
            best = min(best, (score, mask))
    return version, best[1]
