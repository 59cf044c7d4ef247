"""Pydantic models that document the JSON API in OpenAPI. The responses themselves are
``VerificationResult.to_json(lang)``, exactly what ``notary verify --json`` prints."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class CheckOut(BaseModel):
    name: str = Field(description="check name, e.g. integrity, anchor, status")
    status: Literal["VALID", "INVALID", "ERROR", "SKIPPED"]
    reason: str = Field(description="stable reason code, e.g. ok, hash-mismatch, revoked")
    message: str = Field(description="explanation in the requested language")
    message_de: str
    message_en: str


class VerificationOut(BaseModel):
    verdict: Literal["VALID", "INVALID", "REVOKED", "SUSPENDED", "EXPIRED", "ERROR"]
    checks: list[CheckOut]
    issuer: dict[str, Any] | None = Field(description="address; registered name etc. when read from the chain")
    anchor: dict[str, Any] | None = Field(description="chain_id, registry, root; block, timestamp, tx when anchored")
    claims: dict[str, Any] | None = Field(description="what the document states (for a QR code: compare with paper)")
    source: Literal["pdf", "pdf+proof", "qr"]
    registry_name: str | None
    production_chain: bool | None = Field(description="false: a development or test chain, no legal standing")


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
