"""Proof format v1: everything needed to verify one document against the chain. FORMAT-CRITICAL.

A :class:`Proof` is parsed, never half-built: the constructor and both decoders either return a value whose
every field has the right type, length and range, or raise one :class:`~notary.errors.FormatError` with a
sentence saying what is wrong. Cryptographic *agreement* (the stated root equals the root the Merkle proof
leads to; the signature recovers to the stated issuer; the chain knows the root) is deliberately not a parse
error: the verifier reports each as its own named check, via :meth:`Proof.root_matches`,
:meth:`Proof.recover_signer` and the chain lookup.

Two encodings (docs/proof-format.md is the normative text):

* **JSON** (files, PDF attachments): canonical bytes from :meth:`Proof.to_json`; any JSON text is read.
* **Compact** (QR codes): canonical CBOR map with integer keys. It leaves out what a reader can derive —
  the root (from leaf + Merkle proof) and the issuer (recovered from the signature) — and what paper
  verification does not need (stamp layout, original PDF length, minor version 0). Instead of the PDF's SHA-256
  and stamp layout it carries their commitment ``document`` (see :mod:`notary.core.leaves`).

Versioning (docs/proof-format.md §10): ``major.minor``. Nothing is ignored: a member or key the proof's version
does not define, or a version this reader does not know (a higher minor included), makes the proof unreadable
with its own error code (:mod:`notary.core.format_errors`) — bytes nobody signed never ride along.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from operator import attrgetter
from typing import Any

from eth_typing import ChecksumAddress

from notary.core import _cbor, _json
from notary.core.claims import Claims
from notary.core.eip712 import (
    MAX_SAFE_INTEGER,
    Batch,
    BatchDomain,
    batch_digest,
    parse_address,
    parse_signature,
    recover_batch_signer,
)
from notary.core.format_errors import NonCanonicalError, UnknownFieldError, UnsupportedVersionError
from notary.core.hashing import Digest32, Salt, parse_hex_bytes
from notary.core.layout import URL_STAMP_VERSION, StampLayout
from notary.core.leaves import document_commitment, leaf_hash
from notary.core.merkle import MAX_PROOF_DEPTH, MerkleProof, process_proof, proof_length_bounds
from notary.errors import FormatError

__all__ = [
    "FORMAT_MAJOR",
    "FORMAT_MINOR",
    "JSON_TYPE",
    "MAX_COMPACT_BYTES",
    "MAX_JSON_BYTES",
    "FormatVersion",
    "Proof",
]

FORMAT_MAJOR = 1
FORMAT_MINOR = 2
"""1.0: the base format; 1.1 adds key facts to the claims (docs/proof-format.md §3.3, §10); 1.2 adds stamp
version 2 (the verifier URL in the stamp's QR, §9)."""
JSON_TYPE = "notary-proof"
"""Value of the JSON ``type`` member: tells a proof file from any other JSON."""
MAX_JSON_BYTES = 64 * 1024
MAX_COMPACT_BYTES = 2800
"""Fits a version-40 QR code (4,296 alphanumeric characters) after base45 and the ``NT1:`` prefix."""

# Compact (CBOR) map keys. Add, never renumber.
K_MAJOR, K_CHAIN, K_REGISTRY, K_DOCUMENT, K_CLAIMS, K_SALT, K_MERKLE, K_SIG, K_ISSUED_AT, K_COUNT = range(10)
K_MINOR = 10
"""The minor version (§10): absent in 1.0, present from 1.1 on, so a reader that knows fewer minors refuses the
proof as unsupported rather than reading a proof whose additions it cannot check."""

_JSON_REQUIRED = (
    "chain_id", "registry", "root", "claims", "salt", "merkle_proof", "issuer", "signature", "issued_at",
    "document_count",
)  # fmt: skip
_JSON_OPTIONAL = ("original_length", "document_hash", "stamp", "document")
_JSON_KEYS = frozenset({"type", "version", *_JSON_REQUIRED, *_JSON_OPTIONAL})
_LOWER_HEX = re.compile(r"0x[0-9a-f]*", re.ASCII)

_VERSION = re.compile(r"(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})", re.ASCII)


@dataclass(frozen=True, slots=True, order=True)
class FormatVersion:
    major: int
    minor: int

    def __post_init__(self) -> None:
        if self.major != FORMAT_MAJOR:
            raise UnsupportedVersionError(
                f"unsupported proof format version {self.major}.{self.minor} (this software reads {FORMAT_MAJOR}.x)"
            )
        if type(self.minor) is not int or not 0 <= self.minor <= 999999:
            raise FormatError(f"bad proof format minor version {self.minor!r}")

    @classmethod
    def parse(cls, text: object) -> FormatVersion:
        if not isinstance(text, str) or not _VERSION.fullmatch(text):
            raise FormatError('proof field "version" must be a string "major.minor", e.g. "1.0"')
        major, minor = text.split(".")
        return cls(int(major), int(minor))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


CURRENT_VERSION = FormatVersion(FORMAT_MAJOR, FORMAT_MINOR)
"""The highest version this software reads and writes."""


def required_version(claims: Claims, stamp: StampLayout | None = None) -> FormatVersion:
    """The lowest version that defines everything a proof with these claims (and stamp) carries — the one it
    must state (one proof, one version): 1.2 with a stamp of version 2, else 1.1 with key facts, else 1.0."""
    if stamp is not None and stamp.stamp_version >= URL_STAMP_VERSION:
        return FormatVersion(FORMAT_MAJOR, 2)
    return FormatVersion(FORMAT_MAJOR, 1 if claims.facts else 0)


def _known(version: FormatVersion) -> FormatVersion:
    # A higher minor adds fields this reader cannot check; reading around them would leave them unsigned.
    if version.minor > FORMAT_MINOR:
        raise UnsupportedVersionError(
            f"unsupported proof format version {version} (this software reads up to {CURRENT_VERSION})"
        )
    return version


def _int_field(name: str, value: object, low: int, high: int) -> int:
    if type(value) is not int:
        raise FormatError(f"proof field {name!r} must be an integer, not {type(value).__name__}")
    if not low <= value <= high:
        raise FormatError(f"proof field {name!r} out of range: {value} (allowed {low}..{high})")
    return value


@dataclass(frozen=True, slots=True)
class Proof:
    """One document's proof: where it is anchored, its leaf inputs, its Merkle path and the batch signature.

    ``document_hash`` (SHA-256 of the original PDF), ``original_length`` and ``stamp`` are present in PDF
    attachments and ``None`` in proofs decoded from a QR code. ``document`` — the leaf's commitment to the
    original and to its stamp placement — is derived from ``document_hash`` and ``stamp`` when both are given
    (and must agree if also passed); a QR proof carries it alone.
    """

    chain_id: int
    registry: ChecksumAddress
    root: Digest32
    claims: Claims
    salt: Salt
    merkle_proof: MerkleProof
    issuer: ChecksumAddress
    signature: bytes
    issued_at: int
    document_count: int
    document_hash: Digest32 | None = None
    original_length: int | None = None
    stamp: StampLayout | None = None
    document: Digest32 | None = None
    version: FormatVersion | None = None
    """Derived from the content when not given (:func:`required_version`); a given one must equal it."""

    def __post_init__(self) -> None:
        # Normalise plain bytes/sequences into the typed values; every check raises FormatError.
        domain = BatchDomain(self.chain_id, self.registry)
        object.__setattr__(self, "registry", domain.registry)
        if type(self.root) is not Digest32:  # an exact Digest32 is 32 bytes by construction
            object.__setattr__(self, "root", Digest32(self.root))
        self._bind_document()
        if type(self.salt) is not Salt:
            object.__setattr__(self, "salt", Salt(self.salt))
        if not isinstance(self.claims, Claims):
            raise FormatError("proof field 'claims' must be a Claims record")
        if not isinstance(self.merkle_proof, MerkleProof):
            if not isinstance(self.merkle_proof, Sequence) or isinstance(self.merkle_proof, bytes | str):
                raise FormatError("proof field 'merkle_proof' must be a list of 32-byte siblings")
            object.__setattr__(self, "merkle_proof", MerkleProof.from_siblings(self.merkle_proof))
        object.__setattr__(self, "issuer", parse_address(self.issuer, "issuer address"))
        parse_signature(self.signature)
        Batch(self.root, self.document_count, self.issued_at)
        low, high = proof_length_bounds(self.document_count)
        if not low <= len(self.merkle_proof) <= high:
            raise FormatError(
                f"Merkle proof has {len(self.merkle_proof)} siblings, but a batch of {self.document_count} "
                f"documents needs {low}" + (f" or {high}" if high != low else "")
            )
        if self.original_length is not None:
            _int_field("original_length", self.original_length, 1, MAX_SAFE_INTEGER)
        required = required_version(self.claims, self.stamp if isinstance(self.stamp, StampLayout) else None)
        if self.version is None:
            object.__setattr__(self, "version", required)
        elif not isinstance(self.version, FormatVersion):
            raise FormatError("proof field 'version' must be a FormatVersion")
        elif self.version < required:
            what = "key facts in the claims are" if required.minor == 1 else "stamp version 2 is"
            raise UnknownFieldError(f"{what} not defined in format version {self.version}")
        elif self.version > required:
            raise NonCanonicalError(
                f"a proof states the lowest version that defines its content: {required}, not {self.version}"
            )

    @property
    def format_version(self) -> FormatVersion:
        """The proof's version (always set after construction)."""
        assert self.version is not None
        return self.version

    def _bind_document(self) -> None:
        if (self.document_hash is None) != (self.stamp is None):
            raise FormatError("a proof carries the document hash and the stamp layout together, or neither")
        if self.stamp is not None and not isinstance(self.stamp, StampLayout):
            raise FormatError("proof field 'stamp' must be a StampLayout")
        if self.document_hash is not None and self.stamp is not None:
            if type(self.document_hash) is not Digest32:
                object.__setattr__(self, "document_hash", Digest32(self.document_hash))
            derived = document_commitment(self.document_hash, _placement_digest(self.stamp))
            if self.document is not None and Digest32(self.document) != derived:
                raise FormatError("proof field 'document' does not commit to its document hash and stamp")
            object.__setattr__(self, "document", derived)
        elif self.document is None:
            raise FormatError("proof field 'document' is missing (or give document_hash and stamp)")
        elif type(self.document) is not Digest32:
            object.__setattr__(self, "document", Digest32(self.document))

    @property
    def document_digest(self) -> Digest32:
        """The leaf's ``document`` value (always set after construction)."""
        assert self.document is not None
        return self.document

    # -- derived values ---------------------------------------------------------------------------------

    def claims_digest(self) -> Digest32:
        return _claims_digest(self.claims)

    def leaf(self) -> Digest32:
        """``keccak256(keccak256(document || claims_digest || salt))``."""
        return leaf_hash(self.document_digest, _claims_digest(self.claims), self.salt)

    def computed_root(self) -> Digest32:
        """The root the Merkle proof leads to from :meth:`leaf`."""
        return process_proof(self.leaf(), self.merkle_proof)

    def root_matches(self) -> bool:
        """True if the Merkle proof leads to the stated batch root."""
        return self.computed_root() == self.root

    def domain(self) -> BatchDomain:
        return BatchDomain(self.chain_id, self.registry)

    def batch(self) -> Batch:
        return Batch(self.root, self.document_count, self.issued_at)

    def signing_digest(self) -> Digest32:
        """The EIP-712 digest the issuer signed."""
        return batch_digest(self.domain(), self.batch())

    def recover_signer(self) -> ChecksumAddress:
        """The address the signature recovers to (FormatError if it recovers to none)."""
        return recover_batch_signer(self.domain(), self.batch(), self.signature)

    def signer_matches(self) -> bool:
        """True if the signature recovers to the stated issuer."""
        try:
            return self.recover_signer() == self.issuer
        except FormatError:
            return False

    def for_qr(self) -> Proof:
        """This proof as a QR carries it: the document commitment instead of the hash and stamp, no original
        length, and the version its claims need (the stamp's own, 1.2, goes with the stamp).

        Built without ``__post_init__``: every field is this proof's, checked when it was made, or one that
        is valid by construction (None, the derived version), so checking them again would find nothing. A
        proof already in that form is its own QR form (it is immutable)."""
        version = required_version(self.claims)
        if (self.document_hash, self.stamp, self.original_length, self.version) == (None, None, None, version):
            return self
        values = _field_values(self)
        values[_DOCUMENT_HASH] = values[_STAMP] = values[_ORIGINAL_LENGTH] = None
        values[_VERSION_FIELD] = version
        return _made(values)

    def for_leaf(self, document: Digest32, salt: bytes, siblings: bytes) -> Proof:
        """``replace(self, document=document, salt=salt, merkle_proof=MerkleProof(siblings))`` for a proof in
        QR form: the proof of another document of the same signed batch. Bulk issuance makes one per document
        from one checked proof of its batch; values that are plainly valid (a :class:`Digest32`, 32 bytes of
        salt, whole siblings as many as a batch of this size has) are taken without checking the batch's
        again, anything else goes through ``replace`` and its checks (and errors)."""
        low, high = proof_length_bounds(self.document_count)
        if (
            self.document_hash is None
            and self.stamp is None
            and type(document) is Digest32
            and (type(salt) is bytes or type(salt) is Salt)
            and len(salt) == 32
            and type(siblings) is bytes
            and not len(siblings) & 31
            and 32 * low <= len(siblings) <= 32 * min(high, MAX_PROOF_DEPTH)
        ):
            values = _field_values(self)
            values[_DOCUMENT] = document
            values[_SALT] = salt if type(salt) is Salt else _wrap(Salt, salt)
            values[_MERKLE_PROOF] = _merkle_proof(siblings)
            return _made(values)
        return replace(self, document=document, salt=salt, merkle_proof=MerkleProof(siblings))  # type: ignore[arg-type]

    def with_stamp(self, document_hash: bytes, stamp: StampLayout, original_length: int) -> Proof:
        """``replace(self, document_hash=..., stamp=..., original_length=..., version=None)``: the proof a
        notarised PDF carries, from its QR form. Checks only what is new (the stamp's type, that ``document``
        commits to the hash and the stamp, the length) with the same errors; bulk issuance makes one per
        document, and checking the unchanged fields again cost more than the rest of it."""
        if not isinstance(stamp, StampLayout):
            raise FormatError("proof field 'stamp' must be a StampLayout")
        digest = document_hash if type(document_hash) is Digest32 else Digest32(document_hash)
        derived = document_commitment(digest, _placement_digest(stamp))
        if (
            self.document is not None
            and (self.document if type(self.document) is Digest32 else Digest32(self.document)) != derived
        ):
            raise FormatError("proof field 'document' does not commit to its document hash and stamp")
        _int_field("original_length", original_length, 1, MAX_SAFE_INTEGER)
        values = _field_values(self)
        values[_DOCUMENT_HASH], values[_STAMP], values[_ORIGINAL_LENGTH] = digest, stamp, original_length
        values[_DOCUMENT], values[_VERSION_FIELD] = derived, required_version(self.claims, stamp)
        return _made(values)

    # -- JSON -------------------------------------------------------------------------------------------

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": JSON_TYPE,
            "version": str(self.format_version),
            "chain_id": self.chain_id,
            "registry": self.registry,
            "root": self.root.to_hex(),
            "claims": self.claims.to_json_dict(),
            "salt": self.salt.to_hex(),
            "merkle_proof": self.merkle_proof.hex_list(),
            "issuer": self.issuer,
            "signature": "0x" + self.signature.hex(),
            "issued_at": self.issued_at,
            "document_count": self.document_count,
        }
        if self.original_length is not None:
            out["original_length"] = self.original_length
        if self.document_hash is not None and self.stamp is not None:
            out["document_hash"] = self.document_hash.to_hex()
            out["stamp"] = self.stamp.to_json_dict()
        else:
            out["document"] = self.document_digest.to_hex()  # derivable otherwise, so written only alone
        return out

    def to_json(self) -> bytes:
        """Canonical JSON bytes: sorted keys, no whitespace, UTF-8, hex as ``0x`` + lower case.

        ``_json.dumps(self.to_json_dict())``, put together from the encoded members: those a signed batch's
        proofs share (its claims, signature, ...) are encoded once per batch (:func:`_batch_json`), the few of
        the document's own here. A JSON object with sorted keys is ``{`` + its ``"key":value`` members in
        key order, joined by ``,``, + ``}``; the hex strings need no escapes."""
        members = _batch_json(self).copy()
        members["salt"] = '"salt":"0x' + self.salt.hex() + '"'
        members["merkle_proof"] = '"merkle_proof":' + _hex_list_json(self.merkle_proof.blob)
        if self.original_length is not None:
            members["original_length"] = '"original_length":' + int.__repr__(self.original_length)
        if self.document_hash is not None and self.stamp is not None:
            members["document_hash"] = '"document_hash":"0x' + self.document_hash.hex() + '"'
            members["stamp"] = '"stamp":' + _stamp_json(self.stamp)
        else:
            members["document"] = '"document":"0x' + self.document_digest.hex() + '"'
        data = ("{" + ",".join([members[key] for key in sorted(members)]) + "}").encode("utf-8")
        if len(data) > MAX_JSON_BYTES:  # pragma: no cover - field limits keep proofs far below this
            raise FormatError(f"proof JSON would be {len(data)} bytes (limit {MAX_JSON_BYTES})")
        return data

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> Proof:
        if not isinstance(data, Mapping):
            raise FormatError("proof JSON must be an object")
        if data.get("type") != JSON_TYPE:
            raise FormatError(f'not a proof: JSON member "type" must be "{JSON_TYPE}"')
        if "version" not in data:
            raise FormatError('proof field "version" is missing')
        version = _known(FormatVersion.parse(data["version"]))
        unknown = sorted(str(k) for k in data if k not in _JSON_KEYS)
        if unknown:
            raise UnknownFieldError(f"proof member {unknown[0]!r} is not defined in format version {version}")
        for key in _JSON_REQUIRED:
            if key not in data:
                raise FormatError(f"proof field {key!r} is missing")
        for key in _JSON_OPTIONAL:
            if key in data and data[key] is None:
                raise NonCanonicalError(f"proof field {key!r} is null: leave an absent field out")
        if "document" in data and ("document_hash" in data or "stamp" in data):
            raise NonCanonicalError("proof field 'document' is written only when 'document_hash' and 'stamp' are not")
        siblings = data["merkle_proof"]
        if not isinstance(siblings, list):
            raise FormatError("proof field 'merkle_proof' must be a list of hex strings")
        if len(siblings) > 32:
            raise FormatError(f"Merkle proof too deep: {len(siblings)} siblings (limit 32)")
        stamp = data.get("stamp")
        original_length = data.get("original_length")
        document_hash = data.get("document_hash")
        document = data.get("document")
        return cls(
            chain_id=_int_field("chain_id", data["chain_id"], 1, MAX_SAFE_INTEGER),
            registry=_eip55("registry address", data["registry"]),
            root=Digest32.from_hex(_hex_str("root", data["root"])),
            document_hash=(
                Digest32.from_hex(_hex_str("document_hash", document_hash)) if document_hash is not None else None
            ),
            document=Digest32.from_hex(_hex_str("document", document)) if document is not None else None,
            claims=Claims.from_json_dict(data["claims"]),
            salt=Salt.from_hex(_hex_str("salt", data["salt"])),
            merkle_proof=MerkleProof.from_siblings(Digest32.from_hex(_hex_str("merkle_proof[]", s)) for s in siblings),
            issuer=_eip55("issuer address", data["issuer"]),
            signature=parse_hex_bytes(_hex_str("signature", data["signature"]), 65, "signature"),
            issued_at=_int_field("issued_at", data["issued_at"], 0, MAX_SAFE_INTEGER),
            document_count=_int_field("document_count", data["document_count"], 1, 2**24 - 1),
            original_length=(
                _int_field("original_length", original_length, 1, MAX_SAFE_INTEGER)
                if original_length is not None
                else None
            ),
            stamp=StampLayout.from_json_dict(stamp) if stamp is not None else None,
            version=version,
        )

    @classmethod
    def from_json(cls, data: bytes) -> Proof:
        """Parse a JSON proof (any whitespace/key order; size-limited; strict types)."""
        return cls.from_json_dict(_json.loads(data, max_bytes=MAX_JSON_BYTES, what="proof JSON"))

    # -- compact (CBOR, for QR codes) -------------------------------------------------------------------

    def to_compact_obj(self) -> dict[int, Any]:
        out: dict[int, Any] = {
            K_MAJOR: self.format_version.major,
            K_CHAIN: self.chain_id,
            K_REGISTRY: bytes.fromhex(self.registry[2:]),
            K_DOCUMENT: bytes(self.document_digest),
            K_CLAIMS: self.claims.to_compact_obj(),
            K_SALT: bytes(self.salt),
            K_MERKLE: self.merkle_proof.blob,
            K_SIG: self.signature,
            K_ISSUED_AT: self.issued_at,
            K_COUNT: self.document_count,
        }
        minor = required_version(self.claims).minor  # the compact form is the QR form: no stamp, so not 1.2
        if minor:
            out[K_MINOR] = minor
        return out

    def to_compact(self) -> bytes:
        """``_cbor.dumps(self.to_compact_obj())``, put together from pieces: the canonical map's keys are the
        small integers 0-10, one byte each, so its items follow each other in key order, and all but three
        (the document, the salt and the Merkle proof) are the batch's, encoded once (:func:`_batch_cbor`)."""
        head, middle, tail = _batch_cbor(self)
        blob = self.merkle_proof.blob
        data = b"".join(
            (head, self.document_digest, middle, self.salt, _MERKLE_KEY, _cbor.head(2, len(blob)), blob, tail)
        )
        if len(data) > MAX_COMPACT_BYTES:
            raise FormatError(f"proof too large for a QR code: {len(data)} bytes (limit {MAX_COMPACT_BYTES})")
        return data

    @classmethod
    def from_compact(cls, data: bytes) -> Proof:
        """Parse the compact form; the root and issuer are derived (FormatError if nothing recovers)."""
        obj = _cbor.loads(data, max_bytes=MAX_COMPACT_BYTES, what="compact proof")
        if not isinstance(obj, dict):
            raise FormatError("compact proof must be a CBOR map")
        if not all(type(k) is int for k in obj):
            raise FormatError("compact proof map keys must be integers")
        major = obj.get(K_MAJOR)
        if type(major) is not int:
            raise FormatError("compact proof field 0 (major version) must be an integer")
        minor = obj.get(K_MINOR, 0)
        if type(minor) is not int or (K_MINOR in obj and minor == 0):
            raise NonCanonicalError(f"compact proof field {K_MINOR} (minor version) must be an integer above 0")
        version = _known(FormatVersion(major, minor))
        unknown = sorted(k for k in obj if not 0 <= k <= K_COUNT and k != K_MINOR)
        if unknown:
            raise UnknownFieldError(f"compact proof field {unknown[0]} is not defined in format version {version}")
        for key in range(10):
            if key not in obj:
                raise FormatError(f"compact proof field {key} is missing")
        document = Digest32(_bytes_field(obj, K_DOCUMENT, "document"))
        claims = Claims.from_compact_obj(obj[K_CLAIMS])
        salt = Salt(_bytes_field(obj, K_SALT, "salt"))
        merkle = MerkleProof(_bytes_field(obj, K_MERKLE, "Merkle proof"))
        registry_raw = _bytes_field(obj, K_REGISTRY, "registry address")
        if len(registry_raw) != 20:
            raise FormatError(f"registry address must be 20 bytes, got {len(registry_raw)}")
        signature = parse_signature(_bytes_field(obj, K_SIG, "signature"))
        domain = BatchDomain(
            _int_field("chain_id", obj[K_CHAIN], 1, MAX_SAFE_INTEGER), parse_address("0x" + registry_raw.hex())
        )
        root = process_proof(leaf_hash(document, claims.digest(), salt), merkle)
        batch = Batch(root, obj[K_COUNT], obj[K_ISSUED_AT])
        return cls(
            chain_id=domain.chain_id,
            registry=domain.registry,
            root=root,
            document=document,
            claims=claims,
            salt=salt,
            merkle_proof=merkle,
            issuer=recover_batch_signer(domain, batch, signature),
            signature=signature,
            issued_at=batch.issued_at,
            document_count=batch.document_count,
            version=version,
        )


