"""The text rules of docs/proof-format.md §3.2, for claims and the stamp caption, on issuer and reader side."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notary.core.claims import Claims
from notary.core.format_errors import DisallowedTextError, error_code
from notary.core.layout import StampLayout
from notary.core.text_rules import WHITE_SPACE, check_text, is_default_ignorable, normalise

INVISIBLE = [
    "\u200b",  # zero width space (Cf)
    "\u2060",  # word joiner (Cf)
    "\ufeff",  # BOM / zero width no-break space (Cf)
    "\u00ad",  # soft hyphen (Cf)
    "\ufff9", "\ufffa", "\ufffb",  # interlinear annotation (Cf)
    "\U000e0041", "\U000e007f", "\U000e0001",  # tag characters (Cf)
    "\u202e", "\u2066", "\u200f", "\u061c",  # bidi controls (Cf)
    "\u115f", "\u1160", "\u3164", "\uffa0",  # Hangul fillers (Lo, but Default_Ignorable)
    "\u034f",  # combining grapheme joiner (Mn, Default_Ignorable)
    "\u180b", "\u180f", "\ufe00", "\ufe0f", "\U000e0100", "\U000e01ef",  # variation selectors
    "\u17b4",  # Khmer inherent vowel (Mn, Default_Ignorable)
    "\ue000", "\U000f0000",  # private use (Co)
    "\U000e0080",  # unassigned (Cn) inside the ignorable block
    "\u0378",  # unassigned (Cn)
    "\x07", "\x7f", "\x85",  # controls (Cc)
    "\u2028", "\u2029",  # line / paragraph separators
]  # fmt: skip


def claims(**text: str) -> Claims:
    fields = {"doc_type": "zeugnis", "title": "Abschlusszeugnis", "holder": "Lena Müller"} | text
    return Claims(issued_on=dt.date(2025, 7, 15), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
@pytest.mark.parametrize("field", ["title", "holder", "issuer_ref"])
def test_invisible_characters_are_refused_anywhere(ch: str, field: str) -> None:
    for value in (f"Lena{ch}Müller", f"{ch}Lena", f"Lena{ch}"):
        with pytest.raises(DisallowedTextError, match=f"U\\+{ord(ch):04X}") as info:
            claims(**{field: value})
        assert error_code(info.value) == "disallowed-text"


NOT_SPACE = [c for c in INVISIBLE if c not in WHITE_SPACE]  # the issuer turns white space into U+0020


@pytest.mark.parametrize("ch", NOT_SPACE, ids=[f"U+{ord(c):04X}" for c in NOT_SPACE])
def test_the_issuer_refuses_rather_than_strips_invisible_characters(ch: str) -> None:
    with pytest.raises(DisallowedTextError):
        Claims.create(doc_type="zeugnis", title=f"Zeugnis{ch}", holder="Lena", issued_on=dt.date(2025, 7, 15))


def test_the_ignorable_table_is_unicode_14_default_ignorable() -> None:
    # Spot checks at every range edge; the table is DerivedCoreProperties-14.0.0 verbatim.
    for inside in (0x00AD, 0x034F, 0x115F, 0x1160, 0x17B5, 0x180F, 0x200B, 0x206F, 0xFE0F, 0xFFF8, 0x1D17A, 0xE0FFF):
        assert is_default_ignorable(chr(inside))
    for outside in (0x00AC, 0x0350, 0x1161, 0x17B6, 0x1810, 0x200A, 0x2070, 0xFE10, 0xFFF9, 0x1D17B, 0xE1000, 0x41):
        assert not is_default_ignorable(chr(outside))


@pytest.mark.parametrize("space", sorted(WHITE_SPACE - {" "}), ids=lambda c: f"U+{ord(c):04X}")
def test_only_u0020_is_white_space(space: str) -> None:
    with pytest.raises(DisallowedTextError):
        claims(holder=f"Lena{space}Müller")
    # the issuer turns any run of White_Space into one U+0020
    c = Claims.create(doc_type="zeugnis", title="T", holder=f" Lena{space} {space}Müller{space}",
                      issued_on=dt.date(2025, 7, 15))  # fmt: skip
    assert c.holder == "Lena Müller"


def test_white_space_is_the_unicode_property() -> None:
    assert all(unicodedata.category(c) in ("Zs", "Zl", "Zp", "Cc") for c in WHITE_SPACE)
    assert all(c in WHITE_SPACE for c in map(chr, range(0x3001)) if unicodedata.category(c) == "Zs")


@pytest.mark.parametrize("value", ["Lena  Müller", " Lena", "Lena "])
def test_spaces_single_and_inside(value: str) -> None:
    with pytest.raises(DisallowedTextError):
        claims(holder=value)


def test_combining_marks_at_most_two_per_base() -> None:
    assert claims(holder="Nguyễn Thị").holder == "Nguyễn Thị"  # NFC composes the usual diacritics
    two = unicodedata.normalize("NFC", "q\u0301\u0323")
    assert check_text("x", two) == two  # two marks that do not compose: allowed
    for zalgo in (
        unicodedata.normalize("NFC", "q\u0301\u0323\u0330"),
        "Lena" + "\u0336" * 3,
        "Le" + "\u0489" * 3 + "na",
        "\u0301Lena",
    ):
        with pytest.raises(DisallowedTextError, match="combining marks"):
            claims(title=zalgo)


def test_the_rules_apply_after_nfc_only() -> None:
    with pytest.raises(DisallowedTextError, match="NFC"):
        claims(holder="Jo\u0308rg")
    assert (
        Claims.create(doc_type="zeugnis", title="T", holder="Jo\u0308rg", issued_on=dt.date(2025, 7, 15)).holder
        == "Jörg"
    )


def test_normalise_keeps_invisible_characters_for_the_check_to_refuse() -> None:
    assert normalise("\tA\u200b  B\n") == "A\u200b B"


def test_ordinary_names_and_titles_pass() -> None:
    for text in ("Özlem Yılmaz", "Zoë Schäfer", "Gewerbeauskunft nach § 14 GewO", "Az. 32-1/17", "Ελένη",
                 "Сергей", "محمد", "李小龍", "Nguyễn Văn Anh", "नमस्ते"):  # fmt: skip
        assert check_text("x", text) == text


def _layout(caption: str) -> StampLayout:
    return StampLayout(1, 0, 437, 62, 113, caption, 19, "M", 5)


def test_the_caption_follows_the_same_rules() -> None:
    assert _layout("").caption == ""
    assert _layout("Digital geprüft: https://verify.example").caption.startswith("Digital")
    for bad in ("Digital\u200bgeprüft", "Digital  geprüft", " Digital", "Digital\u00a0geprüft", "Prüf\u202e",
                "Digital geprüft" + "\u0301" * 3, "Digital\u3164"):  # fmt: skip
        with pytest.raises(DisallowedTextError):
            _layout(bad)
        data = _layout("ok").to_json_dict() | {"caption": bad}
        with pytest.raises(DisallowedTextError):
            StampLayout.from_json_dict(json.loads(json.dumps(data)))


@given(st.text(max_size=60))
def test_any_text_is_accepted_as_is_or_refused_with_the_rule(text: str) -> None:
    try:
        assert check_text("x", text) == text
    except DisallowedTextError as exc:
        assert error_code(exc) == "disallowed-text" and str(exc).startswith("x ")
        return
    # what passes is a fixed point of the issuer's normalisation and has nothing invisible in it
    assert normalise(text) == text
    assert not any(is_default_ignorable(c) or unicodedata.category(c).startswith("C") for c in text)


@given(st.text(max_size=60))
def test_normalise_then_check_never_fails_for_other_reasons(text: str) -> None:
    normalised = normalise(text)
    assert normalise(normalised) == normalised
    with contextlib.suppress(DisallowedTextError):
        check_text("x", normalised)
