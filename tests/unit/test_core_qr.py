from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import replace

import base45
import pytest
from eth_account import Account
from hypothesis import given
from hypothesis import strategies as st

from notary.core.claims import Claims
from notary.core.eip712 import Batch, BatchDomain, sign_batch
from notary.core.hashing import Salt, keccak256
from notary.core.leaves import leaf_hash
from notary.core.merkle import MerkleTree
from notary.core.proof import Proof
from notary.core.qr_payload import BASE45_ALPHABET, QR_PREFIX, decode_qr_text, encode_qr_text, qr_payload
from notary.errors import FormatError

KEY = bytes(keccak256(b"notary test vector key 1"))


def _proof(salt_tag: bytes = b"s") -> Proof:
    claims = Claims("zeugnis", "Abschlusszeugnis der Realschule", "Jörg Müller", dt.date(2025, 7, 15))
    doc, salt = keccak256(b"doc"), Salt(keccak256(salt_tag))
    tree = MerkleTree.build([leaf_hash(doc, claims.digest(), salt), keccak256(b"x"), keccak256(b"y")])
    domain = BatchDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")  # type: ignore[arg-type]
    batch = Batch(tree.root, 3, 1752570000)
    return Proof(
        chain_id=31337,
        registry=domain.registry,
        root=tree.root,
        document=doc,
        claims=claims,
        salt=salt,
        merkle_proof=tree.proof(0),
        issuer=Account.from_key(KEY).address,
        signature=sign_batch(KEY, domain, batch),
        issued_at=1752570000,
        document_count=3,
    )


P = _proof()


def test_text_is_prefix_plus_base45() -> None:
    text = encode_qr_text(P)
    assert text.startswith(QR_PREFIX)
    assert set(text) <= set(BASE45_ALPHABET)
    assert base45.b45decode(text[4:]) == P.to_compact()
    assert qr_payload(P) == text


def test_round_trip_plain_and_with_url() -> None:
    assert decode_qr_text(encode_qr_text(P)) == P
    assert decode_qr_text(encode_qr_text(P, "HTTPS://VERIFY.EXAMPLE/#")) == P


@pytest.mark.parametrize(
    "transform",
    [
        lambda t: t + "\r\n",
        lambda t: "https://verify.example/some/path?x=1#" + t,
        lambda t: t.lower(),
        lambda t: t.replace(" ", "%20"),
        lambda t: "HTTPS://V.EXAMPLE/#" + t.replace(" ", "%20"),
        lambda t: "#" + "".join(c if c.isalnum() else f"%{ord(c):02X}" for c in t),
    ],
    ids=["crlf", "url", "lower-case", "percent-space", "url-percent", "percent-everything"],
)
def test_tolerated_transport_damage(transform: object) -> None:
    assert callable(transform)
    assert decode_qr_text(transform(encode_qr_text(P))) == P


def test_literal_percent20_in_payload_survives_browser_encoding() -> None:
    # Find a salt whose payload contains both a literal "%20" and spaces: the ambiguous case.
    for i in range(5000):
        p = _proof(b"s%d" % i)
        text = encode_qr_text(p)
        if "%20" in text and " " in text:
            break
    else:
        pytest.skip("no ambiguous payload found")
    browser = text.replace(" ", "%20")
    assert decode_qr_text(browser) == p


def test_url_prefix_must_end_with_hash() -> None:
    with pytest.raises(FormatError, match="exactly one '#'"):
        encode_qr_text(P, "HTTPS://VERIFY.EXAMPLE/")
    with pytest.raises(FormatError, match="exactly one '#'"):
        encode_qr_text(P, "HTTPS://A/#B#")


def test_payload_change_is_detected() -> None:
    q = replace(P, claims=replace(P.claims, holder="Jörg Müllerr"))
    decoded = decode_qr_text(encode_qr_text(q))
    assert decoded.root != P.root  # a forged holder leads to a different (unanchored) root


@given(st.text(max_size=300))
def test_garbage_text_raises_format_error_only(text: str) -> None:
    with contextlib.suppress(FormatError):
        decode_qr_text(text)


@given(st.text(alphabet=BASE45_ALPHABET, max_size=400))
def test_garbage_base45_raises_format_error_only(body: str) -> None:
    with contextlib.suppress(FormatError):
        decode_qr_text(QR_PREFIX + body)


def test_non_string_rejected() -> None:
    with pytest.raises(FormatError, match="must be a string"):
        decode_qr_text(b"NT1:")  # type: ignore[arg-type]


def _count_decodings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = base45.b45decode

    def counting(text: str | bytes) -> bytes:
        calls.append(len(text))
        return bytes(real(text))

    monkeypatch.setattr(base45, "b45decode", counting)
    return calls


def test_oversized_payload_is_refused_before_any_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Review finding: a 16 KB payload with 64 "%20" cost ~2,100 base45 decodings before the size check."""
    calls = _count_decodings(monkeypatch)
    text = "NT1:" + ("%20" + "000" * 80) * 64
    with pytest.raises(FormatError, match="oversized"):
        decode_qr_text(text[: 16000 - (16000 - 4) % 3])
    assert calls == []
    # the bound is exactly the compact limit (2,800 bytes = 4,200 characters): one more byte is refused
    with pytest.raises(FormatError, match="oversized: 2801 bytes"):
        decode_qr_text(QR_PREFIX + "0" * 4202)
    assert calls == []
    with pytest.raises(FormatError) as at_limit:
        decode_qr_text(QR_PREFIX + "0" * 4200)
    assert "oversized: 2800" not in str(at_limit.value) and calls == [4200]


def test_percent_candidates_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_decodings(monkeypatch)
    text = QR_PREFIX + ("%20" + "0" * 64) * 64 + "00"  # 64 gaps: 2 + 64 + 2,016 candidates unbounded
    with pytest.raises(FormatError):
        decode_qr_text(text)
    assert len(calls) <= 1 + 256 and max(calls) <= 4200
