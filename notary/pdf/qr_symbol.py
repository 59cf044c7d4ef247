"""QR Code Model 2 symbols (ISO/IEC 18004) for one alphanumeric segment — FORMAT-CRITICAL.

Why our own encoder: the notarisation update must be regenerable byte for byte in decades, so the module
matrix must be a pure function of (text, version, error correction level, mask). Per ISO/IEC 18004 it is,
*provided* the data is encoded in one fixed way. We fix it to exactly ONE alphanumeric-mode segment, then
the terminator, bit padding and the 0xEC/0x11 pad codewords, Reed-Solomon blocks and the module placement
of the standard. Off-the-shelf encoders optimise the segmentation (zint, behind zxing-cpp, switches to
numeric mode inside long digit runs), so their matrices differ for some texts; segno can be forced to one
segment but takes 6-14 ms per symbol in pure Python. This module needs ~0.6 ms for a version-19 symbol
(cached function patterns, a table-driven Reed-Solomon division on Python integers) and is cross-checked
in the tests against segno (matrix equality) and zxing-cpp (decoding and matrix equality on letter-only
texts, where every encoder picks one alphanumeric segment).

Only the mask *choice* is delegated to zxing-cpp's penalty evaluation (``choose_qr_params``); the chosen
mask is recorded in the stamp layout, so that choice is not format-critical.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, cast

from notary.errors import PdfError

ALPHANUMERIC_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_VALUE = {ch: i for i, ch in enumerate(ALPHANUMERIC_CHARSET)}

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


def is_alphanumeric(text: str) -> bool:
    """True when ``text`` fits the QR alphanumeric charset (uppercase A-Z, 0-9, space, $%*+-./:)."""
    return all(ch in _ALNUM_VALUE for ch in text)


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


def _check(text: str, version: int, ecl: str, mask: int) -> None:
    if ecl not in _ECC_PER_BLOCK:
        raise PdfError(f"unknown QR error correction level {ecl!r}")
    if not 1 <= version <= 40:
        raise PdfError(f"QR version out of range: {version}")
    if not 0 <= mask <= 7:
        raise PdfError(f"QR mask out of range: {mask}")
    if not is_alphanumeric(text):
        raise PdfError("the QR text must use only the QR alphanumeric characters (A-Z 0-9 space $%*+-./:)")
    if len(text) > alphanumeric_capacity(version, ecl):
        raise PdfError(f"{len(text)} characters do not fit a version-{version}-{ecl} QR code")


def _data_bits(text: str, version: int, ecl: str) -> bytes:
    """Mode indicator, character count, 11-bit pairs, terminator, bit padding and pad codewords."""
    values = [_ALNUM_VALUE[ch] for ch in text]
    acc = 0b0010
    nbits = 4
    count_bits = _count_bits(version)
    acc = (acc << count_bits) | len(values)
    nbits += count_bits
    for i in range(0, len(values) - 1, 2):
        acc = (acc << 11) | (values[i] * 45 + values[i + 1])
        nbits += 11
    if len(values) % 2:
        acc = (acc << 6) | values[-1]
        nbits += 6
    capacity_bits = data_codewords(version, ecl) * 8
    terminator = min(4, capacity_bits - nbits)
    acc <<= terminator
    nbits += terminator
    pad_to_byte = -nbits % 8
    acc <<= pad_to_byte
    nbits += pad_to_byte
    data = acc.to_bytes(nbits // 8, "big")
    pad_count = capacity_bits // 8 - len(data)
    return data + (b"\xec\x11" * (pad_count // 2 + 1))[:pad_count]


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
    table = _rs_table(degree)
    shift = 8 * (degree - 1)
    keep = (1 << shift) - 1
    rem = 0
    for byte in data:
        factor = (rem >> shift) ^ byte
        rem = ((rem & keep) << 8) ^ table[factor]
    return rem.to_bytes(degree, "big")


def _codewords(data: bytes, version: int, ecl: str) -> bytes:
    """Split into blocks, add ECC, interleave (ISO/IEC 18004 7.6)."""
    num_blocks = _NUM_BLOCKS[ecl][version]
    ecc_len = _ECC_PER_BLOCK[ecl][version]
    raw = _raw_data_modules(version) // 8
    num_short = num_blocks - raw % num_blocks
    short_data = raw // num_blocks - ecc_len
    blocks: list[bytes] = []
    eccs: list[bytes] = []
    pos = 0
    for i in range(num_blocks):
        length = short_data + (0 if i < num_short else 1)
        block = data[pos : pos + length]
        pos += length
        blocks.append(block)
        eccs.append(_rs_remainder(block, ecc_len))
    out = bytearray()
    for i in range(short_data + 1):
        for block in blocks:
            if i < len(block):
                out.append(block[i])
    for i in range(ecc_len):
        for ecc in eccs:
            out.append(ecc[i])
    return bytes(out)


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
    """The mask pattern over the data area XOR the format information, as one integer (a byte per module)."""
    n = symbol_size(version)
    _, func, _ = _function_template(version)
    cond = _MASKS[mask]
    layer = bytearray(n * n)
    for r in range(n):
        base = r * n
        for c in range(n):
            if not func[base + c] and cond(r, c):
                layer[base + c] = 1
    bits = _bch_format(ecl, mask)
    for i in range(15):
        bit = (bits >> i) & 1
        # first copy, around the upper-left finder
        if i < 6:
            row, col = i, 8
        elif i < 8:
            row, col = i + 1, 8
        elif i == 8:
            row, col = 8, 7
        else:
            row, col = 8, 14 - i
        layer[row * n + col] = bit
        # second copy, split between the lower-left and upper-right finders
        if i < 8:
            row, col = 8, n - 1 - i
        else:
            row, col = n - 15 + i, 8
        layer[row * n + col] = bit
    return int.from_bytes(layer, "big")


def qr_matrix(text: str, version: int, ecl: str, mask: int) -> Matrix:
    """The QR symbol for ``text`` as one alphanumeric segment at a fixed version, ECL and mask.

    Raises PdfError when the text is not alphanumeric, does not fit, or a parameter is out of range.
    """
    _check(text, version, ecl, mask)
    n = symbol_size(version)
    dark, _, order = _function_template(version)
    codewords = _codewords(_data_bits(text, version, ecl), version, ecl)
    bitstring = format(int.from_bytes(codewords, "big"), f"0{len(codewords) * 8}b")
    data = bytearray(n * n)
    for idx, bit in zip(order, bitstring, strict=False):  # remainder bits stay light
        if bit == "1":
            data[idx] = 1
    modules = (
        int.from_bytes(data, "big") ^ int.from_bytes(dark, "big") ^ _mask_and_format(version, ecl, mask)
    ).to_bytes(n * n, "big")
    return tuple(tuple(b == 1 for b in modules[r * n : (r + 1) * n]) for r in range(n))


def smallest_version(text: str, ecl: str = "M") -> int:
    """Smallest QR version whose one alphanumeric segment holds ``text`` at ``ecl``."""
    if ecl not in _ECC_PER_BLOCK:
        raise PdfError(f"unknown QR error correction level {ecl!r}")
    for version in range(1, 41):
        if len(text) <= alphanumeric_capacity(version, ecl):
            return version
    raise PdfError(f"{len(text)} characters do not fit any QR code at level {ecl}")


def choose_qr_params(text: str, ecl: str = "M") -> tuple[int, int]:
    """(version, mask) for ``text``: the smallest version, and the mask an ISO penalty evaluation prefers.

    The penalty evaluation is zxing-cpp's (via zint), run once at issuance on the same text at the same
    version and level; its segmentation may differ from ours, so its choice is a good heuristic, not a
    derivation — which is fine, because the chosen mask is recorded in the layout and any mask is valid.
    The mask is read back from the symbol's format information.
    """
    if not is_alphanumeric(text):
        raise PdfError("the QR text must use only the QR alphanumeric characters (A-Z 0-9 space $%*+-./:)")
    version = smallest_version(text, ecl)
    return version, _penalty_mask(text, version, ecl)


def _penalty_mask(text: str, version: int, ecl: str) -> int:
    try:
        import zxingcpp
    except ImportError:  # pragma: no cover - zxing-cpp is a project dependency
        return 0
    try:
        barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ecLevel=ecl, version=version)
        pixels = bytes(memoryview(cast(Any, barcode.to_image(scale=1, add_quiet_zones=False))))
    except Exception:
        return 0
    n = symbol_size(version)
    if len(pixels) != n * n:
        return 0
    bits = 0
    for i in range(15):  # first copy of the format information, bit i at the positions used above
        if i < 6:
            row, col = i, 8
        elif i < 8:
            row, col = i + 1, 8
        elif i == 8:
            row, col = 8, 7
        else:
            row, col = 8, 14 - i
        if pixels[row * n + col] == 0:
            bits |= 1 << i
    for mask in range(8):
        if _bch_format(ecl, mask) == bits:
            return mask
    return 0
