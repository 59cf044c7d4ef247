"""Where and how the notarisation stamp sits on page 1 — part of the proof, so a verifier can regenerate the
exact notarisation update byte for byte. FORMAT-CRITICAL (docs/proof-format.md §9, docs/stamp-format.md): fields
are added, never renamed or re-typed.

The *placement* (page, position, size, caption, error-correction level and, from stamp version 2, the verifier
URL in the QR) is decided before the batch is built and is bound into the document's leaf
(:func:`placement_digest`), so nobody can re-stamp a genuine original with a white box over its content, a caption
of their own or a QR that opens their own page. The QR version and mask are not bound: they only choose
how the same text is drawn inside the same square, and they depend on the proof itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode as abi_encode

from notary.core.format_errors import UnknownFieldError
from notary.core.hashing import Digest32, raw_keccak256
from notary.core.text_rules import check_text
from notary.errors import FormatError

STAMP_VERSION = 1
"""The stamp whose QR holds the payload alone (one alphanumeric segment)."""
URL_STAMP_VERSION = 2
"""The stamp whose QR holds ``qr_url`` + payload (a byte segment, then an alphanumeric one), so that a phone's
camera app opens the verifier (docs/stamp-format.md S§7, docs/proof-format.md §8)."""
STAMP_VERSIONS = (STAMP_VERSION, URL_STAMP_VERSION)
PLACEMENT_TAG = "notary.stamp.v1"
URL_PLACEMENT_TAG = "notary.stamp.v2"
MAX_QR_URL = 64
"""Characters, ``#`` included. The QR budget (docs/proof-format.md §12) is measured with a URL this long."""
_QR_URL = re.compile(
    r"(?P<scheme>https|http)://(?P<host>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)"
    r"(?::(?P<port>[1-9][0-9]{0,4}))?(?:/[A-Za-z0-9._~/-]*)?#",
    re.ASCII,
)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1"})
_ECLS = ("L", "M", "Q", "H")
_MAX_CAPTION = 200
_JSON_KEYS = frozenset({"stamp_version", "page", "x", "y", "size", "caption", "qr_version", "qr_ecl", "qr_mask"})
_URL_JSON_KEYS = _JSON_KEYS | {"qr_url"}


def check_qr_url(url: str) -> str:
    """``url`` if it may open a stamp-version-2 QR (docs/proof-format.md §9), else FormatError.

    ``https://`` or, for a verifier on the same machine only, ``http://localhost`` / ``http://127.0.0.1``; a lower
    case host, an optional port and path (letters, digits, ``. _ ~ / -``), ending in exactly one ``#``; at most
    MAX_QR_URL characters. No query, user info or percent-escapes: one spelling per address, and nothing
    a browser would rewrite before the page reads the fragment.
    """
    if not isinstance(url, str) or len(url) > MAX_QR_URL:
        raise FormatError(f"stamp qr_url must be a string of at most {MAX_QR_URL} characters")
    match = _QR_URL.fullmatch(url)
    # a browser refuses a port above 65535 and a host with an empty label (a..b), so such a QR opens nothing
    if match is None or int(match["port"] or 1) > 65535:
        raise FormatError(
            "stamp qr_url must look like https://host[:port][/path]# (lower-case host, one '#' at the end)"
        )
    if match["scheme"] == "http" and match["host"] not in LOOPBACK_HOSTS:
        raise FormatError("stamp qr_url must use https (plain http only for localhost or 127.0.0.1)")
    return url


def qr_url_for(verifier_url: str) -> str:
    """The stamp's ``qr_url`` for a verifier's address: scheme and host lower-cased (they are case-insensitive,
    and one spelling keeps the bound URL canonical), one ``/`` and ``#`` appended; FormatError when
    :func:`check_qr_url` refuses the result."""
    scheme, sep, rest = verifier_url.strip().partition("://")
    host, slash, path = rest.partition("/")
    url = (scheme.lower() + sep + host.lower() + slash + path).rstrip("/") + "/#"
    return check_qr_url(url)


