"""Where and how the notarisation stamp sits on page 1 — part of the proof, so a verifier can regenerate the
exact notarisation update byte for byte. FORMAT-CRITICAL (docs/proof-format.md §9, docs/stamp-format.md): fields
are added, never renamed or re-typed.

The *placement* (page, position, size, caption, error-correction level) is decided before the batch is built and
is bound into the document's leaf (:func:`placement_digest`), so nobody can re-stamp a genuine original with a
white box over its content or a caption of their own. The QR version and mask are not bound: they only choose
how the same text is drawn inside the same square, and they depend on the proof itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode as abi_encode

from notary.core.format_errors import UnknownFieldError
from notary.core.hashing import Digest32, raw_keccak256
from notary.core.text_rules import check_text
from notary.errors import FormatError

STAMP_VERSION = 1
PLACEMENT_TAG = "notary.stamp.v1"
_ECLS = ("L", "M", "Q", "H")
_MAX_CAPTION = 200
_JSON_KEYS = frozenset({"stamp_version", "page", "x", "y", "size", "caption", "qr_version", "qr_ecl", "qr_mask"})


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

    def __post_init__(self) -> None:
        if self.stamp_version != STAMP_VERSION:
            raise FormatError(f"unknown stamp version {self.stamp_version} (this software knows {STAMP_VERSION})")
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
        return placement_digest(self.stamp_version, self.page, self.x, self.y, self.size, self.caption, self.qr_ecl)

    def to_json_dict(self) -> dict[str, Any]:
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
        }

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> StampLayout:
        """Parse the JSON object; unknown (unsigned) keys, missing or mistyped ones raise."""
        if not isinstance(data, Mapping):
            raise FormatError("stamp layout must be a JSON object")
        unknown = sorted(str(k) for k in data if k not in _JSON_KEYS)
        if unknown:
            raise UnknownFieldError(f"stamp layout member {unknown[0]!r} is not defined in this format version")
        ints = ("stamp_version", "page", "x", "y", "size", "qr_version", "qr_mask")
        values: dict[str, Any] = {}
        for key in ints:
            value = data.get(key)
            if type(value) is not int:
                raise FormatError(f"stamp layout field {key!r} must be an integer")
            values[key] = value
        for key in ("caption", "qr_ecl"):
            value = data.get(key)
            if not isinstance(value, str):
                raise FormatError(f"stamp layout field {key!r} must be a string")
            values[key] = value
        return cls(**values)


def placement_digest(stamp_version: int, page: int, x: int, y: int, size: int, caption: str, qr_ecl: str) -> Digest32:
    """``keccak256(abi.encode(string "notary.stamp.v1", uint8 stampVersion, uint8 page, uint32 x, uint32 y,
    uint32 size, string caption, string qrEcl))`` — what the leaf binds of a stamp."""
    encoded = abi_encode(
        ["string", "uint8", "uint8", "uint32", "uint32", "uint32", "string", "string"],
        [PLACEMENT_TAG, stamp_version, page, x, y, size, caption, qr_ecl],
    )
    return Digest32(raw_keccak256(encoded))
