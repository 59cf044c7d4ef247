from __future__ import annotations

import hashlib

import pytest
from Crypto.Hash import keccak as pycryptodome_keccak
from eth_utils import keccak as eth_keccak
from hypothesis import given
from hypothesis import strategies as st

from notary.core.hashing import Bytes32, Digest32, Salt, document_hash, document_hash_stream, keccak256
from notary.errors import FormatError


def test_keccak_known_answers() -> None:
    # keccak256("") and keccak256("abc"): Ethereum's Keccak, which differs from NIST SHA3-256.
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert keccak256(b"abc") != hashlib.sha3_256(b"abc").digest()


@given(st.binary(max_size=300))
def test_keccak_agrees_with_other_implementations(data: bytes) -> None:
    expected = pycryptodome_keccak.new(digest_bits=256, data=data).digest()
    assert keccak256(data) == expected == eth_keccak(data)


def test_document_hash_is_sha256_of_exact_bytes() -> None:
    pdf = b"%PDF-1.7\n%%EOF\n"
    assert document_hash(pdf) == hashlib.sha256(pdf).digest()
    assert isinstance(document_hash(pdf), Digest32)


@given(st.lists(st.binary(max_size=100), max_size=20))
def test_stream_equals_one_shot(chunks: list[bytes]) -> None:
    digest, length = document_hash_stream(iter(chunks))
    whole = b"".join(chunks)
    assert digest == document_hash(whole)
    assert length == len(whole)


def test_digest_types_parse() -> None:
    d = Digest32(bytes(range(32)))
    assert Digest32.from_hex(d.to_hex()) == d
    assert Digest32.from_hex(d.to_hex().upper().replace("0X", "0x")) == d
    assert str(d) == d.to_hex() == "0x" + bytes(range(32)).hex()
    assert repr(Salt(bytes(32))).startswith("Salt('0x00")
    assert isinstance(Salt(bytes(32)), Bytes32)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (b"\x00" * 31, "must be 32 bytes long"),
        (b"\x00" * 33, "must be 32 bytes long"),
        (32, "must be bytes"),
        ("00" * 32, "must be bytes"),
    ],
)
def test_digest_rejects(value: object, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        Digest32(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("00" * 32, "must start with 0x"),
        ("0x" + "00" * 31, "must be 32 bytes"),
        ("0x" + "g0" * 32, "not valid hex"),
        ("0x" + " 0" * 32, "not valid hex"),
        (None, "must be a hex string"),
    ],
)
def test_digest_from_hex_rejects(text: object, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        Digest32.from_hex(text)  # type: ignore[arg-type]