@dataclass(frozen=True, slots=True)
class StampLayout:
    """Geometry and QR parameters of a stamp.

    Coordinates are whole PDF points (1/72 inch) from the lower-left corner of the page's visible box; ``size``
    is the edge length of the QR symbol including its quiet zone. The QR symbol is fully fixed by
    (text, ``qr_version``, ``qr_ecl``, ``qr_mask``) per ISO/IEC 18004, so any conforming encoder redraws it.
    """

    stamp_version: int
    page: int
    x: int
    y: int
    size: int
    caption: str
    qr_version: int
    qr_ecl: str
    qr_mask: int
    qr_url: str = ""
    """Stamp version 2 only: the verifier URL (ending in ``#``) the QR text starts with; empty in version 1."""

    def __post_init__(self) -> None:
        if self.stamp_version not in STAMP_VERSIONS:
            known = " and ".join(map(str, STAMP_VERSIONS))
            raise FormatError(f"unknown stamp version {self.stamp_version} (this software knows {known})")
        if self.stamp_version == STAMP_VERSION and self.qr_url != "":
            raise FormatError("stamp version 1 carries no qr_url")
        if self.stamp_version == URL_STAMP_VERSION:
            check_qr_url(self.qr_url)
        if self.page != 0:
            raise FormatError("the stamp must sit on page 1")
        for name in ("x", "y"):
            value = getattr(self, name)
            if not 0 <= value <= 14400:
                raise FormatError(f"stamp {name} out of range: {value}")
        if not 36 <= self.size <= 1440:
            raise FormatError(f"stamp size out of range: {self.size} pt")
        if not isinstance(self.caption, str) or len(self.caption) > _MAX_CAPTION:
            raise FormatError(f"stamp caption must be a string of at most {_MAX_CAPTION} characters")
        if self.caption:  # empty: no caption line; otherwise the claims' text rules (§3.2), it is read as one
            check_text("stamp caption", self.caption)
        if not 1 <= self.qr_version <= 40:
            raise FormatError(f"QR version out of range: {self.qr_version}")
        if self.qr_ecl not in _ECLS:
            raise FormatError(f"QR error correction level must be one of {', '.join(_ECLS)}")
        if not 0 <= self.qr_mask <= 7:
            raise FormatError(f"QR mask out of range: {self.qr_mask}")

    def placement_digest(self) -> Digest32:
        """The digest the leaf binds (everything but the QR version and mask)."""
        return placement_digest(
            self.stamp_version, self.page, self.x, self.y, self.size, self.caption, self.qr_ecl, self.qr_url
        )

    def to_json_dict(self) -> dict[str, Any]:
        url = {"qr_url": self.qr_url} if self.stamp_version == URL_STAMP_VERSION else {}
        return {
            "stamp_version": self.stamp_version,
            "page": self.page,
            "x": self.x,
            "y": self.y,
            "size": self.size,
            "caption": self.caption,
            "qr_version": self.qr_version,
            "qr_ecl": self.qr_ecl,
            "qr_mask": self.qr_mask,
            **url,
        }

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> StampLayout:
        """Parse the JSON object; unknown (unsigned) keys, missing or mistyped ones raise."""
        if not isinstance(data, Mapping):
            raise FormatError("stamp layout must be a JSON object")
        keys = _URL_JSON_KEYS if data.get("stamp_version") == URL_STAMP_VERSION else _JSON_KEYS
        unknown = sorted(str(k) for k in data if k not in keys)
        if unknown:
            raise UnknownFieldError(f"stamp layout member {unknown[0]!r} is not defined in this format version")
        ints = ("stamp_version", "page", "x", "y", "size", "qr_version", "qr_mask")
        values: dict[str, Any] = {}
        for key in ints:
            value = data.get(key)
            if type(value) is not int:
                raise FormatError(f"stamp layout field {key!r} must be an integer")
            values[key] = value
        strings = ("caption", "qr_ecl", "qr_url") if keys is _URL_JSON_KEYS else ("caption", "qr_ecl")
        for key in strings:
            value = data.get(key)
            if not isinstance(value, str):
                raise FormatError(f"stamp layout field {key!r} must be a string")
            values[key] = value
        return cls(**values)


def placement_digest(
    stamp_version: int, page: int, x: int, y: int, size: int, caption: str, qr_ecl: str, qr_url: str = ""
) -> Digest32:
    """What the leaf binds of a stamp. Version 1: ``keccak256(abi.encode(string "notary.stamp.v1",
    uint8 stampVersion, uint8 page, uint32 x, uint32 y, uint32 size, string caption, string qrEcl))``; version 2
    the same under the tag ``"notary.stamp.v2"`` with ``string qrUrl`` appended."""
    types = ["string", "uint8", "uint8", "uint32", "uint32", "uint32", "string", "string"]
    values: list[Any] = [PLACEMENT_TAG, stamp_version, page, x, y, size, caption, qr_ecl]
    if stamp_version == URL_STAMP_VERSION:
        types.append("string")
        values[0] = URL_PLACEMENT_TAG
        values.append(qr_url)
    return Digest32(raw_keccak256(abi_encode(types, values)))
