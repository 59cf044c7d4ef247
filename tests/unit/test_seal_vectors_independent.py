"""The seal vectors judged from docs/seal.md alone, without our verifier and without pyHanko: rule B (what the
ByteRange covers), the CMS signature over those bytes, rule W (algorithms) and the binding of §3 (EIP-712 over
the seal certificate's SHA-256) are recomputed here with asn1crypto, cryptography and eth-account, and must agree
with what vectors.json states. A stranger's verifier can do the same."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from asn1crypto import tsp as _tsp  # noqa: F401  (registers CMS attribute names before cms caches its reverse map)
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
    reason = expected["reason"]
    try:  # §5: a CMS that cannot be parsed is seal-unreadable, before every other reason
        signed = cms.ContentInfo.load(contents.rstrip(b"\0"))["content"]
        signer = signed["signer_infos"][0]
        certificates = [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed["certificates"]]
        serial = signer["sid"].chosen["serial_number"].native
        certificate = next(c for c in certificates if c.serial_number == serial)
    except (ValueError, KeyError, IndexError, StopIteration):
        assert reason == "seal-unreadable"
        return
    assert reason != "seal-unreadable"
    cn = certificate.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value

    # the CMS signature over exactly the ByteRange's bytes (RFC 5652 §5.4: signed attributes DER-encoded as a SET)
    digest_name = signer["digest_algorithm"]["algorithm"].native
    a, b, c = byte_range[1:]
    covered = pdf[:a] + pdf[b : b + c]
    message_digest = next(x["values"][0].native for x in signer["signed_attrs"] if x["type"].native == "message_digest")
    intact = message_digest == hashlib.new(digest_name, covered).digest()
    attributes = signer["signed_attrs"].untag().dump(force=True)
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signer["signature"].native, attributes, padding.PKCS1v15(), HASHES[digest_name]())
        else:
            assert isinstance(key, ec.EllipticCurvePublicKey)
            key.verify(signer["signature"].native, attributes, ec.ECDSA(HASHES[digest_name]()))
    except InvalidSignature:
        intact = False

    # rule W: the digest, the seal certificate's key, and the keys and hashes of CA certificates the CMS carries
    anchors = {c.subject for c in certificates if c.subject == c.issuer}
    path = [certificate, *(c for c in certificates if c is not certificate and c.subject not in anchors)]
    weak = (
        digest_name not in STRONG
        or any(_public_key_weak(c) for c in path)
        or any(c.signature_hash_algorithm is None or c.signature_hash_algorithm.name.replace("-", "_") not in STRONG
               for c in path)
    )  # fmt: skip
    assert weak == (reason == "seal-weak-algorithm")
    if not weak:  # then, in §5's order: seal-broken, seal-not-covering (rule B)
        assert intact == (reason != "seal-broken")
        if intact:
            assert _rule_b(pdf, byte_range, contents) == (reason != "seal-not-covering")

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


# ---------------------------------------------------------------------- §4 from the text, with pypdf


class Refused(Exception):
    """A later revision breaks a rule of docs/seal.md §4."""


def _norm(value: Any) -> Any:
    """A value as written: references stay references (never dereferenced), across readers."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    if isinstance(value, IndirectObject):
        return ("ref", value.idnum, value.generation)
    if isinstance(value, StreamObject):
        return ("stream", {k: _norm(v) for k, v in value.items()}, value.get_data())
    if isinstance(value, DictionaryObject):
        return {k: _norm(dict.__getitem__(value, k)) for k in value}
    if isinstance(value, ArrayObject):
        return [_norm(list.__getitem__(value, i)) for i in range(len(value))]
    return value


class Revision:
    """The file as of one revision: a prefix of the file ending at that revision's %%EOF is itself that PDF."""

    def __init__(self, pdf: bytes, end: int) -> None:
        from pypdf import PdfReader

        self.text = pdf[:end]
        self.reader = PdfReader(io.BytesIO(self.text), strict=False)
        trailer = self.text[self.text.rindex(b"trailer") :]
        self.size = int(re.search(rb"/Size\s+(\d+)", trailer)[1])  # type: ignore[index]
        self.refs = {
            key: re.search(rb"/%s\s+(\d+)\s+(\d+)\s+R" % key, trailer) for key in (b"Root", b"Info", b"Encrypt")
        }
        self.generations = {n: g for g, numbers in self.reader.xref.items() for n in numbers}

    def referenced(self) -> set[int]:
        """§4 Terms: every number a reference names in the trailer or in an object of this revision (parsed values,
        never stream data; the latest version of each object, which is all the vectors' revisions need)."""
        out = {found[0] for found in (self.ref(key) for key in self.refs) if found}
        stack = [_norm(self.get(number)) for number in self.generations if number]
        while stack:
            value = stack.pop()
            if isinstance(value, tuple) and value[0] == "ref":
                out.add(value[1])
            elif isinstance(value, tuple) and value[0] == "stream":
                stack.append(value[1])
            elif isinstance(value, dict):
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
        return out

    def ref(self, key: bytes) -> tuple[int, int] | None:
        found = self.refs[key]
        return (int(found[1]), int(found[2])) if found else None

    def get(self, number: int) -> Any:
        from pypdf.generic import IndirectObject

        return IndirectObject(number, self.generations.get(number, 0), self.reader).get_object()


