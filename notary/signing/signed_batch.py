"""A signed batch handed from a school to the city's relayer: one small JSON file per batch.

::

    {"format": "notary-signed-batch/1", "chain_id": 31337, "registry": "0x…", "issuer": "0x…",
     "root": "0x…(32 bytes)", "document_count": 3, "issued_at": 1767225600, "signature": "0x…(65 bytes)"}

It holds nothing secret (no document, no salt, no claim): the EIP-712 signature binds root, count and time to the
registry and chain in its domain, so a relayer can neither change them nor replay the batch elsewhere. Files
come from another office: :func:`read_signed_batch` checks every field and the signature before any is used.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_typing import ChecksumAddress

from notary.core.eip712 import Batch, BatchDomain, parse_address, parse_signature, recover_batch_signer
from notary.core.hashing import Digest32
from notary.errors import FormatError

FORMAT = "notary-signed-batch/1"
MAX_FILE = 4096
_FIELDS = ("format", "chain_id", "registry", "issuer", "root", "document_count", "issued_at", "signature")


@dataclass(frozen=True)
class SignedBatch:
    domain: BatchDomain
    issuer: ChecksumAddress
    batch: Batch
    signature: bytes

    @property
    def root(self) -> bytes:
        return bytes(self.batch.root)

    def file_name(self) -> str:
        return f"batch-{self.issuer.lower()[2:10]}-{self.root.hex()}.json"

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "chain_id": self.domain.chain_id,
            "registry": self.domain.registry,
            "issuer": self.issuer,
            "root": "0x" + self.root.hex(),
            "document_count": self.batch.document_count,
            "issued_at": self.batch.issued_at,
            "signature": "0x" + self.signature.hex(),
        }


def write_signed_batch(folder: Path, signed: SignedBatch) -> Path:
    """Write (atomically, durably) the batch's file; an identical file there already is left as it is."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / signed.file_name()
    text = json.dumps(signed.to_json(), indent=1) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return path
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    return path


def read_signed_batch(path: Path) -> SignedBatch:
    """A signed batch file, every field checked and the signature recovered to the issuer it names."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE + 1)
    except OSError as exc:
        raise FormatError(f"cannot read it: {exc.strerror}") from None
    if len(raw) > MAX_FILE:
        raise FormatError(f"larger than {MAX_FILE} bytes: not a signed batch")
    try:
        data = json.loads(raw)
    except ValueError:
        raise FormatError("not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FormatError(f"not a signed batch (format must be {FORMAT!r})")
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise FormatError(f"unknown members {', '.join(unknown)}")
    missing = [name for name in _FIELDS if name not in data]
    if missing:
        raise FormatError(f"missing {', '.join(missing)}")
    domain = BatchDomain(_int(data, "chain_id"), parse_address(data["registry"], "registry"))
    issuer = parse_address(data["issuer"], "issuer")
    batch = Batch(Digest32(_hex(data, "root", 32)), _int(data, "document_count"), _int(data, "issued_at"))
    signature = parse_signature(_hex(data, "signature", 65))
    signer = recover_batch_signer(domain, batch, signature)
    if signer != issuer:
        raise FormatError(f"the signature is by {signer}, not by the issuer {issuer} the file names")
    return SignedBatch(domain, issuer, batch, signature)


def _int(data: dict[str, Any], name: str) -> int:
    value = data[name]
    if type(value) is not int:
        raise FormatError(f"{name} must be an integer")
    return value


def _hex(data: dict[str, Any], name: str, size: int) -> bytes:
    value = data[name]
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 2 + 2 * size:
        raise FormatError(f"{name} must be 0x and {size} bytes in hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise FormatError(f"{name} is not hex") from None
