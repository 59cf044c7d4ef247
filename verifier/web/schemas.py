"""Pydantic models that document the JSON API in OpenAPI. The responses themselves are
``VerificationResult.to_json(lang)``, exactly what ``notary verify --json`` prints."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class CheckOut(BaseModel):
    name: str = Field(description="check name, e.g. integrity, anchor, status")
    status: Literal["VALID", "INVALID", "ERROR", "SKIPPED"] = Field(
        description="VALID passed; INVALID failed; ERROR could not be checked; SKIPPED does not apply or not reached"
    )
    reason: str = Field(description="stable reason code, e.g. ok, hash-mismatch, revoked")
    message: str = Field(description="explanation in the requested language")
    message_de: str
    message_en: str


class DecisionOut(BaseModel):
    reason: str = Field(description="the deciding reason code (ok for VALID), e.g. hash-mismatch, no-proof")
    message_de: str = Field(description="the deciding reason in plain German")
    message_en: str = Field(description="the deciding reason in plain English")
    advice_de: str | None = Field(description="what the reader can do (e.g. how to retake a photo), or null")
    advice_en: str | None


class InputOut(BaseModel):
    name: str | None = Field(description="the uploaded file's name, null for QR text")
    kind: Literal["pdf", "image", "qr-text"]


class VerificationOut(BaseModel):
    verdict: Literal["VALID", "INVALID", "REVOKED", "SUSPENDED", "EXPIRED", "NOT_CHECKABLE"] = Field(
        description="INVALID: evidence the document is not genuine; NOT_CHECKABLE: it could not be checked (no "
        "proof or QR found, unreadable input, chain unreachable …), which says nothing either way; REVOKED, "
        "SUSPENDED, EXPIRED: genuine but not in force"
    )
    decision: DecisionOut
    scope: Literal["document", "claims"] | None = Field(
        description="document: the exact file is proved; claims: only the claims in a QR code are proved (compare "
        "them with the paper); null: no proof was read"
    )
    input: InputOut
    checks: list[CheckOut]
    issuer: dict[str, Any] | None = Field(description="address; registered name etc. when read from the chain")
    anchor: dict[str, Any] | None = Field(description="chain_id, registry, root; block, timestamp, tx when anchored")
    claims: dict[str, Any] | None = Field(description="what the document states (for a QR code: compare with paper)")
    source: Literal["pdf", "pdf+proof", "qr", "scan", "photo"] = Field(
        description="where the proof came from: a PDF's attachment, a separate proof file, QR text, a QR in a "
        "PDF's page images (scan) or in an uploaded image (photo)"
    )
    registry_name: str | None
    production_chain: bool | None = Field(description="false: a development or test chain, no legal standing")
    seal: dict[str, Any] | None = Field(
        default=None,
        description="the city's PAdES seal of a notarised PDF (docs/seal.md §5): status, reason, message_de/en "
        "('Gesiegelt von: …'), subject, organisation, fingerprint_sha256, level, bound …; null when none",
    )


class PayloadIn(BaseModel):
    payload: str = Field(description="the text of the QR code (NT1:…), as a scanner app shows it", max_length=16384)


class ErrorOut(BaseModel):
    error: str = Field(description="stable error code, e.g. too-large, unsupported-type, rate-limited")
    message: str
    message_de: str
    message_en: str


class RegistryHealth(BaseModel):
    name: str
    chain_id: int
    address: str
    production: bool
    reachable: bool
    block: int | None
    chain_id_matches: bool | None
    error: str | None = None


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    registries: list[RegistryHealth]
