"""Generate the proof-format test vectors in this directory.

    .venv/bin/python tests/vectors/generate.py          # rewrite the JSON files
    .venv/bin/python tests/vectors/generate.py --check  # exit 1 if the files differ from a fresh run

The vectors pin the format: tests load the committed files, re-derive every value, and also check that a
fresh generation reproduces them byte for byte. Regenerate only for an intended format change (a new major
version), never to make a failing test pass.

Keys and salts come from keccak256 of fixed strings: test-only values that must never hold funds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import base45
from eth_account import Account

from notary.core import _cbor
from notary.core.claims import Claims
from notary.core.eip712 import Batch, BatchDomain, batch_struct_hash, domain_separator, sign_batch
from notary.core.format_errors import error_code
from notary.core.hashing import Digest32, Salt, keccak256
from notary.core.layout import StampLayout
from notary.core.leaves import document_commitment, leaf_hash
from notary.core.merkle import MerkleTree
from notary.core.proof import Proof
from notary.core.qr_payload import decode_qr_text, encode_qr_text
from notary.errors import FormatError

HERE = Path(__file__).parent
KEY_SEED = "notary test vector key 1"
OTHER_KEY_SEED = "notary test vector key 2"
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
HOLDERS = [
    "Jörg Müller-Lüdenscheidt",
    "Änne Weiß",
    "Özlem Yılmaz",
    "Björn Groß",
    "Zoë Schäfer",
    "Lütfiye Doğan",
    "Maximilian Käßmann",
    "Sören Übelhör",
]


def private_key(seed: str = KEY_SEED) -> bytes:
    return bytes(keccak256(seed.encode()))


def document_pdf(batch: str, i: int) -> bytes:
    return f"%PDF-1.7\n% test document {batch} #{i}\n%%EOF\n".encode()


def document_claims(spec: dict[str, Any], i: int) -> Claims:
    c = spec["claims"]
    return Claims.create(
        doc_type=c["doc_type"],
        title=c["title"],
        holder=HOLDERS[i % len(HOLDERS)] + (f" {i}" if i >= len(HOLDERS) else ""),
        issued_on=dt.date.fromisoformat(c["issued_on"]),
        valid_until=dt.date.fromisoformat(c["valid_until"]) if c.get("valid_until") else None,
        issuer_ref=c.get("issuer_ref_prefix", "") + str(i) if c.get("issuer_ref_prefix") else None,
        facts=tuple((label, value) for label, value in c.get("facts", [])),
    )


def build_batch(spec: dict[str, Any]) -> tuple[list[bytes], list[Claims], list[Salt], MerkleTree]:
    """The deterministic batch a spec describes: document i, its claims and salt, and the tree."""
    name, n = spec["name"], spec["batch_size"]
    pdfs = [document_pdf(name, i) for i in range(n)]
    claims = [document_claims(spec, i) for i in range(n)]
    salts = [Salt(keccak256(f"salt {name} {i}".encode())) for i in range(n)]
    placement = StampLayout.from_json_dict(spec["stamp"]).placement_digest()
    leaves = [
        leaf_hash(document_commitment(Digest32(hashlib.sha256(p).digest()), placement), c.digest(), s)
        for p, c, s in zip(pdfs, claims, salts, strict=True)
    ]
    return pdfs, claims, salts, MerkleTree.build(leaves)


def build_proof(spec: dict[str, Any]) -> Proof:
    pdfs, claims, salts, tree = build_batch(spec)
    i = spec["index"]
    domain = BatchDomain(spec["chain_id"], spec["registry"])
    batch = Batch(tree.root, spec["batch_size"], spec["issued_at"])
    key = private_key()
    stamp = StampLayout.from_json_dict(spec["stamp"])
    return Proof(
        chain_id=domain.chain_id,
        registry=domain.registry,
        root=tree.root,
        document_hash=Digest32(hashlib.sha256(pdfs[i]).digest()),
        claims=claims[i],
        salt=salts[i],
        merkle_proof=tree.proof(i),
        issuer=Account.from_key(key).address,
        signature=sign_batch(key, domain, batch),
        issued_at=batch.issued_at,
        document_count=batch.document_count,
        original_length=len(pdfs[i]),
        stamp=stamp,
    )


URL_QR = (13, 2)
"""(qr_version, qr_mask) the reference issuer chooses for the QR text of vector url-stamp (a test pins it)."""
DEFAULT_STAMP: dict[str, Any] = {
    "stamp_version": 1,
    "page": 0,
    "x": 437,
    "y": 62,
    "size": 113,
    "caption": "Digital geprüft: https://verify.example",
    "qr_version": 19,
    "qr_ecl": "M",
    "qr_mask": 5,
}
"""The stamp of the realistic vectors: bottom-right, 40 mm, as `notary issue` places it on A4."""

SPECS: list[dict[str, Any]] = [
    {
        "name": "single",
        "batch_size": 1,
        "index": 0,
        "chain_id": 31337,
        "registry": REGISTRY,
        "issued_at": 1752570000,
        "claims": {
            "doc_type": "gewerbeauskunft",
            "title": "Gewerbeauskunft nach § 14 GewO",
            "issued_on": "2025-07-15",
            "valid_until": "2026-07-14",
            "issuer_ref_prefix": "Az. 32-1/",
        },
        "stamp": {
            "stamp_version": 1,
            "page": 0,
            "x": 450,
            "y": 36,
            "size": 110,
            "caption": "Digital notarisiert — prüfen: verify.example",
            # what the reference issuer picks for this proof's 421-character QR text (12-M holds only 419)
            "qr_version": 13,
            "qr_ecl": "M",
            "qr_mask": 4,
        },
        "url_prefix": None,
    },
    {
        "name": "five",
        "batch_size": 5,
        "index": 3,
        "chain_id": 31337,
        "registry": REGISTRY,
        "issued_at": 1752570001,
        "claims": {"doc_type": "urkunde", "title": "Geburtsurkunde", "issued_on": "2025-01-02"},
        "stamp": DEFAULT_STAMP,
        "url_prefix": "HTTPS://VERIFY.EXAMPLE/#",
    },
    {
        "name": "thousand",
        "batch_size": 1000,
        "index": 417,
        "chain_id": 11155111,
        "registry": REGISTRY,
        "issued_at": 1752570002,
        "claims": {"doc_type": "zeugnis", "title": "Abschlusszeugnis der Realschule", "issued_on": "2025-07-15"},
        "stamp": DEFAULT_STAMP,
        "url_prefix": "HTTPS://VERIFY.EXAMPLE/#",
    },
    {
        "name": "facts",
        "batch_size": 1024,
        "index": 1000,
        "chain_id": 11155111,
        "registry": REGISTRY,
        "issued_at": 1752570003,
        "claims": {
            "doc_type": "zeugnis",
            "title": "Abschlusszeugnis der Realschule",
            "issued_on": "2025-07-15",
            "issuer_ref_prefix": "RS-2025/",
            "facts": [["Abschluss", "Mittlerer Schulabschluss"], ["Durchschnittsnote", "1,7"], ["Klasse", "10b"]],
        },
        "stamp": {**DEFAULT_STAMP, "qr_version": 21, "qr_mask": 0},
        "url_prefix": "HTTPS://VERIFY.EXAMPLE/#",
    },
    {
        # stamp version 2 (format 1.2): the stamp's QR opens the verifier; its text is qr_url + payload
        "name": "url-stamp",
        "batch_size": 3,
        "index": 2,
        "chain_id": 31337,
        "registry": REGISTRY,
        "issued_at": 1752570004,
        "claims": {
            "doc_type": "zeugnis",
            "title": "Abschlusszeugnis der Realschule",
            "issued_on": "2025-07-15",
            "issuer_ref_prefix": "RS-2025/",
        },
        "stamp": {
            **DEFAULT_STAMP,
            "stamp_version": 2,
            "qr_url": "https://verify.example/#",
            "qr_version": URL_QR[0],
            "qr_mask": URL_QR[1],
        },
        "url_prefix": "https://verify.example/#",
    },
]


def expected_values(spec: dict[str, Any], proof: Proof) -> dict[str, Any]:
    domain = proof.domain()
    qr_text = encode_qr_text(proof, spec["url_prefix"])
    return {
        "document_hash": proof.document_hash.to_hex() if proof.document_hash else None,
        "placement_digest": proof.stamp.placement_digest().to_hex() if proof.stamp else None,
        "document": proof.document_digest.to_hex(),
        "claims_canonical": "0x" + proof.claims.canonical_bytes().hex(),
        "claims_digest": proof.claims_digest().to_hex(),
        "salt": proof.salt.to_hex(),
        "leaf": proof.leaf().to_hex(),
        "root": proof.root.to_hex(),
        "merkle_proof": proof.merkle_proof.hex_list(),
        "domain_separator": domain_separator(domain).to_hex(),
        "struct_hash": batch_struct_hash(proof.batch()).to_hex(),
        "signing_digest": proof.signing_digest().to_hex(),
        "signature": "0x" + proof.signature.hex(),
        "signer": proof.issuer,
        "proof_json": proof.to_json().decode("utf-8"),
        "compact": "0x" + proof.to_compact().hex(),
        "qr_text": qr_text,
    }


def _assert_stamp_fits(proof: Proof) -> None:
    """S§7: the stamp's QR text MUST fit its recorded version (vector single once recorded 12-M for 421
    characters; 12-M holds 419)."""
    from notary.core.qr_payload import stamp_qr_text
    from notary.pdf.qr_symbol import smallest_version

    assert proof.stamp is not None
    needed = smallest_version(stamp_qr_text(proof), proof.stamp.qr_ecl)
    assert needed <= proof.stamp.qr_version, f"stamp records QR version {proof.stamp.qr_version}, text needs {needed}"


def valid_vectors() -> dict[str, Any]:
    cases = []
    for spec in SPECS:
        proof = build_proof(spec)
        assert proof.root_matches() and proof.signer_matches()
        _assert_stamp_fits(proof)
        pdfs, _, _, tree = build_batch(spec)
        inputs: dict[str, Any] = {"document_pdf": pdfs[spec["index"]].decode("utf-8")}
        if spec["batch_size"] <= 16:  # small batches: every leaf, so the tree itself can be rebuilt
            inputs["leaves"] = [tree.leaf(i).to_hex() for i in range(spec["batch_size"])]
        cases.append({"spec": spec, "inputs": inputs, "expected": expected_values(spec, proof)})
    return {
        "description": (
            "Valid proofs. spec: how the batch is built (recipe below); inputs: the original PDF's bytes (UTF-8) "
            "and, for small batches, every leaf in order; expected: every derived value."
        ),
        "batch_recipe": (
            "Document i of batch NAME is the UTF-8 text '%PDF-1.7\\n% test document NAME #i\\n%%EOF\\n'; its holder is "
            "holders[i mod 8] (plus ' ' + i when i >= 8); its salt is keccak256('salt NAME i'); its issuer_ref, if "
            "the spec has issuer_ref_prefix, is that prefix + i; every other claim and the stamp come from spec; "
            "leaves are in document order (docs/proof-format.md §4, §5)."
        ),
        "holders": HOLDERS,
        "private_key_seed": KEY_SEED,
        "private_key": "0x" + private_key().hex(),
        "cases": cases,
    }


# -- invalid inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Repeat:
    """A long input stored as prefix + unit * count (hex units for binary inputs), to keep the file small."""

    prefix: str
    unit: str
    count: int

    def text(self) -> str:
        return self.prefix + self.unit * self.count

    def to_json(self) -> dict[str, Any]:
        return {"prefix": self.prefix, "unit": self.unit, "count": self.count}


def _base() -> tuple[Proof, dict[str, Any], dict[int, Any]]:
    proof = build_proof(SPECS[1])
    return proof, proof.to_json_dict(), proof.to_compact_obj()


def _json_cases() -> list[tuple[str, bytes | Repeat, str]]:
    proof, base, _ = _base()
    good = proof.to_json()

    def mutate(fn: Callable[[dict[str, Any]], None]) -> bytes:
        d = json.loads(good)
        fn(d)
        return json.dumps(d, ensure_ascii=False).encode()

    def set_(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
        def fn(d: dict[str, Any]) -> None:
            *parents, last = path.split(".")
            for p in parents:
                d = d[p]
            d[last] = value

        return fn

    def delete(path: str) -> Callable[[dict[str, Any]], None]:
        def fn(d: dict[str, Any]) -> None:
            *parents, last = path.split(".")
            for p in parents:
                d = d[p]
            del d[last]

        return fn

    sig_high_s = bytearray(proof.signature)
    s = int.from_bytes(sig_high_s[32:64], "big")
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    sig_high_s[32:64] = (n - s).to_bytes(32, "big")
    sig_high_s[64] = 55 - sig_high_s[64]
    return [
        ("empty", b"", "is empty"),
        ("truncated", good[: len(good) // 2], "truncated"),
        ("oversized", Repeat("", " ", 64 * 1024 + 1), "oversized"),
        ("not json", b"hello", "not valid JSON"),
        ("bad utf8", b'{"a":"\xff"}', "not valid UTF-8"),
        ("bom", "\ufeff".encode() + good, "byte-order mark"),
        ("array", b"[]", "must be an object"),
        ("not a proof", b'{"type":"other"}', 'JSON member "type"'),
        ("duplicate key", good[:-1] + b',"chain_id":1}', "duplicate JSON key"),
        ("float", mutate(set_("issued_at", 1.5)), "not an integer"),
        ("nan", good.replace(b'"issued_at":1752570001', b'"issued_at":NaN'), "not an integer"),
        ("unknown major", mutate(set_("version", "2.0")), "unsupported proof format version 2.0"),
        ("bad version", mutate(set_("version", "1")), "major.minor"),
        ("missing root", mutate(delete("root")), "'root' is missing"),
        ("missing claims field", mutate(delete("claims.holder")), "'holder' is missing"),
        ("root wrong type", mutate(set_("root", 5)), "must be a hex string"),
        ("root no 0x", mutate(set_("root", base["root"][2:])), "must start with 0x"),
        ("root bad hex", mutate(set_("root", "0x" + "zz" * 32)), "not valid hex"),
        ("root short", mutate(set_("root", base["root"][:-2])), "must be 32 bytes"),
        ("salt long", mutate(set_("salt", base["salt"] + "00")), "must be 32 bytes"),
        ("chain id zero", mutate(set_("chain_id", 0)), "out of range"),
        ("chain id bool", mutate(set_("chain_id", True)), "must be an integer"),
        ("chain id too big", mutate(set_("chain_id", 2**53)), "out of range"),
        (
            "registry checksum",
            mutate(set_("registry", base["registry"].swapcase().replace("0X", "0x"))),
            "wrong EIP-55 checksum",
        ),
        ("issuer short", mutate(set_("issuer", base["issuer"][:-2])), "40 hex digits"),
        ("signature short", mutate(set_("signature", base["signature"][:-2])), "must be 65 bytes"),
        ("signature v", mutate(set_("signature", base["signature"][:-2] + "01")), "v must be 27 or 28"),
        ("signature high s", mutate(set_("signature", "0x" + sig_high_s.hex())), "lower half"),
        ("proof not list", mutate(set_("merkle_proof", "0x00")), "must be a list"),
        ("proof too deep", mutate(set_("merkle_proof", [base["root"]] * 33)), "too deep"),
        ("proof wrong depth", mutate(set_("merkle_proof", base["merkle_proof"][:1])), "needs 2 or 3"),
        ("count zero", mutate(set_("document_count", 0)), "out of range"),
        ("count too big", mutate(set_("document_count", 2**24)), "out of range"),
        ("original length zero", mutate(set_("original_length", 0)), "out of range"),
        ("doc type", mutate(set_("claims.doc_type", "Zeugnis")), "must match [a-z0-9-]"),
        ("holder empty", mutate(set_("claims.holder", "")), "must not be empty"),
        ("holder control", mutate(set_("claims.holder", "Anna\u0007")), "control character"),
        ("holder bidi", mutate(set_("claims.holder", "Anna\u202eX")), "control character"),
        ("holder not nfc", mutate(set_("claims.holder", "Jo\u0308rg")), "not NFC-normalised"),
        ("holder spaces", mutate(set_("claims.holder", " Anna")), "leading or trailing whitespace"),
        ("title long", mutate(set_("claims.title", "x" * 201)), "too long"),
        ("date format", mutate(set_("claims.issued_on", "20250102")), "YYYY-MM-DD"),
        ("date invalid", mutate(set_("claims.issued_on", "2025-02-30")), "not a real calendar date"),
        ("valid before issue", mutate(set_("claims.valid_until", "2024-01-01")), "before 'issued_on'"),
        ("stamp bad", mutate(set_("stamp", {"stamp_version": 9})), "stamp"),
        # nothing unsigned (§10): unknown members, a second spelling, a version this reader cannot check
        ("unknown member", mutate(set_("grade", "Gefälscht: Note 1,0")), "not defined"),
        ("unknown claims member", mutate(set_("claims.note", "1,0")), "not defined"),
        ("unknown stamp member", mutate(set_("stamp.color", "red")), "not defined"),
        ("higher minor", mutate(set_("version", "1.3")), "unsupported proof format version 1.3"),
        ("minor above content", mutate(set_("version", "1.1")), "lowest version"),
        (
            "facts in 1.0",
            mutate(set_("claims.facts", [["Abschluss", "Mittlere Reife"]])),
            "not defined in format version 1.0",
        ),
        ("null optional", mutate(set_("original_length", None)), "is null"),
        ("document beside hash", mutate(set_("document", base["salt"])), "written only when"),
        ("upper-case hex", mutate(set_("salt", "0x" + base["salt"][2:].upper())), "lower-case hex"),
        ("address all lower", mutate(set_("issuer", base["issuer"].lower())), "wrong EIP-55 checksum"),
        ("address all upper", mutate(set_("issuer", "0x" + base["issuer"][2:].upper())), "wrong EIP-55 checksum"),
        # text rules (§3.2)
        ("holder zero width space", mutate(set_("claims.holder", "Anna\u200bMüller")), "U+200B"),
        ("holder soft hyphen", mutate(set_("claims.holder", "Anna\u00adMüller")), "U+00AD"),
        ("holder word joiner", mutate(set_("claims.holder", "Anna\u2060Müller")), "U+2060"),
        ("holder hangul filler", mutate(set_("claims.holder", "Anna\u3164")), "U+3164"),
        ("title tag characters", mutate(set_("claims.title", "Zeugnis\U000e0041\U000e007f")), "U+E0041"),
        ("title variation selector", mutate(set_("claims.title", "Zeugnis\ufe0f")), "U+FE0F"),
        ("title annotation", mutate(set_("claims.title", "\ufff9Zeugnis\ufffa1,0\ufffb")), "U+FFF9"),
        ("title private use", mutate(set_("claims.title", "Zeugnis\ue000")), "U+E000"),
        ("title unassigned", mutate(set_("claims.title", "Zeugnis\u0378")), "U+0378"),
        ("holder no-break space", mutate(set_("claims.holder", "Anna\u00a0Müller")), "other than U+0020"),
        ("holder double space", mutate(set_("claims.holder", "Anna  Müller")), "two spaces"),
        ("title three marks", mutate(set_("claims.title", "Zeugnis\u0336\u0336\u0336")), "combining marks"),
        ("title leading mark", mutate(set_("claims.title", "\u0301Zeugnis")), "combining marks"),
        ("caption invisible", mutate(set_("stamp.caption", "Digital\u200bgeprüft")), "U+200B"),
        ("null required", mutate(set_("salt", None)), "must be a hex string"),
        ("holder only a space", mutate(set_("claims.holder", " ")), "leading or trailing whitespace"),
        ("title long and invisible", mutate(set_("claims.title", "Zeugnis\u200b" * 30)), "too long"),
        ("stamp version 3", mutate(set_("stamp.stamp_version", 3)), "unknown stamp version 3"),
        # document_hash and stamp travel together; without both, document stands alone (§7.3 step 5)
        ("stamp without document_hash", mutate(delete("document_hash")), "together, or neither"),
        ("document_hash without stamp", mutate(delete("stamp")), "together, or neither"),
        (
            "no document_hash, stamp or document",
            mutate(lambda d: (d.pop("document_hash"), d.pop("stamp"))),
            "'document' is missing",
        ),
        ("facts empty in 1.0", mutate(set_("claims.facts", [])), "is empty: leave it out"),
        *_json_url_stamp_cases(),
        ("unknown member before bad value", mutate(lambda d: d.update(chain_id=0, zzz=1)), "not defined"),
        *_json_facts_cases(),
    ]


def _json_url_stamp_cases() -> list[tuple[str, bytes | Repeat, str]]:
    """Stamp version 2 (format 1.2, docs/proof-format.md §9): where qr_url may appear and what it may be."""
    good = json.loads(build_proof(SPECS[4]).to_json())
    assert good["version"] == "1.2" and good["stamp"]["stamp_version"] == 2

    def with_stamp(version: str = "1.2", **changes: Any) -> bytes:
        stamp = {k: v for k, v in {**good["stamp"], **changes}.items() if v is not None}
        return json.dumps({**good, "version": version, "stamp": stamp}, ensure_ascii=False).encode()

    return [
        ("stamp version 2 in 1.0", with_stamp("1.0"), "stamp version 2 is not defined in format version 1.0"),
        ("stamp version 2 in 1.1", with_stamp("1.1"), "stamp version 2 is not defined in format version 1.1"),
        ("stamp version 1 in 1.2", with_stamp(stamp_version=1, qr_url=None), "lowest version"),
        ("qr_url in stamp version 1", with_stamp("1.0", stamp_version=1), "not defined"),
        ("stamp version 2 without qr_url", with_stamp(qr_url=None), "'qr_url' must be a string"),
        ("qr_url not a string", with_stamp(qr_url=1), "'qr_url' must be a string"),
        ("qr_url plain http", with_stamp(qr_url="http://verify.example/#"), "must use https"),
        ("qr_url without '#'", with_stamp(qr_url="http://localhost:8000"), "one '#' at the end"),
        ("qr_url http other loopback", with_stamp(qr_url="http://127.0.0.2:8000/#"), "must use https"),
        ("qr_url http localhost as a label", with_stamp(qr_url="http://localhost.example/#"), "must use https"),
        ("qr_url empty host label", with_stamp(qr_url="https://verify..example/#"), "one '#' at the end"),
        ("qr_url host ends with a dot", with_stamp(qr_url="https://verify.example./#"), "one '#' at the end"),
        ("qr_url port above 65535", with_stamp(qr_url="https://verify.example:65536/#"), "one '#' at the end"),
        ("qr_url port zero", with_stamp(qr_url="https://verify.example:0/#"), "one '#' at the end"),
        # a stamp version nobody defines has no qr_url member (only version 2 defines it, §9)
        ("stamp version 3 with qr_url", with_stamp(stamp_version=3), "'qr_url' is not defined"),
        ("qr_url upper-case host", with_stamp(qr_url="https://VERIFY.EXAMPLE/#"), "lower-case host"),
        ("qr_url two hashes", with_stamp(qr_url="https://verify.example/#x#"), "one '#' at the end"),
        ("qr_url query", with_stamp(qr_url="https://verify.example/?q=1#"), "one '#' at the end"),
        ("qr_url percent", with_stamp(qr_url="https://verify.example/a%20b#"), "one '#' at the end"),
        ("qr_url space", with_stamp(qr_url="https://verify.example/ #"), "one '#' at the end"),
        ("qr_url too long", with_stamp(qr_url="https://verify.example/" + "p" * 41 + "#"), "at most 64"),
    ]


def _json_facts_cases() -> list[tuple[str, bytes | Repeat, str]]:
    good = json.loads(build_proof(SPECS[3]).to_json())

    def with_facts(facts: Any, version: str = "1.1") -> bytes:
        d = {**good, "version": version, "claims": {**good["claims"]}}
        if facts is None:
            del d["claims"]["facts"]
        else:
            d["claims"]["facts"] = facts
        return json.dumps(d, ensure_ascii=False).encode()

    return [
        ("facts empty", with_facts([]), "is empty: leave it out"),
        ("facts label twice", with_facts([["Note", "1,7"], ["Note", "2,0"]]), "given twice"),
        ("facts nine", with_facts([[f"L{i}", "x"] for i in range(9)]), "limit 8"),
        ("facts triple", with_facts([["Note", "1,7", "x"]]), "(label, value) pair"),
        ("facts label invisible", with_facts([["No\u200bte", "1,7"]]), "U+200B"),
        ("1.1 without facts", with_facts(None), "lowest version"),
    ]


def _compact_cases() -> list[tuple[str, bytes | Repeat, str]]:
    proof, _, base = _base()
    good = proof.to_compact()

    def with_(key: int, value: Any) -> bytes:
        d = dict(base)
        d[key] = value
        return _cbor.dumps(d)

    def without(key: int) -> bytes:
        d = dict(base)
        del d[key]
        return _cbor.dumps(d)

    claims = list(base[4])
    bad_claims = [*claims[:3], 20250230, *claims[4:]]
    return [
        ("empty", b"", "is empty"),
        ("truncated", good[:-1], "truncated"),
        ("oversized", Repeat("", "00", 2801), "oversized"),
        ("trailing bytes", good + b"\x00", "trailing bytes"),
        ("not a map", _cbor.dumps([1, 2]), "must be a CBOR map"),
        ("tag", b"\xc2" + good, "CBOR tag"),
        ("float", _cbor.dumps(1.5), "float or simple value"),
        ("negative", _cbor.dumps(-1), "negative integer"),
        ("indefinite", b"\xbf\x00\x01\xff", "indefinite length"),
        ("reserved header", b"\x1c", "reserved CBOR header"),
        ("non-canonical int", b"\xa1\x18\x00\x01", "not canonical"),
        ("duplicate key", b"\xa2\x00\x01\x00\x01", "not valid CBOR"),
        ("unsorted keys", b"\xa2\x01\x01\x00\x01", "not canonical"),
        ("too deep", b"\x81\x81\x81\x81\x81\x81\x00", "nested too deeply"),
        ("text key", _cbor.dumps({**base, "x": 1}), "keys must be integers"),
        ("missing key", without(7), "field 7 is missing"),
        ("unknown major", with_(0, 2), "unsupported proof format version 2.0"),
        ("hash short", with_(3, bytes(31)), "must be 32 bytes"),
        ("hash as text", with_(3, "00" * 32), "must be a byte string"),
        ("registry short", with_(2, bytes(19)), "must be 20 bytes"),
        ("merkle ragged", with_(6, bytes(33)), "multiple of 32"),
        ("signature v", with_(7, proof.signature[:64] + b"\x00"), "v must be 27 or 28"),
        ("claims short", with_(4, claims[:5]), "array of 6"),
        ("claims bad date", with_(4, bad_claims), "not a real calendar date"),
        ("invalid utf8", with_(4, claims).replace(b"Geburtsurkunde", b"Geburtsurkund\xff"), "CBOR"),
        ("unknown key 11", with_(11, "Gefälscht: Note 1,0"), "field 11 is not defined"),
        ("minor version key", with_(10, 3), "unsupported proof format version 1.3"),
        ("minor 2 without a stamp", with_(10, 2), "lowest version"),
        ("minor above content", with_(10, 1), "lowest version"),
        ("minor version zero", with_(10, 0), "minor version"),
        ("nested 5 deep", with_(4, [[[[0]]]]), "nested too deeply"),
        ("holder invisible", with_(4, [*claims[:2], "Anna\u2060Müller", *claims[3:]]), "U+2060"),
        ("signature recovers to no key", with_(7, _OFF_CURVE_R.to_bytes(32, "big") + proof.signature[32:]),
         "does not recover to a key"),
        ("signature r zero", with_(7, bytes(32) + proof.signature[32:]), "signature r is out of range"),
        *_compact_facts_cases(),
    ]  # fmt: skip


_OFF_CURVE_R = 5
"""The smallest x with no point on secp256k1 (5³ + 7 is not a square mod p): a signature with this r recovers
to no key."""


def _compact_facts_cases() -> list[tuple[str, bytes | Repeat, str]]:
    base = build_proof(SPECS[3]).to_compact_obj()
    claims6 = list(base[4][:6])

    def with_claims(claims: list[Any], minor: int | None = 1) -> bytes:
        d = {**base, 4: claims}
        if minor is None:
            del d[10]
        else:
            d[10] = minor
        return _cbor.dumps(d)

    return [
        ("facts in 1.0", with_claims([*claims6, [["Note", "1,7"]]], None), "not defined in format version 1.0"),
        ("facts empty in 1.0", with_claims([*claims6, []], None), "empty list of key facts"),
        ("7th element a text in 1.0", with_claims([*claims6, "Note 1,7"], None), "list of [label, value] lists"),
        ("7th element a text in 1.1", with_claims([*claims6, "Note 1,7"]), "list of [label, value] lists"),
        ("facts empty in 1.1", with_claims([*claims6, []]), "empty list of key facts"),
        ("1.1 without facts", with_claims(claims6), "lowest version"),
        ("claims 8 elements", with_claims([*base[4], 1]), "array of 6 elements (7 with key facts)"),
        ("facts label twice", with_claims([*claims6, [["Note", "1,7"], ["Note", "2,0"]]]), "given twice"),
        ("facts nine", with_claims([*claims6, [[f"L{i}", "x"] for i in range(9)]]), "limit 8"),
        ("facts triple", with_claims([*claims6, [["Note", "1,7", "x"]]]), "(label, value) pair"),
        ("facts value long", with_claims([*claims6, [["Note", "x" * 101]]]), "limit 100"),
        ("facts label invisible", with_claims([*claims6, [["No\u202ete", "1,7"]]]), "U+202E"),
    ]


def _qr_cases() -> list[tuple[str, str | Repeat, str]]:
    proof, _, _ = _base()
    good = encode_qr_text(proof)
    return [
        ("empty", "", "not a notary QR code"),
        ("wrong prefix", "XY1:" + good[4:], "not a notary QR code"),
        ("future version", "NT2:" + good[4:], "unsupported QR payload version"),
        ("prefix only", "NT1:", "empty"),
        ("bad char", good[:10] + "!" + good[11:], "outside base45"),
        ("truncated", good[:-1] if len(good) % 3 != 2 else good[:-2], "truncated"),
        ("base45 overflow", "NT1:" + ":::" + good[7:], "base45"),
        ("oversized", Repeat("NT1:", "0", 20000), "oversized"),
        # under the 16,384-character text limit, but the body decodes to 2,804 bytes (§8 step 4)
        ("body over 2,800 bytes", Repeat("NT1:", "0", 4206), "oversized: 2804 bytes"),
    ]


def invalid_vectors() -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": (
            "Inputs every reader must reject. code: the stable reason code a verifier reports (docs/proof-format.md"
            " §13); error: a substring of the reference implementation's message (informative only)."
        ),
        "json": [],
        "compact": [],
        "qr": [],
    }
    for name, data, error in _json_cases():
        if isinstance(data, Repeat):
            code = _expect_error(lambda r=data: Proof.from_json(r.text().encode()), name, error)
            out["json"].append({"name": name, "repeat": data.to_json(), "error": error, "code": code})
            continue
        code = _expect_error(lambda d=data: Proof.from_json(d), name, error)
        try:
            entry = {"name": name, "input": data.decode("utf-8"), "error": error, "code": code}
        except UnicodeDecodeError:
            entry = {"name": name, "hex": data.hex(), "error": error, "code": code}
        out["json"].append(entry)
    for name, data, error in _compact_cases():
        if isinstance(data, Repeat):
            code = _expect_error(lambda r=data: Proof.from_compact(bytes.fromhex(r.text())), name, error)
            out["compact"].append({"name": name, "repeat": data.to_json(), "error": error, "code": code})
            continue
        code = _expect_error(lambda d=data: Proof.from_compact(d), name, error)
        out["compact"].append({"name": name, "hex": data.hex(), "error": error, "code": code})
    for name, text, error in _qr_cases():
        if isinstance(text, Repeat):
            code = _expect_error(lambda r=text: decode_qr_text(r.text()), name, error, qr=True)
            out["qr"].append({"name": name, "repeat": text.to_json(), "error": error, "code": code})
            continue
        code = _expect_error(lambda t=text: decode_qr_text(t), name, error, qr=True)
        out["qr"].append({"name": name, "text": text, "error": error, "code": code})
    return out


def reason_code(exc: FormatError, *, qr: bool = False) -> str:
    """The verifier's reason code for a reader error (§13): a rule's own code, else the generic one."""
    del qr  # one mapping for every input: QR text that is not NT1 base45 raises its own code (§8)
    return error_code(exc)


def _expect_error(fn: Callable[[], object], name: str, error: str, *, qr: bool = False) -> str:
    try:
        fn()
    except FormatError as exc:
        if error not in str(exc):
            raise AssertionError(f"{name}: expected {error!r} in {str(exc)!r}") from None
        return reason_code(exc, qr=qr)
    raise AssertionError(f"{name}: no FormatError")


# -- verdicts without the chain ----------------------------------------------------------------------------


def _canonical(d: dict[str, Any]) -> str:
    return json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _verdict_cases() -> list[dict[str, Any]]:
    """Inputs that parse, judged by the checks that need no chain (docs/proof-format.md §13)."""
    single, five = build_proof(SPECS[0]), build_proof(SPECS[1])
    pdf = document_pdf("single", 0).decode("utf-8")
    until = single.claims.valid_until
    assert until is not None
    qr = encode_qr_text(single.for_qr())
    five_url = encode_qr_text(five.for_qr(), "HTTPS://VERIFY.EXAMPLE/#")
    assert " " in five_url

    def compact_with(key: int, value: Any, where: int | None = None) -> str:
        obj = five.for_qr().to_compact_obj()
        if where is None:
            obj[key] = value
        else:
            obj[key] = [*obj[key][:where], value, *obj[key][where + 1 :]]
        return "NT1:" + base45.b45encode(_cbor.dumps(obj)).decode("ascii")

    def tampered(member: str, value: str) -> str:
        d = single.to_json_dict()
        if member == "holder":
            d["claims"] = {**d["claims"], "holder": value}
        else:
            d[member] = value
        return _canonical(d)

    other = Account.from_key(private_key(OTHER_KEY_SEED)).address
    swapped = _canonical({**single.to_json_dict(), "issuer": other})
    genuine_json = single.to_json().decode("utf-8")
    off_curve = _OFF_CURVE_R.to_bytes(32, "big") + single.signature[32:]
    no_key = _canonical({**single.to_json_dict(), "signature": "0x" + off_curve.hex()})
    day = dt.timedelta(days=1)
    cases: list[tuple[str, str, dict[str, Any], dict[str, str], str]] = [
        ("qr valid on its last day", "valid_until is inclusive (Europe/Berlin date)",
         {"qr_text": qr, "today": until.isoformat()}, {}, "VALID"),
        ("qr expired", "the day after valid_until", {"qr_text": qr, "today": (until + day).isoformat()},
         {"expiry": "expired"}, "EXPIRED"),
        ("qr lower case", "the whole text lower-cased (§8 step 3)", {"qr_text": qr.lower(), "today": "2025-07-15"},
         {}, "VALID"),
        ("qr url percent-encoded", "URL prefix, every space of the payload sent as %20 (§8 step 5)",
         {"qr_text": five_url.replace(" ", "%20"), "today": "2025-07-15"}, {}, "VALID"),
        ("qr untrusted registry", "the registry is not on the trust list (here: an empty one)",
         {"qr_text": qr, "today": "2025-07-15", "trusted": False}, {"registry": "untrusted-registry"}, "INVALID"),
        ("qr tampered holder", "the holder changed in the compact form. A QR carries no root: the computed root and "
         "the recovered issuer simply change, nothing fails without the chain; the chain answers not-anchored",
         {"qr_text": compact_with(4, "Björn Gross", 2), "today": "2025-07-15"}, {}, "VALID"),
        ("json tampered holder", "separate proof file, the holder changed: the Merkle proof misses the stated root",
         {"pdf_text": pdf, "proof_json": tampered("holder", "Anna Schmidt"), "today": "2025-07-15"},
         {"inclusion": "not-in-batch"}, "INVALID"),
        ("json tampered salt", "separate proof file, another salt",
         {"pdf_text": pdf, "proof_json": tampered("salt", "0x" + bytes(keccak256(b"another salt")).hex()),
          "today": "2025-07-15"}, {"inclusion": "not-in-batch"}, "INVALID"),
        ("json signer is not issuer", "a separate proof file whose issuer is another address than the signer",
         {"pdf_text": pdf, "proof_json": swapped, "today": "2025-07-15"}, {"signature": "bad-signature"},
         "INVALID"),
        ("json signature recovers to no key", "a separate proof file whose signature's r is no point's x",
         {"pdf_text": pdf, "proof_json": no_key, "today": "2025-07-15"}, {"signature": "bad-signature"}, "INVALID"),
        ("json original with one byte more", "separate proof file, the PDF is longer than original_length",
         {"pdf_text": pdf + "\n", "proof_json": genuine_json, "today": "2025-07-15"},
         {"integrity": "length-mismatch"}, "INVALID"),
        ("json original changed", "separate proof file, same length, one byte changed",
         {"pdf_text": pdf.replace("single", "singlE"), "proof_json": genuine_json, "today": "2025-07-15"},
         {"integrity": "hash-mismatch"}, "INVALID"),
        ("json genuine", "separate proof file and its original",
         {"pdf_text": pdf, "proof_json": genuine_json, "today": "2025-07-15"}, {}, "VALID"),
        ("json page written -0", "separate proof file whose stamp page is written -0: JSON's integer 0 (§7.1)",
         {"pdf_text": pdf, "proof_json": genuine_json.replace('"page":0,', '"page":-0,'), "today": "2025-07-15"},
         {}, "VALID"),
        *_url_stamp_verdicts(),
    ]  # fmt: skip
    out = []
    for name, description, given, failing, verdict in cases:
        entry = {"name": name, "description": description, "input": given,
                 "expected": {"invalid_checks": failing, "verdict_without_chain": verdict}}  # fmt: skip
        got = offline_judgement(given)
        if got != entry["expected"]:
            raise AssertionError(f"{name}: the reference verifier gives {got}")
        out.append(entry)
    return out


URL_VARIANTS = (
    "https://verify.example/#",
    "http://localhost:8000/#",
    "http://127.0.0.1:8000/#",
    "https://verify.example:8443/#",
    "https://pruefen.stadt.example/zeugnisse/v-2/#",
)
"""qr_url values every reader accepts (docs/proof-format.md §9), each in a genuine 1.2 proof file."""


def url_stamp_spec(url: str) -> dict[str, Any]:
    """Vector url-stamp's batch under another name, its stamp's QR starting with ``url``; QR version and mask as
    the reference issuer picks them for that text (they are not bound, so they are chosen after signing)."""
    from notary.core.qr_payload import stamp_qr_text
    from notary.pdf.qr_symbol import choose_qr_params

    base = SPECS[4]
    name = base["name"] if url == base["stamp"]["qr_url"] else "url-stamp " + url
    spec = {**base, "name": name, "stamp": {**base["stamp"], "qr_url": url}, "url_prefix": url}
    version, mask = choose_qr_params(stamp_qr_text(build_proof(spec)), "M")
    return {**spec, "stamp": {**spec["stamp"], "qr_version": version, "qr_mask": mask}}


def _url_stamp_verdicts() -> list[tuple[str, str, dict[str, Any], dict[str, str], str]]:
    out = []
    for url in URL_VARIANTS:
        spec = url_stamp_spec(url)
        proof = build_proof(spec)
        assert str(proof.format_version) == "1.2"
        given = {"pdf_text": document_pdf(spec["name"], spec["index"]).decode("utf-8"),
                 "proof_json": proof.to_json().decode("utf-8"), "today": "2025-07-15"}  # fmt: skip
        out.append((f"json 1.2 genuine {url}", "a format-1.2 proof (stamp version 2) as a separate proof file and "
                    f"its original; qr_url {url} is accepted (§9)", given, {}, "VALID"))  # fmt: skip
    return out


def offline_judgement(given: dict[str, Any]) -> dict[str, Any]:
    """What the reference verifier says without the chain: its INVALID checks and its verdict when the chain
    confirms everything it is asked (anchor, issuer, status VALID; signature as judged offline)."""
    from verifier import checks, pipeline
    from verifier.trust import TrustedEntry, TrustList

    entry = TrustedEntry("vectors", 31337, REGISTRY, "memory", False)
    trust = TrustList([entry] if given.get("trusted", True) else [])
    if "qr_text" in given:
        prepared = pipeline.prepare_payload(trust, given["qr_text"])
    else:
        pdf, proof_json = given["pdf_text"].encode("utf-8"), given["proof_json"].encode("utf-8")
        prepared = pipeline.prepare_pdf_with_proof(trust, pdf, proof_json)
    assert prepared.failure is None and prepared.proof is not None
    found = dict(prepared.checks)
    found["expiry"] = checks.check_expiry(prepared.proof, dt.date.fromisoformat(given["today"]))
    for name in ("anchor", "issuer", "signature", "status"):
        found.setdefault(name, checks.ok(name))
    ordered = tuple(found[name] for name in pipeline.ORDER)
    failing = {c.name: c.reason.value for c in ordered if c.status.value == "INVALID"}
    return {"invalid_checks": failing, "verdict_without_chain": pipeline.verdict(ordered).value}


def verdict_vectors() -> dict[str, Any]:
    return {
        "description": (
            "Inputs that parse, with what the checks that need no chain say (docs/proof-format.md §13). input: a QR "
            "text (qr_text) or an original PDF's bytes as UTF-8 (pdf_text) with a separate proof file (proof_json); "
            "today: the Europe/Berlin date of the verification; trusted (default true): the trust list holds "
            "(chain 31337, the registry of proofs_valid.json), else it is empty. expected.invalid_checks: every "
            "check that is INVALID and its reason code (all others VALID, or SKIPPED when they do not apply); "
            "verdict_without_chain: as defined in §13."
        ),
        "cases": _verdict_cases(),
    }


def render() -> dict[str, str]:
    files = {"proofs_valid.json": valid_vectors(), "proofs_invalid.json": invalid_vectors(),
             "verdicts.json": verdict_vectors()}  # fmt: skip
    return {name: json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n" for name, data in files.items()}


def main(argv: list[str]) -> int:
    rendered = render()
    if "--check" in argv:
        stale = [n for n, text in rendered.items() if (HERE / n).read_text(encoding="utf-8") != text]
        if stale:
            print("stale vectors:", ", ".join(stale))
            return 1
        return 0
    for name, text in rendered.items():
        (HERE / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