_TABLE = re.compile(rb"(?<!start)xref\s")


def _entries(section: bytes) -> list[tuple[int, int, bytes]]:
    """(number, generation, n|f) of a classic cross-reference table (the vectors' revisions use tables)."""
    rows: list[tuple[int, int, bytes]] = []
    body = section[section.index(b"xref") + 4 : section.index(b"trailer")].split()
    i = 0
    while i < len(body):
        first, count = int(body[i]), int(body[i + 1])
        for j in range(count):
            _, generation, kind = body[i + 2 + 3 * j : i + 5 + 3 * j]
            rows.append((first + j, int(generation), kind))
        i += 2 + 3 * count
    return rows


def _zero_area(rect: Any) -> bool:
    return rect is not None and len(rect) == 4 and rect[0] == rect[2] and rect[1] == rect[3]


def _appended_signature_fields(old: list[Any], new: list[Any], after: Revision, widget: bool) -> None:
    if new[: len(old)] != old:
        raise Refused("entries removed, replaced or reordered")
    for item in new[len(old) :]:
        if not (isinstance(item, tuple) and item[0] == "ref"):
            raise Refused("an appended entry is no reference")
        node = after.get(item[1])
        if node.get("/FT") != "/Sig" or any(k in node for k in ("/Parent", "/Kids", "/A", "/AA")):
            raise Refused("an appended entry is no bare signature field")
        if widget and node.get("/Subtype") != "/Widget":
            raise Refused("an appended annotation is no widget")
        if (widget or "/Subtype" in node or "/Rect" in node) and not _zero_area(node.get("/Rect")):
            raise Refused("a visible signature widget")


def _resolved_list(revision: Revision, value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, tuple):
        value = _norm(revision.get(value[1]))
    return list(value)


def _review(before: Revision, after: Revision, notarised_size: int, section: bytes, referenced: set[int]) -> None:
    """Rule 3 for one later revision, as written in docs/seal.md (``referenced``: §4 Terms, up to ``before``)."""
    if before.ref(b"Root") != after.ref(b"Root") or before.ref(b"Encrypt") != after.ref(b"Encrypt"):
        raise Refused("3.1 /Root or /Encrypt")
    if before.ref(b"Info") != after.ref(b"Info"):
        new_info = after.ref(b"Info")
        if before.ref(b"Info") is not None or new_info is None:
            raise Refused("3.1 /Info")
        if set(after.get(new_info[0])) - {"/Producer", "/ModDate", "/CreationDate"}:
            raise Refused("3.1 a new /Info with other keys")
    if after.size < before.size:
        raise Refused("3.1 /Size lowered")
    entries = _entries(section)
    if any(kind == b"f" and number != 0 for number, _, kind in entries):
        raise Refused("3.2 a free entry")
    catalog_ref = before.ref(b"Root")
    assert catalog_ref is not None
    catalog = _norm(before.get(catalog_ref[0]))
    info = before.ref(b"Info")
    form_ref = catalog.get("/AcroForm")
    form = _norm(before.get(form_ref[1])) if isinstance(form_ref, tuple) else form_ref or {}
    roles: dict[int, str] = {catalog_ref[0]: "catalog"}
    if info:
        roles[info[0]] = "info"
    if isinstance(form_ref, tuple):
        roles[form_ref[1]] = "form"
    if isinstance(form.get("/Fields"), tuple):
        roles[form["/Fields"][1]] = "form"
    for key, role in (("/Metadata", "metadata"), ("/DSS", "dss")):
        value = catalog.get(key)
        if isinstance(value, tuple) and value[1] >= notarised_size:
            roles[value[1]] = role
    pages: dict[int, int] = {}  # page or its /Annots array -> page
    stack = [catalog["/Pages"]]
    while stack:
        ref = stack.pop()
        node = _norm(before.get(ref[1]))
        if "/Kids" in node:
            stack.extend(_resolved_list(before, node["/Kids"]))
        elif node.get("/Type") == "/Page":
            pages[ref[1]] = ref[1]
            roles[ref[1]] = "page"
            if isinstance(node.get("/Annots"), tuple):
                pages[node["/Annots"][1]] = ref[1]
                roles[node["/Annots"][1]] = "annots"
    allowed = {"catalog": {"/AcroForm", "/Version", "/Extensions", "/Metadata", "/DSS"},
               "info": {"/ModDate", "/Producer"}, "page": {"/Annots"},
               "dss": {"/Type", "/Certs", "/CRLs", "/OCSPs", "/VRI"}}  # fmt: skip
    touched_pages: set[int] = set()
    for number, generation, _ in entries:
        if number == 0:
            continue
        existing = number < before.size or number in before.generations or number in referenced
        if generation != (before.generations.get(number, 0) if existing else 0):
            raise Refused("3.2 another generation")
        if not existing:
            continue
        role = roles.get(number)
        old, new = _norm(before.get(number)), _norm(after.get(number))
        if role in allowed:
            if not isinstance(old, dict) or not isinstance(new, dict):
                raise Refused(f"3.3 object {number} is no dictionary")
            if {k for k in set(old) | set(new) if old.get(k) != new.get(k)} - allowed[role]:
                raise Refused(f"3.3 object {number} ({role})")
        elif role == "metadata":
            if not (isinstance(new, tuple) and new[0] == "stream"):
                raise Refused("3.3 the XMP packet is no stream")
        elif role not in ("form", "annots"):
            raise Refused(f"3.3 object {number} changed")
        if number in pages:
            touched_pages.add(pages[number])
    for page in touched_pages:
        old_annots = _resolved_list(before, _norm(before.get(page)).get("/Annots"))
        new_annots = _resolved_list(after, _norm(after.get(page)).get("/Annots"))
        _appended_signature_fields(old_annots, new_annots, after, widget=True)
    new_catalog = _norm(after.get(catalog_ref[0]))
    new_form_ref = new_catalog.get("/AcroForm")
    new_form = _norm(after.get(new_form_ref[1])) if isinstance(new_form_ref, tuple) else new_form_ref or {}
    if {k for k in set(form) | set(new_form) if form.get(k) != new_form.get(k)} - {"/Fields", "/SigFlags"}:
        raise Refused("3.5 the form's other keys")
    _appended_signature_fields(
        _resolved_list(before, form.get("/Fields")), _resolved_list(after, new_form.get("/Fields")), after, False
    )


