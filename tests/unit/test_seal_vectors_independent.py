"""The seal vectors judged from docs/seal.md alone, without our verifier and without pyHanko: rule B (what the
ByteRange covers), the CMS signature over those bytes, rule W (algorithms) and the binding of §3 (EIP-712 over
the seal certificate's SHA-256) are recomputed here with asn1crypto, cryptography and eth-account, and must agree
with what vectors.json states. A stranger's verifier can do the same."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from eth_account import Account
from eth_account.messages import encode_typed_data

SEAL_VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "seal"
STRONG = {"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512"}
HASHES = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


@cache
def _index() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SEAL_VECTORS / "vectors.json").read_text(encoding="utf-8"))
    return data


SEALED = [v for v in _index()["vectors"] if v["expected"]["seal"] is not None]


def _seal_dictionary(pdf: bytes, after: int) -> tuple[list[int], bytes, bytes]:
    """ByteRange, /Contents bytes and the dictionary's text of the first signature after ``after`` (§5: the seal)."""
    found = re.compile(rb"/Contents\s*<([0-9A-Fa-f]*)>\s*/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
    match = found.search(pdf, after)
    assert match is not None
    end = pdf.index(b"endobj", match.end())
    return [int(match[i]) for i in range(2, 6)], bytes.fromhex(match[1].decode()), pdf[match.start() : end]


def _rule_b(pdf: bytes, byte_range: list[int], contents: bytes) -> bool:
    start, a, b, c = byte_range
    if start != 0 or not 0 < a < b <= len(pdf) or pdf[a : a + 1] != b"<" or pdf[b - 1 : b] != b">":
        return False
    if bytes.fromhex(pdf[a + 1 : b - 1].decode()) != contents:
        return False
    end = pdf.index(b"%%EOF", b) + 5
    end += 2 if pdf[end : end + 2] == b"\r\n" else 1 if pdf[end : end + 1] in (b"\r", b"\n") else 0
    return b + c == end


def _public_key_weak(certificate: x509.Certificate) -> bool:
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return key.key_size < 2048
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.curve.key_size < 256
    return True


@pytest.mark.parametrize("vector", SEALED, ids=[v["name"] for v in SEALED])
def test_a_seal_vector_from_the_spec_alone(vector: dict[str, Any]) -> None:
    index = _index()
    pdf = (SEAL_VECTORS / vector["file"]).read_bytes()
    expected = vector["expected"]["seal"]
    byte_range, contents, dictionary = _seal_dictionary(pdf, index["notarised"]["bytes"])
    assert _rule_b(pdf, byte_range, contents)  # none of the vectors breaks rule B

    signed = cms.ContentInfo.load(contents.rstrip(b"\0"))["content"]
    signer = signed["signer_infos"][0]
    certificates = [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed["certificates"]]
    serial = signer["sid"].chosen["serial_number"].native
    certificate = next(c for c in certificates if c.serial_number == serial)
    cn = certificate.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value

    # the CMS signature over exactly the ByteRange's bytes (RFC 5652 §5.4: signed attributes DER-encoded as a SET)
    digest_name = signer["digest_algorithm"]["algorithm"].native
    a, b, c = byte_range[1:]
    covered = pdf[:a] + pdf[b : b + c]
    message_digest = next(x["values"][0].native for x in signer["signed_attrs"] if x["type"].native == "message_digest")
    assert message_digest == hashlib.new(digest_name, covered).digest()
    attributes = signer["signed_attrs"].untag().dump(force=True)
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signer["signature"].native, attributes, padding.PKCS1v15(), HASHES[digest_name]())
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(signer["signature"].native, attributes, ec.ECDSA(HASHES[digest_name]()))

    # rule W: the digest, the seal certificate's key, and the keys and hashes of CA certificates the CMS carries
    anchors = {c.subject for c in certificates if c.subject == c.issuer}
    path = [certificate, *(c for c in certificates if c is not certificate and c.subject not in anchors)]
    weak = (
        digest_name not in STRONG
        or any(_public_key_weak(c) for c in path)
        or any(c.signature_hash_algorithm is None or c.signature_hash_algorithm.name.replace("-", "_") not in STRONG
               for c in path)
    )  # fmt: skip
    assert weak == (expected["reason"] == "seal-weak-algorithm")

    # the path to root.pem (signatures and names; validity now, which validation_time bounds)
    root = x509.load_pem_x509_certificate((SEAL_VECTORS / "root.pem").read_bytes())
    chain, current = [certificate], certificate
    while current.issuer != current.subject and len(chain) < 5:
        issuer = next((c for c in [root, *certificates] if c.subject == current.issuer), None)
        if issuer is None:
            break
        try:
            current.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            break
        chain.append(issuer)
        current = issuer
    trusted = chain[-1] == root
    now = dt.datetime.now(dt.UTC)
    expired = any(not c.not_valid_before_utc <= now <= c.not_valid_after_utc for c in chain[:-1])
    assert trusted == (expected["reason"] != "seal-untrusted")
    assert expired == (expected["reason"] == "seal-expired")

    if vector["name"] == "second-signature":  # the seal is the city's; the check stops at the second signer
        _, _, second = _seal_dictionary(pdf, pdf.index(dictionary) + len(dictionary))
        assert b"/NotarySealBinding" not in second
        return
    assert cn == expected["subject"]
    assert (
        hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
        == expected["fingerprint_sha256"]
    )

    # §3: the binding in /Prop_Build /App recovers to the proof's issuer only for the certificate it names
    proof = json.loads(index["proof_json"])
    binding = re.search(rb"/NotarySealBinding\s*<([0-9A-Fa-f]+)>", dictionary)
    assert binding is not None
    typed = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            "SealBinding": [{"name": "root", "type": "bytes32"}, {"name": "certificateSha256", "type": "bytes32"}],
        },
        "primaryType": "SealBinding",
        "domain": {"name": "NotaryRegistry", "version": "1", "chainId": index["chain_id"],
                   "verifyingContract": index["registry"]},
        "message": {"root": bytes.fromhex(proof["root"][2:]),
                    "certificateSha256": bytes.fromhex(expected["fingerprint_sha256"])},
    }  # fmt: skip
    signer_address = Account.recover_message(encode_typed_data(full_message=typed), signature=bytes.fromhex(
        binding[1].decode()))  # fmt: skip
    assert (signer_address == proof["issuer"]) == expected["bound"]
