"""The text inside a notarised document's QR code. FORMAT-CRITICAL (docs/proof-format.md §8).

``QR text = [verifier URL ending in "#"] "NT1:" base45(compact proof)``

* ``NT1:`` names the format and its major version, so a scanner app can tell our codes from others.
* base45 (RFC 9285) uses only the QR *alphanumeric* character set (``0-9 A-Z space $ % * + - . / :``), which
  a QR code stores at 5.5 bits per character: 2 bytes become 3 characters = 16.5 bits, about as dense as
  binary mode, while staying text that survives phone camera apps, URLs and copy-and-paste.
* The optional URL prefix lets a phone's camera app open the public verifier directly; the payload sits in
  the URL *fragment*, so it is never sent to the server (privacy) and the page decodes it locally. A QR
  encoder should put the prefix in a byte-mode segment and the rest in an alphanumeric segment.

Decoding is tolerant in exactly the ways real-world transport damages the text, and nowhere else: see
:func:`decode_qr_text`.
"""

from __future__ import annotations

import contextlib
import itertools
import urllib.parse
from collections.abc import Iterator

import base45

from notary.core.format_errors import NotANotaryQrError, UnsupportedVersionError
from notary.core.proof import MAX_COMPACT_BYTES, Proof
from notary.errors import FormatError

__all__ = [
    "BASE45_ALPHABET",
    "MAX_QR_TEXT_CHARS",
    "QR_PREFIX",
    "b45encode",
    "decode_qr_text",
    "encode_qr_text",
    "qr_payload",
    "stamp_qr_text",
]

QR_PREFIX = "NT1:"
BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
MAX_QR_TEXT_CHARS = 16 * 1024
"""Bound on the input before any work: a version-40 QR holds 4,296 alphanumeric characters, and
percent-encoding a payload at most triples it."""

_ALPHABET = frozenset(BASE45_ALPHABET)
_MAX_LITERAL_GUESSES = 2
_MAX_LITERAL_GAPS = 64
_MAX_CANDIDATES = 256
"""Bound on the percent-decoding candidates tried (step 5), the plain ones included: all of them for up to
22 ``%20`` (a 900-character payload has about 20 spaces), then every single literal guess up to 64 and the
pairs in order until the bound. Each candidate is at most one base45 decoding of at most 4,200 characters."""


def qr_payload(proof: Proof) -> str:
    """``"NT1:" + base45(proof.to_compact())`` — the part after any URL prefix."""
    return QR_PREFIX + b45encode(proof.to_compact())


# base45 (RFC 9285) for all byte pairs at once, in big-integer lanes: the pure-Python loop of the base45
# package cost ~0.1 ms per proof, a fifth of the QR work of issuing a document (issue 10). Each pair x becomes
# a 5-byte lane; its digits e = x // 2025, d = (x mod 2025) // 45, c = x mod 45 come from multiplying by a
# reciprocal and shifting (exact for every 16-bit x and every remainder below 2025: the tests check all of
# them), and no lane can carry into its neighbour (x * 66281 < 2^33, lanes are 40 bits).
_E_MUL, _E_SHIFT = 66281, 27
_D_MUL, _D_SHIFT = 1457, 16
_TO_ALPHABET = bytes.maketrans(bytes(range(45)), BASE45_ALPHABET.encode("ascii"))
_FILLER = b"\xff"
"""Marks the lane bytes that are not digits; deleted at the end (no digit is 0xFF)."""
_LANE_MASKS = 4096
"""Pairs covered by the precomputed lane masks (more than a proof has); a shift cuts them to length."""
_LOW6 = int.from_bytes(b"\0\0\0\0\x3f" * _LANE_MASKS, "big")
_FILLERS = int.from_bytes((_FILLER * 2 + bytes(3)) * _LANE_MASKS, "big")


def _lane_masks(pairs: int) -> tuple[int, int]:
    if pairs > _LANE_MASKS:
        return int.from_bytes(b"\0\0\0\0\x3f" * pairs, "big"), int.from_bytes((_FILLER * 2 + bytes(3)) * pairs, "big")
    cut = 40 * (_LANE_MASKS - pairs)
    return _LOW6 >> cut, _FILLERS >> cut


def b45encode(data: bytes) -> str:
    """base45 (RFC 9285) of ``data``: every 2 bytes (big-endian) as 3 characters, least significant digit
    first, an odd last byte as 2; the same text as ``base45.b45encode(data).decode()``."""
    pairs = len(data) >> 1
    lanes = bytearray(5 * pairs)
    lanes[3::5] = data[0 : 2 * pairs : 2]
    lanes[4::5] = data[1 : 2 * pairs : 2]
    x = int.from_bytes(lanes, "big")
    low6, filler = _lane_masks(pairs)
    e = ((x * _E_MUL) >> _E_SHIFT) & low6
    rest = x - e * 2025
    d = ((rest * _D_MUL) >> _D_SHIFT) & low6
    c = rest - d * 45
    digits = (filler | (c << 16) | (d << 8) | e).to_bytes(5 * pairs, "big")
    text = digits.translate(_TO_ALPHABET, _FILLER).decode("ascii")
    if len(data) & 1:
        high, low = divmod(data[-1], 45)
        text += BASE45_ALPHABET[low] + BASE45_ALPHABET[high]
    return text


