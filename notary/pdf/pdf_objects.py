"""A small PDF object model and its serialiser — FORMAT-CRITICAL ("stamp format v1").

Normative text: docs/stamp-format.md S§3.

Why not pypdf's writer: the notarisation update is regenerated and compared byte for byte by verifiers for
decades, so its bytes must not depend on any library's serialiser. These rules are the whole definition and
never change (a new rule would be a new stamp format version):

- null, true, false; integers in decimal; reals (:class:`Real`) in plain decimal notation without exponent,
  trailing zeros and a trailing dot removed, ``-0`` written as ``0``;
- names: ``/`` then the name's bytes, every byte outside 0x21-0x7E and every delimiter ``()<>[]{}/%`` and
  ``#`` written as ``#XX`` (uppercase hex);
- strings: literal ``(...)`` when every byte is printable ASCII 0x20-0x7E, with ``\\``, ``(`` and ``)``
  escaped by a backslash; otherwise hexadecimal ``<...>`` in lowercase;
- references ``N G R``; arrays ``[a b c]`` with single spaces; dictionaries ``<</Key value /Key value>>``
  with keys sorted by their raw bytes and single spaces.

Values copied from an original PDF keep their indirect references as references; inline values are
converted with :func:`from_pypdf` (bounded in depth and size, so a hostile file cannot exhaust us).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache, lru_cache
from operator import attrgetter
from typing import Any

from notary.errors import PdfError


@dataclass(frozen=True, slots=True, order=True)
class Name:
    """A PDF name; ``raw`` excludes the leading slash."""

    raw: bytes


@dataclass(frozen=True, slots=True)
class Ref:
    """An indirect reference ``num gen R``."""

    num: int
    gen: int = 0


@dataclass(frozen=True, slots=True)
class Real:
    """A PDF real number, held exactly as a Decimal."""

    value: Decimal

    @classmethod
    def from_float(cls, value: float) -> Real:
        """Python's shortest round-trip repr of the double: what the original file most likely said."""
        return cls(Decimal(repr(float(value))))

    @classmethod
    def rounded(cls, value: Fraction | int, places: int) -> Real:
        """An exact rational rounded half-even to ``places`` decimals (integer arithmetic only)."""
        scaled = Fraction(value) * 10**places
        quotient, rest = divmod(scaled.numerator, scaled.denominator)
        if 2 * rest > scaled.denominator or (2 * rest == scaled.denominator and quotient % 2 == 1):
            quotient += 1
        return cls(Decimal(quotient).scaleb(-places))


PdfValue = None | bool | int | Real | bytes | Name | Ref | list["PdfValue"] | dict[Name, "PdfValue"]

_NAME_DELIMITERS = frozenset(b"()<>[]{}/%#")


@lru_cache(maxsize=256)
def name(text: str) -> Name:
    """A name from ASCII text, e.g. ``name("Type")``. Cached (a Name is immutable): the stamp's few dozen
    fixed names are made once, not for every document."""
    return Name(text.encode("ascii"))