_FIELD_NAMES = tuple(f.name for f in fields(Proof))
_DOCUMENT_HASH, _STAMP, _ORIGINAL_LENGTH, _DOCUMENT, _VERSION_FIELD, _SALT, _MERKLE_PROOF = map(
    _FIELD_NAMES.index, ("document_hash", "stamp", "original_length", "document", "version", "salt", "merkle_proof")
)
_get_fields = attrgetter(*_FIELD_NAMES)
_wrap = bytes.__new__  # on Salt, for 32 bytes just counted: Salt's own check would find nothing


def _field_values(proof: Proof) -> list[Any]:
    return list(_get_fields(proof))


def _made(values: Sequence[Any]) -> Proof:
    """A Proof with these field values (in field order), made without ``__post_init__``: for values that are
    a checked proof's or valid by construction."""
    proof = object.__new__(Proof)
    set_field = object.__setattr__
    for name, value in zip(_FIELD_NAMES, values, strict=True):
        set_field(proof, name, value)
    return proof


def _merkle_proof(blob: bytes) -> MerkleProof:
    # for a blob of whole siblings within the depth limit, the only checks MerkleProof makes
    proof = object.__new__(MerkleProof)
    object.__setattr__(proof, "blob", blob)
    return proof


# -- what a signed batch's proofs share, encoded once --------------------------------------------------------