def encode_qr_text(proof: Proof, url_prefix: str | None = None) -> str:
    """The full QR text; ``url_prefix`` (e.g. ``"https://verify.example/#"``) must contain one ``#``, at its end.

    A stamp's URL is its ``qr_url`` (stamp version 2; :func:`stamp_qr_text`), drawn as a byte segment, so
    its case costs nothing there; on other media an upper-case URL keeps the whole text alphanumeric.
    """
    payload = qr_payload(proof)
    if url_prefix is None:
        return payload
    if not url_prefix.endswith("#") or url_prefix.count("#") != 1:
        raise FormatError("the verifier URL prefix must contain exactly one '#', at its end")
    return url_prefix + payload


def stamp_qr_text(proof: Proof) -> str:
    """The QR text the stamp of a notarised PDF draws (docs/stamp-format.md S§7), from its embedded proof:
    the stamp's ``qr_url`` (stamp version 2; none in version 1) followed by the payload of ``proof.for_qr()``.

    This is the URL a phone's camera app opens, e.g. ``https://verify.example/#NT1:6BFOXN*TS0BI$ZD...``: the
    verifier page at ``qr_url`` without the ``#``, the payload in the fragment (never sent to the server).
    """
    if proof.stamp is None:
        raise FormatError("only a proof with a stamp layout has a stamp QR text")
    return encode_qr_text(proof.for_qr(), proof.stamp.qr_url or None)


def decode_qr_text(text: str) -> Proof:
    """Parse QR text into a :class:`Proof` or raise :class:`FormatError`.

    Steps, in order (docs/proof-format.md, "QR text"):

    1. Drop trailing CR/LF (scanners append them). Spaces are payload characters and are kept.
    2. Keep what follows the last ``#`` (a verifier URL prefix may precede the payload).
    3. Upper-case it: base45 has no lower-case letters, and some URL handling lower-cases text.
    4. It must start with ``NT1:``. The rest is decoded as base45 and then as a compact proof. Text that is
       not NT1 base45 at all raises :class:`NotANotaryQrError`; a broken proof inside, the proof's own error.
    5. If that fails and the text contains ``%``, the text may have been percent-encoded on its way through
       a browser (which encodes a space in a URL fragment as ``%20``; base45 itself contains ``%`` and
       space). Retry with every ``%20`` replaced by a space, then with full percent-decoding, then with
       every ``%20`` but one or two replaced (a ``%20`` that was in the payload all along). The first
       candidate that parses completely wins; a wrong candidate cannot parse, because base45 groups and
       canonical CBOR leave no slack.
    """
    if not isinstance(text, str):
        raise NotANotaryQrError(f"QR text must be a string, not {type(text).__name__}")
    if len(text) > MAX_QR_TEXT_CHARS:
        raise NotANotaryQrError(f"QR text is oversized: {len(text)} characters (limit {MAX_QR_TEXT_CHARS})")
    text = text.rstrip("\r\n").rsplit("#", 1)[-1].upper()
    try:
        return _decode_text(text)
    except FormatError as first_error:
        if "%" not in text:
            raise
        for candidate in itertools.islice(_percent_candidates(text), _MAX_CANDIDATES):
            try:
                return _decode_text(candidate)
            except FormatError:
                continue
        raise first_error from None


def _decode_text(text: str) -> Proof:
    if not text.startswith(QR_PREFIX):
        if text.startswith("NT") and text[2:3].isdigit() and text[3:4] == ":":
            raise UnsupportedVersionError(
                f"unsupported QR payload version {text[:4]!r} (this software reads {QR_PREFIX!r})"
            )
        raise NotANotaryQrError(f"not a notary QR code (the payload must start with {QR_PREFIX!r})")
    return _decode_body(text[len(QR_PREFIX) :])


def _decode_body(body: str) -> Proof:
    if not body:
        raise NotANotaryQrError("QR payload is empty after 'NT1:'")
    bad = next((c for c in body if c not in _ALPHABET), None)
    if bad is not None:
        raise NotANotaryQrError(f"QR payload has a character outside base45: {bad!r}")
    if len(body) % 3 == 1:
        raise NotANotaryQrError("QR payload is truncated (base45 length is 1 mod 3)")
    size = len(body) * 2 // 3  # exactly the decoded length: 3 characters -> 2 bytes, 2 characters -> 1 byte
    if size > MAX_COMPACT_BYTES:  # Proof.from_compact would refuse it (malformed-proof): refuse before decoding
        raise FormatError(f"QR payload is oversized: {size} bytes (limit {MAX_COMPACT_BYTES})")
    try:
        raw = base45.b45decode(body)
    except ValueError:
        raise NotANotaryQrError("QR payload is not valid base45 (a group exceeds its value range)") from None
    return Proof.from_compact(raw)


def _percent_candidates(body: str) -> Iterator[str]:
    yield body.replace("%20", " ")
    with contextlib.suppress(UnicodeDecodeError):
        yield urllib.parse.unquote(body, errors="strict")
    # Rare: the original payload itself contained "%20" (about 1 in 100 payloads of 900 characters).
    parts = body.split("%20")
    gaps = len(parts) - 1
    if gaps > _MAX_LITERAL_GAPS or _too_long(len(body) - 2 * gaps):
        return  # too many to guess, or even the shortest guess (one "%20" kept) cannot be a proof
    for literal in range(1, min(_MAX_LITERAL_GUESSES, gaps) + 1):
        for keep in itertools.combinations(range(gaps), literal):
            keep_set = set(keep)
            out = [parts[0]]
            for i in range(gaps):
                out.append("%20" if i in keep_set else " ")
                out.append(parts[i + 1])
            yield "".join(out)


def _too_long(all_replaced: int) -> bool:
    """A candidate this long (or longer) after keeping one "%20" fails the size check of ``_decode_body``."""
    return (all_replaced + 2 - len(QR_PREFIX)) * 2 // 3 > MAX_COMPACT_BYTES
