"""Key facts in the claims (format 1.1, docs/proof-format.md §3.3): bound in the leaf, carried in the QR, one
version per content, and the same text rules as every other claim."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from types import ModuleType

import pytest
from eth_abi import encode as abi_encode

from notary.core.claims import CLAIMS_FACTS_TAG, Claims
from notary.core.format_errors import error_code
from notary.core.hashing import keccak256
from notary.core.proof import FormatVersion, Proof
from notary.core.qr_payload import decode_qr_text, encode_qr_text
from notary.errors import FormatError

FACTS = (("Abschluss", "Mittlerer Schulabschluss"), ("Durchschnittsnote", "1,7"), ("Klasse", "10b"))
BASE = Claims("zeugnis", "Abschlusszeugnis", "Lena Müller", dt.date(2025, 7, 15), None, "RS/17")


def test_canonical_encoding_with_facts_is_abi_of_the_1_1_tuple() -> None:
    c = replace(BASE, facts=FACTS)
    types = ["string", "string", "string", "string", "uint32", "uint32", "string", "string[]", "string[]"]
    values = [CLAIMS_FACTS_TAG, "zeugnis", "Abschlusszeugnis", "Lena Müller", 20250715, 0, "RS/17",
              [label for label, _ in FACTS], [value for _, value in FACTS]]  # fmt: skip
    assert c.canonical_bytes() == abi_encode(types, values)
    assert c.digest() == keccak256(c.canonical_bytes()) != BASE.digest()


def test_claims_without_facts_keep_the_1_0_bytes() -> None:
    assert replace(BASE, facts=()).canonical_bytes() == BASE.canonical_bytes()
    assert "facts" not in BASE.to_json_dict() and len(BASE.to_compact_obj()) == 6


def test_order_and_every_character_of_a_fact_are_bound() -> None:
    c = replace(BASE, facts=FACTS)
    assert replace(BASE, facts=(FACTS[1], FACTS[0], FACTS[2])).digest() != c.digest()
    assert replace(BASE, facts=(("Abschluss", "Mittlerer Schulabschluss"), ("Durchschnittsnote", "1,0"),
                                FACTS[2])).digest() != c.digest()  # fmt: skip


def test_json_and_compact_round_trip() -> None:
    c = replace(BASE, facts=FACTS)
    assert json.loads(c.to_json())["facts"] == [list(f) for f in FACTS]
    assert Claims.from_json(c.to_json()) == c
    assert Claims.from_compact(c.to_compact()) == c


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ((("Note", "1,0"), ("Note", "2,0")), "given twice"),
        (tuple((f"L{i}", "v") for i in range(9)), "limit 8"),
        ((("Note", ""),), "must not be empty"),
        ((("Note\u200b", "1,0"),), r"U\+200B"),
        ((("Note", "1,0\u0336\u0336\u0336"),), "combining marks"),
        ((("x" * 41, "1"),), "too long"),
        ((("Note",),), "pair"),
    ],
)
def test_bad_facts_are_refused(facts: tuple[tuple[str, ...], ...], message: str) -> None:
    with pytest.raises(FormatError, match=message):
        replace(BASE, facts=facts)  # type: ignore[arg-type]


def test_an_empty_facts_member_is_non_canonical() -> None:
    data = json.loads(BASE.to_json())
    data["facts"] = []
    with pytest.raises(FormatError) as info:
        Claims.from_json(json.dumps(data).encode())
    assert error_code(info.value) == "non-canonical"


def test_create_normalises_facts() -> None:
    c = Claims.create(doc_type="zeugnis", title="T", holder="H", issued_on=dt.date(2025, 7, 15),
                      facts=[(" Durchschnitts\u00a0note", "1,7 ")])  # fmt: skip
    assert c.facts == (("Durchschnitts note", "1,7"),)


def test_a_proof_with_facts_is_version_1_1_in_json_compact_and_qr(vector_generator: ModuleType) -> None:
    spec = next(s for s in vector_generator.SPECS if s["name"] == "facts")
    proof: Proof = vector_generator.build_proof(spec)
    assert proof.version == FormatVersion(1, 1) and proof.claims.facts
    assert json.loads(proof.to_json())["version"] == "1.1"
    assert proof.to_compact_obj()[10] == 1
    back = decode_qr_text(encode_qr_text(proof.for_qr()))
    assert back == proof.for_qr() and back.leaf() == proof.leaf() and back.claims.facts == proof.claims.facts
    with pytest.raises(FormatError) as info:  # the same content cannot claim 1.0
        replace(proof, version=FormatVersion(1, 0))
    assert error_code(info.value) == "unknown-field"
