"""The text rules for claims and the stamp caption (docs/proof-format.md §3.2). FORMAT-CRITICAL.

Goal: text that *looks* the same *is* the same bytes, and text cannot paint outside its own line. So a
conforming text is NFC, holds no invisible or format character, uses U+0020 as its only white space (single,
never at either end), and stacks at most two combining marks on a base character. Readers check; they never
repair. :func:`normalise` is the issuer's forgiving step *before* the check: it repairs only what has one
obvious meaning (composition, runs of white space, trimming) and leaves anything invisible to be refused.

The character classes are fixed by Unicode 14.0.0 (Python 3.11's ``unicodedata``). The two derived
properties Python does not expose (Default_Ignorable_Code_Point, White_Space) are spelled out below from the
Unicode 14.0.0 data files.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right

from notary.core.format_errors import DisallowedTextError

__all__ = ["MAX_MARKS_PER_BASE", "check_text", "normalise"]

MAX_MARKS_PER_BASE = 2

# General categories never allowed: controls, format characters (incl. bidi controls, U+200B, U+2060, U+FEFF,
# U+00AD, tag characters), private use, surrogates, unassigned, line/paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
_MARK_CATEGORIES = frozenset({"Mn", "Mc", "Me"})

# DerivedCoreProperties.txt 14.0.0, Default_Ignorable_Code_Point, as inclusive ranges. Beyond Cf/Cn this adds
# the fillers that render as nothing: U+034F, U+115F-1160, U+17B4-17B5, U+180B-180D and U+180F, U+3164,
# U+FE00-FE0F, U+FFA0, U+E0100-E01EF.
_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip
_IGNORABLE_STARTS = tuple(low for low, _ in _IGNORABLE)

# PropList.txt 14.0.0, White_Space.
WHITE_SPACE = frozenset(
    "\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def is_default_ignorable(ch: str) -> bool:
    i = bisect_right(_IGNORABLE_STARTS, ord(ch)) - 1
    return i >= 0 and ord(ch) <= _IGNORABLE[i][1]


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X}" + (f" ({unicodedata.name(ch)})" if unicodedata.name(ch, "") else "")


def check_text(what: str, value: str) -> str:
    """Return ``value`` if it follows the text rules, else raise :class:`DisallowedTextError` naming the rule.

    Rules, in the order they are checked (docs/proof-format.md §3.2): NFC; no character of a refused general
    category, no Default_Ignorable_Code_Point; no White_Space but U+0020; no space at either end or twice in a
    row; at most two combining marks after each base character, none without one.
    """
    if not unicodedata.is_normalized("NFC", value):
        raise DisallowedTextError(f"{what} is not NFC-normalised")
    marks = MAX_MARKS_PER_BASE  # a mark at the very start has no base: treat it as past the limit
    for ch in value:
        category = unicodedata.category(ch)
        if category in _REFUSED_CATEGORIES or is_default_ignorable(ch):
            kind = (
                "a control character" if category in ("Cc", "Zl", "Zp") else "an invisible or format control character"
            )
            raise DisallowedTextError(f"{what} contains {kind} {_describe(ch)}")
        if ch in WHITE_SPACE and ch != " ":
            raise DisallowedTextError(f"{what} contains white space other than U+0020: {_describe(ch)}")
        if category in _MARK_CATEGORIES:
            marks += 1
            if marks > MAX_MARKS_PER_BASE:
                raise DisallowedTextError(
                    f"{what} stacks more than {MAX_MARKS_PER_BASE} combining marks on one character "
                    f"(or starts with one): {_describe(ch)}"
                )
        else:
            marks = 0
    if value.startswith(" ") or value.endswith(" "):
        raise DisallowedTextError(f"{what} has leading or trailing whitespace")
    if "  " in value:
        raise DisallowedTextError(f"{what} has two spaces in a row")
    return value


def normalise(value: str) -> str:
    """Issuer side: NFC, every run of White_Space as one U+0020, trimmed. Invisible characters are kept, so
    :func:`check_text` refuses them with a message instead of the issuer silently changing what was asked."""
    text = unicodedata.normalize("NFC", value)
    out: list[str] = []
    in_space = False
    for ch in text:
        if ch in WHITE_SPACE:
            in_space = True
            continue
        if in_space and out:
            out.append(" ")
        in_space = False
        out.append(ch)
    return "".join(out)
