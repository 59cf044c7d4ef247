"""The issuer refuses claims and captions that break the text rules (docs/proof-format.md §3.2) before anything
is anchored, with a message that names the field and the character."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from notary.errors import FormatError, PdfError
from notary.issuance.documents import Placement
from notary.issuance.inputs import parse_claims

TODAY = dt.date(2026, 7, 15)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("title", "Abschlusszeugnis\u200b", "U+200B (ZERO WIDTH SPACE)"),
        ("holder", "Lena\u2060Müller", "U+2060 (WORD JOINER)"),
        ("holder", "Lena\u3164", "U+3164 (HANGUL FILLER)"),
        ("title", "Zeugnis\U000e0031", "U+E0031 (TAG DIGIT ONE)"),
        ("title", "Zeugnis" + "\u0336" * 3, "combining marks"),
        ("issuer_ref", "Az.\u00ad17", "U+00AD (SOFT HYPHEN)"),
    ],
)
def test_manifest_claims_with_invisible_text_are_refused(field: str, value: str, named: str) -> None:
    fields = {"type": "zeugnis", "title": "Abschlusszeugnis", "holder": "Lena Müller", field: value}
    with pytest.raises(FormatError) as info:
        parse_claims(fields, TODAY)
    message = str(info.value)
    assert named in message and repr(field) in message and "\n" not in message


def test_white_space_is_normalised_not_refused() -> None:
    fields = {"type": "zeugnis", "title": " Abschluss\u00a0 zeugnis\t", "holder": "Lena  Müller"}
    claims = parse_claims(fields, TODAY)
    assert claims.title == "Abschluss zeugnis" and claims.holder == "Lena Müller"


@pytest.mark.parametrize(
    ("caption", "message"),
    [
        ("Digital\u200bgeprüft", "cannot draw"),  # not even in the stamp font's encoding
        ("Digital  geprüft", "two spaces"),
        ("Digital geprüft\u00ad", "U+00AD"),  # in cp1252, but invisible
    ],
)
def test_a_caption_breaking_the_rules_is_refused_before_anything_is_anchored(caption: str, message: str) -> None:
    with pytest.raises((FormatError, PdfError), match=re.escape(message)):
        Placement(caption)


def test_ordinary_captions_pass() -> None:
    assert Placement("Digital geprüft: https://verify.example.de").caption.startswith("Digital")
    assert Placement("").caption == ""