_BATCH_JSON_MEMBERS = (
    "type", "version", "chain_id", "registry", "root", "claims", "issuer", "signature", "issued_at", "document_count",
)  # fmt: skip
_last_batch_json: tuple[tuple[Any, ...], dict[str, str]] = ((), {})


def _batch_json(proof: Proof) -> dict[str, str]:
    """The ``"key":value`` JSON members of ``proof`` that are its batch's (:data:`_BATCH_JSON_MEMBERS`), as
    ``_json.dumps`` writes them inside the object; made from ``to_json_dict`` once per batch (the last one
    is kept: a worker stamps one batch after another). The key holds every value they are made of."""
    global _last_batch_json
    key = (
        proof.version, proof.chain_id, proof.registry, proof.root, proof.claims, proof.issuer, proof.signature,
        proof.issued_at, proof.document_count,
    )  # fmt: skip
    last_key, members = _last_batch_json
    if key != last_key:
        whole = proof.to_json_dict()
        members = {name: f'"{name}":' + _json.dumps_text(whole[name]) for name in _BATCH_JSON_MEMBERS}
        _last_batch_json = key, members
    return members


def _hex_list_json(blob: bytes) -> str:
    """``_json.dumps_text(MerkleProof(blob).hex_list())``: the siblings as a JSON array of hex strings."""
    if not blob:
        return "[]"
    text = blob.hex()
    return '["0x' + '","0x'.join([text[i : i + 64] for i in range(0, len(text), 64)]) + '"]'