def spec_allows(pdf: bytes, notarised_length: int) -> bool:
    """docs/seal.md §4 rules 2 and 3 (rule 1 is the regeneration, the same for every vector here)."""
    tail = pdf[notarised_length:]
    if not tail or pdf[pdf.rindex(b"%%EOF") + 5 :].strip(b"\r\n"):
        return False
    ends = []
    for found in re.finditer(rb"%%EOF", tail):
        end = notarised_length + found.end()
        end += 2 if pdf[end : end + 2] == b"\r\n" else 1 if pdf[end : end + 1] in (b"\r", b"\n") else 0
        ends.append(end)
    if len(re.sub(rb"(?<!end)stream\r?\n.*?endstream", b"", tail, flags=re.DOTALL)) > 512 * 1024:
        return False
    revisions = [Revision(pdf, notarised_length), *(Revision(pdf, end) for end in ends)]
    starts = [notarised_length, *ends[:-1]]
    tables = [list(_TABLE.finditer(pdf, s, e)) for s, e in zip(starts, ends, strict=True)]
    if not all(tables):
        return False  # a revision without its own cross-reference table (%%EOF count, rule 2)
    referenced: set[int] = set()
    try:
        for k in range(1, len(revisions)):
            referenced |= revisions[k - 1].referenced()
            section = pdf[tables[k - 1][-1].start() : ends[k - 1]]
            _review(revisions[k - 1], revisions[k], revisions[0].size, section, referenced)
    except Refused:
        return False
    return True


@pytest.mark.parametrize("vector", _index()["vectors"], ids=[v["name"] for v in _index()["vectors"]])
def test_rule_4_from_the_spec_alone_agrees_on_every_vector(vector: dict[str, Any]) -> None:
    from notary.pdf.seal import review_later_updates

    pdf = (SEAL_VECTORS / vector["file"]).read_bytes()
    length = _index()["notarised"]["bytes"]
    expected = vector["expected"]["checks"]["notarisation-update"] == "ok"
    if len(pdf) == length:
        return  # the stripped seal: exactly the notarised file, no later revision to review
    assert spec_allows(pdf, length) == expected
    assert review_later_updates(pdf, length).allowed == expected


def test_rule_4_from_the_spec_alone_agrees_on_the_forged_revisions() -> None:
    from notary.pdf.seal import review_later_updates
    from tests.unit import test_seal_vectors_rules as rules

    mark = next(m for m in rules.test_a_forged_revision_is_refused.pytestmark if m.name == "parametrize")
    cases = [(make, rule) for make, rule in mark.args[1]]
    cases += [(rules._extra_field, "allowed: an invisible signature field")]
    for make, rule in cases:
        pdf = make()
        ours = review_later_updates(pdf, rules.NOTARISED_LENGTH).allowed
        assert spec_allows(pdf, rules.NOTARISED_LENGTH) == ours == rule.startswith("allowed"), rule


def test_rule_4_from_the_spec_alone_agrees_on_dangling_references() -> None:
    """§4 Terms (referenced numbers) on the classic-table case of test_seal_dangling.py."""
    from notary.pdf.seal import review_later_updates
    from tests.unit import test_seal_dangling as dangling

    notarised, sealed = dangling._sealed()["classic"]
    cases = [(sealed, True), (dangling._define(sealed, 70, b"<</Foo 1>>"), True)]
    cases += [(dangling._define(sealed, n, b"<</Length 0>>\nstream\n\nendstream"), False) for n in (50, 60)]
    for pdf, allowed in cases:
        assert spec_allows(pdf, len(notarised)) == review_later_updates(pdf, len(notarised)).allowed == allowed
