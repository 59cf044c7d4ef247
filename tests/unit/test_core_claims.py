from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from eth_abi import encode as abi_encode
from hypothesis import given
from hypothesis import strategies as st

from notary.core.claims import CLAIMS_TAG, Claims
from notary.core.format_errors import NonCanonicalError, UnknownFieldError
from notary.core.hashing import keccak256
from notary.errors import FormatError

EXAMPLE = Claims(
    doc_type="zeugnis",
    title="Abschlusszeugnis der Realschule",
    holder="Jörg Müller-Lüdenscheidt",
    issued_on=dt.date(2025, 7, 15),
)


def _follows_text_rules(s: str) -> bool:
    try:
        return Claims.create(doc_type="x", title=s, holder="h", issued_on=dt.date(2000, 1, 1)).title == s
    except FormatError:
        return False


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp", "Zs")),
    min_size=1,
    max_size=40,
).filter(_follows_text_rules)


@st.composite
def claims_strategy(draw: st.DrawFn) -> Claims:
    issued = draw(st.dates(min_value=dt.date(1000, 1, 1)))
    valid = draw(st.none() | st.dates(min_value=issued))
    return Claims(
        doc_type=draw(st.from_regex(r"[a-z0-9-]{1,32}", fullmatch=True)),
        title=draw(_text),
        holder=draw(_text),
        issued_on=issued,
        valid_until=valid,
        issuer_ref=draw(st.none() | _text),
    )


def _abi_tuple(c: Claims) -> list[object]:
    valid = c.valid_until
    return [
        CLAIMS_TAG,
        c.doc_type,
        c.title,
        c.holder,
        c.issued_on.year * 10000 + c.issued_on.month * 100 + c.issued_on.day,
        valid.year * 10000 + valid.month * 100 + valid.day if valid else 0,
        c.issuer_ref or "",
    ]


@given(claims_strategy())
def test_canonical_bytes_equal_eth_abi(c: Claims) -> None:
    types = ["string", "string", "string", "string", "uint32", "uint32", "string"]
    assert c.canonical_bytes() == abi_encode(types, _abi_tuple(c))
    assert c.digest() == keccak256(c.canonical_bytes())


def test_canonical_bytes_equal_metamask_abi_utils(node_bin: str, node_scripts: Path) -> None:
    samples = [
        EXAMPLE,
        Claims("urkunde", "Geburtsurkunde", "Zoë Schäfer", dt.date(1999, 12, 31), dt.date(2000, 1, 1), "A-1"),
        Claims("x", "t" * 200, "ß" * 200, dt.date(1000, 1, 1), None, "€" * 64),
    ]
    items = [_abi_tuple(c) for c in samples]
    out = subprocess.run(
        [node_bin, str(node_scripts / "abi_claims.mjs")],
        input=json.dumps({"items": items}).encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    encodings = json.loads(out.stdout)["encodings"]
    assert encodings == ["0x" + c.canonical_bytes().hex() for c in samples]


@given(claims_strategy())
def test_json_and_compact_round_trip(c: Claims) -> None:
    assert Claims.from_json(c.to_json()) == c
    assert Claims.from_compact(c.to_compact()) == c


def test_json_form_is_canonical() -> None:
    assert (
        EXAMPLE.to_json()
        == (
            '{"doc_type":"zeugnis","holder":"Jörg Müller-Lüdenscheidt","issued_on":"2025-07-15",'
            '"title":"Abschlusszeugnis der Realschule"}'
        ).encode()
    )


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"future_field": [1, 2]}, UnknownFieldError),
        ({"grade": "1,0"}, UnknownFieldError),
        ({"valid_until": None}, NonCanonicalError),
        ({"issuer_ref": None}, NonCanonicalError),
    ],
)
def test_json_refuses_unknown_keys_and_null_optionals(extra: dict[str, object], error: type[Exception]) -> None:
    data = json.loads(EXAMPLE.to_json())
    data.update(extra)
    with pytest.raises(error):
        Claims.from_json(json.dumps(data).encode())


def test_create_normalises() -> None:
    c = Claims.create(
        doc_type="zeugnis",
        title="  Abschlusszeugnis ",
        holder="Jo\u0308rg",  # decomposed umlaut
        issued_on=dt.date(2025, 7, 15),
        issuer_ref="",
    )
    assert c.holder == "Jörg" and c.title == "Abschlusszeugnis" and c.issuer_ref is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"doc_type": "Zeugnis"}, "doc_type"),
        ({"doc_type": "a" * 33}, "doc_type"),
        ({"doc_type": "zeugnis\n"}, "doc_type"),
        ({"title": ""}, "must not be empty"),
        ({"title": "x" * 201}, "too long"),
        ({"holder": "A\tB"}, "control character"),
        ({"holder": "A\u2028B"}, "control character"),
        ({"holder": "\u202eAB"}, "control character"),
        ({"holder": "Jo\u0308rg"}, "NFC"),
        ({"holder": "Anna "}, "whitespace"),
        ({"issued_on": dt.datetime(2025, 1, 1)}, "must be a date"),
        ({"valid_until": dt.date(2025, 7, 14)}, "before 'issued_on'"),
        ({"issuer_ref": "r" * 65}, "too long"),
        ({"issuer_ref": ""}, "must not be empty"),
        ({"title": 5}, "must be a string"),
    ],
)
def test_constructor_rejects(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "doc_type": "zeugnis",
        "title": "T",
        "holder": "H",
        "issued_on": dt.date(2025, 7, 15),
    }
    with pytest.raises(FormatError, match=message):
        Claims(**{**base, **kwargs})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[]", "must be a JSON object"),
        (b'{"doc_type":"x","title":"t","holder":"h"}', "'issued_on' is missing"),
        (b'{"doc_type":"x","title":"t","holder":"h","issued_on":"2025-7-1"}', "YYYY-MM-DD"),
        (b'{"doc_type":"x","title":"t","holder":"h","issued_on":"2025-13-01"}', "calendar date"),
        (b'{"doc_type":"x","title":"t","holder":"h","issued_on":20250101}', "YYYY-MM-DD"),
        (b"{", "truncated"),
    ],
)
def test_json_rejects(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        Claims.from_json(data)


def test_compact_rejects() -> None:
    good = EXAMPLE.to_compact_obj()
    with pytest.raises(FormatError, match="array of 6"):
        Claims.from_compact_obj(good[:5])
    with pytest.raises(FormatError, match="YYYYMMDD"):
        Claims.from_compact_obj([*good[:3], "2025-07-15", 0, ""])
    with pytest.raises(FormatError, match="calendar date"):
        Claims.from_compact_obj([*good[:3], 20250231, 0, ""])
    with pytest.raises(FormatError, match="YYYYMMDD"):
        Claims.from_compact_obj([*good[:4], None, ""])