_stamp_fields = attrgetter(*(f.name for f in fields(StampLayout)))
_STAMP_JSON: dict[tuple[Any, ...], str] = {}
_STAMP_JSON_ENTRIES = 256


def _stamp_json(stamp: StampLayout) -> str:
    """``_json.dumps_text(stamp.to_json_dict())``, kept: a run's stamps differ in little but their QR version
    and mask. Keyed by the fields' values and their types (100 and 100.0 are equal, their JSON is not)."""
    values = _stamp_fields(stamp)
    key = (type(stamp), values, tuple(map(type, values)))
    text = _STAMP_JSON.get(key)
    if text is None:
        if len(_STAMP_JSON) >= _STAMP_JSON_ENTRIES:
            _STAMP_JSON.clear()
        text = _STAMP_JSON[key] = _json.dumps_text(stamp.to_json_dict())
    return text


_MERKLE_KEY = _cbor.dumps(K_MERKLE)
_last_batch_cbor: tuple[tuple[Any, ...], tuple[bytes, bytes, bytes]] = ((), (b"", b"", b""))


def _batch_cbor(proof: Proof) -> tuple[bytes, bytes, bytes]:
    """The compact form of ``proof`` around its document, salt and Merkle proof: the map's head and items up
    to the document's head, those between the document and the salt, and those after the Merkle proof. Made
    from ``to_compact_obj`` once per batch, like :func:`_batch_json`."""
    global _last_batch_cbor
    key = (
        proof.format_version.major, proof.chain_id, proof.registry, proof.claims, proof.signature,
        proof.issued_at, proof.document_count,
    )  # fmt: skip
    last_key, pieces = _last_batch_cbor
    if key != last_key:
        obj = proof.to_compact_obj()

        def items(keys: Sequence[int]) -> bytes:
            return b"".join(_cbor.dumps(k) + _cbor.dumps(obj[k]) for k in keys)

        bstr32 = _cbor.head(2, 32)  # the document and the salt: 32 bytes each
        pieces = (
            _cbor.head(5, len(obj)) + items((K_MAJOR, K_CHAIN, K_REGISTRY)) + _cbor.dumps(K_DOCUMENT) + bstr32,
            items((K_CLAIMS,)) + _cbor.dumps(K_SALT) + bstr32,
            items(sorted(k for k in obj if k > K_MERKLE)),
        )
        _last_batch_cbor = key, pieces
    return pieces


