"""What a document says about itself, in a canonical form that is hashed into its leaf. FORMAT-CRITICAL
(docs/proof-format.md §3).

The claims are shown to the person verifying (so they can compare them with the paper) and bound to the
document by the leaf. Their digest is ``keccak256(canonical_encoding)``, where the canonical encoding is
Solidity's ``abi.encode`` of a fixed tuple (see :meth:`Claims.canonical_bytes`): every Ethereum library
can produce it, and there is exactly one encoding per value.

Text follows the rules of :mod:`notary.core.text_rules` (docs/proof-format.md §3.2): NFC, nothing
invisible, single U+0020 spaces, a bounded number of combining marks, so two claims that *look* the same are
the same bytes. The constructor rejects
anything else (a proof carrying non-canonical text was not made by a conforming issuer);
:meth:`Claims.create` is the forgiving entry point for issuers that normalises first.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode as abi_encode

from notary.core import _cbor, _json, text_rules
from notary.core.format_errors import NonCanonicalError, UnknownFieldError
from notary.core.hashing import Digest32, keccak256
from notary.errors import FormatError

__all__ = [
    "CLAIMS_TAG",
    "MAX_ISSUER_REF_CHARS",
    "MAX_TEXT_CHARS",
    "Claims",
    "claims_digest",
]

CLAIMS_TAG = "notary.claims.v1"
"""First element of the encoded tuple: domain separation from any other keccak(abi.encode(...)) input."""
CLAIMS_FACTS_TAG = "notary.claims.v1.1"
"""The tag of the encoding with key facts (format 1.1): another tuple, so another tag."""
MAX_FACTS = 8
MAX_FACT_LABEL_CHARS = 40
MAX_FACT_VALUE_CHARS = 100

MAX_TEXT_CHARS = 200
MAX_ISSUER_REF_CHARS = 64
MAX_JSON_BYTES = 8 * 1024
MAX_COMPACT_BYTES = 2 * 1024

_JSON_KEYS = frozenset({"doc_type", "title", "holder", "issued_on", "valid_until", "issuer_ref", "facts"})
_SLUG = re.compile(r"[a-z0-9-]{1,32}", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _check_text(name: str, value: object, max_chars: int) -> str:
    if not isinstance(value, str):
        raise FormatError(f"claims field {name!r} must be a string, not {type(value).__name__}")
    if not value:
        raise FormatError(f"claims field {name!r} must not be empty")
    if len(value) > max_chars:
        raise FormatError(f"claims field {name!r} is too long: {len(value)} characters (limit {max_chars})")
    return text_rules.check_text(f"claims field {name!r}", value)


def _date_int(d: _dt.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def _date_from_int(name: str, value: object) -> _dt.date:
    if type(value) is not int or not 10101 <= value <= 99991231:
        raise FormatError(f"claims field {name!r} must be a date as YYYYMMDD")
    try:
        return _dt.date(value // 10000, value // 100 % 100, value % 100)
    except ValueError:
        raise FormatError(f"claims field {name!r} is not a real calendar date: {value}") from None


def _date_from_iso(name: str, value: object) -> _dt.date:
    # date.fromisoformat also accepts "20250715" and week dates; the format allows exactly one spelling.
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise FormatError(f"claims field {name!r} must be a date as YYYY-MM-DD")
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise FormatError(f"claims field {name!r} is not a real calendar date: {value}") from None


def _abi_uint(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _abi_string_tail(value: str) -> bytes:
    raw = value.encode("utf-8")
    return _abi_uint(len(raw)) + raw + b"\x00" * (-len(raw) % 32)


@dataclass(frozen=True, slots=True)
class Claims:
    """The human-readable statement a document makes: type, title, holder, dates, issuer reference.

    ``doc_type`` is a slug (``[a-z0-9-]{1,32}``, e.g. ``zeugnis``, ``urkunde``, ``gewerbeauskunft``) that
    verifier UIs translate; ``title`` and ``holder`` are shown verbatim; ``issuer_ref`` is the issuer's own
    file number, if any. ``valid_until``, if given, is not before ``issued_on``.
    """

    doc_type: str
    title: str
    holder: str
    issued_on: _dt.date
    valid_until: _dt.date | None = None
    issuer_ref: str | None = None
    facts: tuple[tuple[str, str], ...] = ()
    """Key facts a reader compares with the paper (e.g. ("Abschluss", "Mittlere Reife")), in the issuer's order;
    format 1.1 (docs/proof-format.md §3.3). Labels are unique."""

    def __post_init__(self) -> None:
        if not isinstance(self.doc_type, str) or not _SLUG.fullmatch(self.doc_type):
            raise FormatError("claims field 'doc_type' must match [a-z0-9-]{1,32}")
        _check_text("title", self.title, MAX_TEXT_CHARS)
        _check_text("holder", self.holder, MAX_TEXT_CHARS)
        # datetime is a date subclass; a time of day in a date field would be silently dropped.
        if type(self.issued_on) is not _dt.date:
            raise FormatError("claims field 'issued_on' must be a date")
        if self.valid_until is not None:
            if type(self.valid_until) is not _dt.date:
                raise FormatError("claims field 'valid_until' must be a date")
            if self.valid_until < self.issued_on:
                raise FormatError("claims field 'valid_until' is before 'issued_on'")
        if self.issuer_ref is not None:
            _check_text("issuer_ref", self.issuer_ref, MAX_ISSUER_REF_CHARS)
        object.__setattr__(self, "facts", _check_facts(self.facts))

    @classmethod
    def create(
        cls,
        *,
        doc_type: str,
        title: str,
        holder: str,
        issued_on: _dt.date,
        valid_until: _dt.date | None = None,
        issuer_ref: str | None = None,
        facts: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (),
    ) -> Claims:
        """Issuer-side constructor: normalises the text fields (NFC, white space runs as one space, trimmed;
        :func:`notary.core.text_rules.normalise`), maps ``""`` to ``None``; refuses what is still not allowed."""

        def norm(s: str) -> str:
            return text_rules.normalise(s) if isinstance(s, str) else s

        ref = norm(issuer_ref) if issuer_ref is not None else None
        return cls(
            doc_type=doc_type,
            title=norm(title),
            holder=norm(holder),
            issued_on=issued_on,
            valid_until=valid_until,
            issuer_ref=ref or None,
            facts=tuple((norm(label), norm(value)) for label, value in facts),
        )

    # -- the hashed form -------------------------------------------------------------------------------

    def canonical_bytes(self) -> bytes:
        """``abi.encode(string tag, string docType, string title, string holder, uint32 issuedOn,
        uint32 validUntil, string issuerRef)`` with tag ``"notary.claims.v1"``, dates as YYYYMMDD integers,
        an absent ``valid_until`` as 0 and an absent ``issuer_ref`` as the empty string.

        Written out by hand (it is short) because this runs once per document in bulk issuance; the tests
        check it equals eth_abi's and @metamask/abi-utils' output.
        """
        if self.facts:
            return self._canonical_bytes_with_facts()
        strings = (CLAIMS_TAG, self.doc_type, self.title, self.holder)
        ref = self.issuer_ref or ""
        valid = _date_int(self.valid_until) if self.valid_until is not None else 0
        head_size = 7 * 32
        tails = [_abi_string_tail(s) for s in (*strings, ref)]
        offsets = []
        offset = head_size
        for tail in tails:
            offsets.append(offset)
            offset += len(tail)
        head = b"".join(
            [
                *(_abi_uint(o) for o in offsets[:4]),
                _abi_uint(_date_int(self.issued_on)),
                _abi_uint(valid),
                _abi_uint(offsets[4]),
            ]
        )
        return head + b"".join(tails)

    def _canonical_bytes_with_facts(self) -> bytes:
        """Format 1.1: ``abi.encode(string tag, string docType, string title, string holder, uint32 issuedOn,
        uint32 validUntil, string issuerRef, string[] factLabels, string[] factValues)``, tag
        ``"notary.claims.v1.1"``."""
        valid = _date_int(self.valid_until) if self.valid_until is not None else 0
        return abi_encode(
            ["string", "string", "string", "string", "uint32", "uint32", "string", "string[]", "string[]"],
            [CLAIMS_FACTS_TAG, self.doc_type, self.title, self.holder, _date_int(self.issued_on), valid,
             self.issuer_ref or "", [label for label, _ in self.facts], [value for _, value in self.facts]],
        )  # fmt: skip

    def digest(self) -> Digest32:
        """``keccak256(canonical_bytes())``: the claims digest that goes into the leaf."""
        return keccak256(self.canonical_bytes())

    # -- JSON form -------------------------------------------------------------------------------------

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "doc_type": self.doc_type,
            "title": self.title,
            "holder": self.holder,
            "issued_on": self.issued_on.isoformat(),
        }
        if self.valid_until is not None:
            out["valid_until"] = self.valid_until.isoformat()
        if self.issuer_ref is not None:
            out["issuer_ref"] = self.issuer_ref
        if self.facts:
            out["facts"] = [[label, value] for label, value in self.facts]
        return out

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> Claims:
        """Parse the JSON object. Only the members of §3 are allowed, and an optional one is either present
        with a value or absent (no ``null``): anything else would be bytes nobody signed."""
        if not isinstance(data, Mapping):
            raise FormatError("claims must be a JSON object")
        unknown = sorted(str(k) for k in data if k not in _JSON_KEYS)
        if unknown:
            raise UnknownFieldError(f"claims member {unknown[0]!r} is not defined in this format version")
        for key in ("doc_type", "title", "holder", "issued_on"):
            if key not in data:
                raise FormatError(f"claims field {key!r} is missing")
        for key in ("valid_until", "issuer_ref", "facts"):
            if key in data and data[key] is None:
                raise NonCanonicalError(f"claims field {key!r} is null: leave an absent field out")
        if "facts" in data and data["facts"] == []:
            raise NonCanonicalError("claims field 'facts' is empty: leave it out")
        valid = data.get("valid_until")
        ref = data.get("issuer_ref")
        return cls(
            doc_type=data["doc_type"],
            title=data["title"],
            holder=data["holder"],
            issued_on=_date_from_iso("issued_on", data["issued_on"]),
            valid_until=_date_from_iso("valid_until", valid) if valid is not None else None,
            issuer_ref=ref,
            facts=_facts_from_lists(data.get("facts", [])),
        )

    def to_json(self) -> bytes:
        return _json.dumps(self.to_json_dict())

    @classmethod
    def from_json(cls, data: bytes) -> Claims:
        return cls.from_json_dict(_json.loads(data, max_bytes=MAX_JSON_BYTES, what="claims JSON"))

    # -- compact (CBOR) form ---------------------------------------------------------------------------

    def to_compact_obj(self) -> list[Any]:
        """``[doc_type, title, holder, issued_on, valid_until, issuer_ref]``; dates as YYYYMMDD integers,
        absent ``valid_until`` = 0, absent ``issuer_ref`` = ``""`` (mirrors the canonical encoding); with key
        facts a seventh element ``[[label, value], ...]`` (format 1.1)."""
        out: list[Any] = [
            self.doc_type,
            self.title,
            self.holder,
            _date_int(self.issued_on),
            _date_int(self.valid_until) if self.valid_until is not None else 0,
            self.issuer_ref or "",
        ]
        if self.facts:
            out.append([[label, value] for label, value in self.facts])
        return out

    @classmethod
    def from_compact_obj(cls, value: object) -> Claims:
        if not isinstance(value, list) or len(value) not in (6, 7):
            raise FormatError("compact claims must be an array of 6 elements (7 with key facts)")
        doc_type, title, holder, issued, valid, ref = value[:6]
        if len(value) == 7 and value[6] == []:
            raise NonCanonicalError("compact claims carry an empty list of key facts: leave it out")
        if type(valid) is not int:
            raise FormatError("claims field 'valid_until' must be a date as YYYYMMDD")
        if not isinstance(ref, str):
            raise FormatError("claims field 'issuer_ref' must be a string")
        return cls(
            doc_type=doc_type,
            title=title,
            holder=holder,
            issued_on=_date_from_int("issued_on", issued),
            valid_until=_date_from_int("valid_until", valid) if valid != 0 else None,
            issuer_ref=ref or None,
            facts=_facts_from_lists(value[6]) if len(value) == 7 else (),
        )

    def to_compact(self) -> bytes:
        return _cbor.dumps(self.to_compact_obj())

    @classmethod
    def from_compact(cls, data: bytes) -> Claims:
        return cls.from_compact_obj(_cbor.loads(data, max_bytes=MAX_COMPACT_BYTES, what="compact claims"))


def _check_facts(facts: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(facts, tuple | list):
        raise FormatError("claims field 'facts' must be a list of (label, value) pairs")
    if len(facts) > MAX_FACTS:
        raise FormatError(f"claims carry {len(facts)} key facts (limit {MAX_FACTS})")
    out: list[tuple[str, str]] = []
    for pair in facts:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise FormatError("a key fact must be a (label, value) pair")
        label = _check_text("fact label", pair[0], MAX_FACT_LABEL_CHARS)
        value = _check_text(f"fact {label!r}", pair[1], MAX_FACT_VALUE_CHARS)
        if any(label == seen for seen, _ in out):
            raise FormatError(f"the key fact {label!r} is given twice")
        out.append((label, value))
    return tuple(out)


def _facts_from_lists(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not all(isinstance(pair, list) for pair in value):
        raise FormatError("claims field 'facts' must be a list of [label, value] lists")
    return _check_facts([tuple(pair) for pair in value])


def claims_digest(claims: Claims) -> Digest32:
    """``keccak256`` of the canonical claims encoding (see :meth:`Claims.canonical_bytes`)."""
    return claims.digest()
