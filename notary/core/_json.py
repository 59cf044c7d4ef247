"""Strict JSON in, canonical JSON out (package-private; docs/proof-format.md §7.1).

Output: keys sorted, no whitespace, UTF-8 (non-ASCII characters are written as is), integers only. For the
value domain of this package (ASCII keys, integers below 2**53, strings without control characters) this is
exactly RFC 8785 (JCS), so other languages can reproduce the bytes.

Input: any JSON text (whitespace and key order are free) up to a size limit, but duplicate keys, floats,
NaN/Infinity, and invalid UTF-8 are rejected, as is a byte-order mark.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from notary.core._input import bounded
from notary.errors import FormatError


def dumps(value: Any) -> bytes:
    return dumps_text(value).encode("utf-8")


def dumps_text(value: Any) -> str:
    """:func:`dumps` before the UTF-8 encoding: the piece a member of a canonical object is made of."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise FormatError(f"duplicate JSON key {key!r}")
        out[key] = value
    return out


def _reject_float(text: str) -> NoReturn:
    raise FormatError(f"JSON number {text[:20]!r} is not an integer")


def loads(data: bytes, *, max_bytes: int, what: str) -> Any:
    data = bounded(data, max_bytes=max_bytes, what=what)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError(f"{what} is not valid UTF-8") from None
    if text.startswith("\ufeff"):
        raise FormatError(f"{what} starts with a byte-order mark")
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicates, parse_float=_reject_float, parse_constant=_reject_float
        )
    except FormatError as exc:
        raise FormatError(f"{what}: {exc}") from None
    except json.JSONDecodeError as exc:
        ended = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        kind = "truncated" if ended else "not valid JSON"
        raise FormatError(f"{what} is {kind}: {exc.msg} at offset {exc.pos}") from None
    except (ValueError, RecursionError) as exc:
        # ValueError: integers with more than 4300 digits; RecursionError: absurd nesting.
        raise FormatError(f"{what} is not valid JSON: {type(exc).__name__}") from None