def format_real(value: Decimal) -> bytes:
    """Plain decimal notation, no exponent, no trailing zeros, no ``-0``."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.encode("ascii")


def serialise_name(value: Name) -> bytes:
    return _name_bytes(value.raw)


def _name_bytes(raw: bytes) -> bytes:
    cached = _NAME_BYTES.get(raw)
    if cached is not None:
        return cached
    out = bytearray(b"/")
    for byte in raw:
        if 0x21 <= byte <= 0x7E and byte not in _NAME_DELIMITERS:
            out.append(byte)
        else:
            out += b"#%02X" % byte
    if len(_NAME_BYTES) >= _NAME_CACHE_SIZE:
        _NAME_BYTES.clear()  # a hostile file's many names cannot grow it without bound
    _NAME_BYTES[raw] = result = bytes(out)
    return result


_PRINTABLE = bytes(range(0x20, 0x7F))
_NAME_BYTES: dict[bytes, bytes] = {}
"""raw -> serialised name: the same few dozen names (/Type, /Font, /Resources ...) recur in every stamp."""
_NAME_CACHE_SIZE = 4096


def serialise_string(value: bytes) -> bytes:
    if not value.translate(None, _PRINTABLE):  # every byte is printable ASCII
        escaped = value.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        return b"(" + escaped + b")"
    return b"<" + value.hex().encode("ascii") + b">"


def serialise(value: PdfValue) -> bytes:
    """The stamp-format-v1 bytes of ``value`` (see the module docstring for the rules)."""
    # exact types first (the common case); bools, None and subclasses take the general path
    if type(value) is Name:
        return serialise_name(value)
    if type(value) is Ref:
        return b"%d %d R" % (value.num, value.gen)
    if type(value) is int:
        return b"%d" % value
    if type(value) is dict:
        try:
            # (raw bytes, value) pairs sorted: the order of Name (a dataclass compares its one field) without
            # calling its comparison or hash; the raw bytes of a dictionary's names differ, so no values compare
            items = sorted(zip(map(_RAW, value), value.values(), strict=True))
        except AttributeError:
            entries = [serialise_name(key) + b" " + serialise(value[key]) for key in sorted(value)]
        else:
            names = _NAME_BYTES
            entries = [(names.get(raw) or _name_bytes(raw)) + b" " + serialise(item) for raw, item in items]
        return b"<<" + b" ".join(entries) + b">>"
    if type(value) is list:
        return b"[" + b" ".join(map(serialise, value)) + b"]"
    return _serialise_other(value)


_RAW = attrgetter("raw")


def _serialise_other(value: PdfValue) -> bytes:
    if value is None:
        return b"null"
    if value is True:
        return b"true"
    if value is False:
        return b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, Real):
        return format_real(value.value)
    if isinstance(value, bytes):
        return serialise_string(value)
    if isinstance(value, Name):
        return serialise_name(value)
    if isinstance(value, Ref):
        return b"%d %d R" % (value.num, value.gen)
    if isinstance(value, list):
        return b"[" + b" ".join(serialise(item) for item in value) + b"]"
    if isinstance(value, dict):
        entries = [serialise_name(key) + b" " + serialise(value[key]) for key in sorted(value)]
        return b"<<" + b" ".join(entries) + b">>"
    raise TypeError(f"not a PDF value: {type(value).__name__}")


# --- Conversion from pypdf's parsed objects -------------------------------------------------------------------

MAX_DEPTH = 32
MAX_NODES = 50_000


class Budget:
    """Bounds the work of one conversion: nesting depth and number of visited values."""

    def __init__(self, nodes: int = MAX_NODES) -> None:
        self.nodes = nodes

    def spend(self) -> None:
        self.nodes -= 1
        if self.nodes < 0:
            raise PdfError("the PDF has an implausibly large object structure")


def from_pypdf(obj: Any, budget: Budget | None = None, depth: int = 0) -> PdfValue:
    """Convert one *raw* pypdf value (indirect references NOT resolved) into the model above."""
    budget = budget or Budget()
    budget.spend()
    if depth > MAX_DEPTH:
        raise PdfError("the PDF nests objects too deeply")
    g = _pypdf_generic()
    kind = type(obj)
    # exact pypdf types first (what a parsed file holds); anything else takes the general path below
    if kind is g.NameObject:
        return Name(str(obj)[1:].encode("utf-8"))
    if kind is g.IndirectObject:
        return Ref(int(obj.idnum), int(obj.generation))
    if kind is g.NumberObject:
        return int(obj)
    if kind is g.DictionaryObject:
        return {
            Name(str(key)[1:].encode("utf-8")): from_pypdf(item, budget, depth + 1) for key, item in dict.items(obj)
        }
    if kind is g.ArrayObject:
        return [from_pypdf(item, budget, depth + 1) for item in list.__iter__(obj)]
    if isinstance(obj, g.IndirectObject):
        return Ref(int(obj.idnum), int(obj.generation))
    if isinstance(obj, g.NullObject) or obj is None:
        return None
    if isinstance(obj, g.BooleanObject):
        return bool(obj.value)  # bool(BooleanObject(False)) is True: pypdf objects are always truthy
    if isinstance(obj, g.NameObject):
        return Name(str(obj)[1:].encode("utf-8"))
    if isinstance(obj, g.TextStringObject):
        return bytes(obj.original_bytes)
    if isinstance(obj, g.ByteStringObject):
        return bytes(obj)
    if isinstance(obj, g.FloatObject):
        return Real.from_float(float(obj))
    if isinstance(obj, g.NumberObject):
        return int(obj)
    if isinstance(obj, g.StreamObject):
        raise PdfError("the PDF has a stream where only a direct value is allowed")
    if isinstance(obj, g.ArrayObject):
        return [from_pypdf(item, budget, depth + 1) for item in list.__iter__(obj)]
    if isinstance(obj, g.DictionaryObject):
        result: dict[Name, PdfValue] = {}
        for key, item in dict.items(obj):
            result[Name(str(key)[1:].encode("utf-8"))] = from_pypdf(item, budget, depth + 1)
        return result
    raise PdfError(f"the PDF holds an object this software cannot copy ({type(obj).__name__})")


@cache
def _pypdf_generic() -> Any:
    """pypdf.generic, imported on first use (the stamp side never needs pypdf)."""
    from pypdf import generic

    return generic