def _claims_digest(claims: Claims) -> Digest32:
    """``claims.digest()``; the same claims (often a whole batch's) are encoded and hashed once. The last
    claims object is remembered with its digest: a batch's proofs share one, and hashing a Claims to look
    it up in the cache costs more than the rest of this."""
    global _last_claims_digest
    last, digest = _last_claims_digest
    if claims is last:
        return digest
    digest = _cached_claims_digest(claims) if type(claims) is Claims else claims.digest()
    if type(claims) is Claims:  # frozen: the same object keeps its digest
        _last_claims_digest = claims, digest
    return digest


_last_claims_digest: tuple[object, Digest32] = (object(), Digest32(bytes(32)))


@lru_cache(maxsize=64)
def _cached_claims_digest(claims: Claims) -> Digest32:
    return claims.digest()


@lru_cache(maxsize=256)
def _placement_digest(stamp: StampLayout) -> Digest32:
    """``stamp.placement_digest()``, cached: a batch's stamps differ only in what the digest leaves out (QR
    version and mask), and the digest costs an ABI encoding and a keccak."""
    return stamp.placement_digest()


def _hex_str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise FormatError(f"proof field {name!r} must be a hex string, not {type(value).__name__}")
    if value.startswith("0x") and not _LOWER_HEX.fullmatch(value) and _LOWER_HEX.fullmatch(value.lower()):
        raise NonCanonicalError(f"proof field {name!r} must be written in lower-case hex")
    return value


def _eip55(what: str, value: object) -> ChecksumAddress:
    """JSON addresses have one spelling, EIP-55 (§1): all-lower, all-upper or a wrong mix is a second one."""
    if isinstance(value, str) and value.startswith("0x"):
        address = parse_address(value.lower(), what)
        if address != value:
            raise NonCanonicalError(f"{what} has a wrong EIP-55 checksum: {value} (EIP-55 form: {address})")
        return address
    return parse_address(value, what)


def _bytes_field(obj: Mapping[int, Any], key: int, name: str) -> bytes:
    value = obj[key]
    if type(value) is not bytes:
        raise FormatError(f"compact proof field {key} ({name}) must be a byte string")
    return value
