"""The result of a verification: named checks with typed results, and the verdict they add up to.

The CLI (`notary verify --json`), the JSON API and the web page all render this one object.
Reason codes are a stable vocabulary: add new ones, never rename or reuse one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Status(enum.StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    ERROR = "ERROR"  # undecidable (e.g. the chain cannot be reached) — never reported as INVALID
    SKIPPED = "SKIPPED"  # does not apply to this kind of input (e.g. PDF integrity for a QR code)


class Verdict(enum.StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    ERROR = "ERROR"

    @property
    def exit_code(self) -> int:
        """0 valid, 2 undecidable, 1 anything else (the CLI's contract)."""
        return {Verdict.VALID: 0, Verdict.ERROR: 2}.get(self, 1)


class Reason(enum.StrEnum):
    """Stable reason codes (the value is the public identifier)."""

    OK = "ok"
    NOT_APPLICABLE = "not-applicable"
    NOT_REACHED = "not-reached"  # an earlier check failed, so this one could not run
    # format
    NO_PROOF = "no-proof"
    MALFORMED_PROOF = "malformed-proof"
    UNREADABLE_PDF = "unreadable-pdf"
    NO_QR_CODE = "no-qr-code"
    NOT_A_NOTARY_QR = "not-a-notary-qr"
    UNKNOWN_FIELD = "unknown-field"  # a member/key the proof's version does not define (unsigned bytes)
    NON_CANONICAL = "non-canonical"  # a second spelling of a value (null, upper-case hex, non-EIP-55 address)
    DISALLOWED_TEXT = "disallowed-text"  # claims or caption break the text rules (invisible characters, ...)
    UNSUPPORTED_VERSION = "unsupported-version"  # a format version this verifier cannot check (ERROR, not INVALID)
    # trust
    UNTRUSTED_REGISTRY = "untrusted-registry"
    WRONG_CHAIN = "wrong-chain"
    # integrity
    LENGTH_MISMATCH = "length-mismatch"
    HASH_MISMATCH = "hash-mismatch"
    FILE_REWRITTEN = "file-rewritten"
    UPDATE_MISMATCH = "update-mismatch"
    EXTRA_CONTENT = "extra-content"
    # inclusion, anchoring, issuer, signature
    NOT_IN_BATCH = "not-in-batch"
    NOT_ANCHORED = "not-anchored"
    COUNT_MISMATCH = "count-mismatch"
    ISSUER_MISMATCH = "issuer-mismatch"
    ISSUER_NOT_AUTHORISED = "issuer-not-authorised"
    ISSUER_COMPROMISED = "issuer-compromised"
    BAD_SIGNATURE = "bad-signature"
    # status and expiry
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    # undecidable
    CHAIN_UNREACHABLE = "chain-unreachable"
    WITNESSES_DISAGREE = "witnesses-disagree"  # the trusted registry's RPC endpoints gave different answers
    INTERNAL_ERROR = "internal-error"


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    status: Status
    reason: Reason
    message_de: str
    message_en: str

    def message(self, lang: str = "en") -> str:
        return self.message_de if lang == "de" else self.message_en

    def to_json(self, lang: str = "en") -> dict[str, str]:
        return {
            "name": self.name,
            "status": self.status.value,
            "reason": self.reason.value,
            "message": self.message(lang),
            "message_de": self.message_de,
            "message_en": self.message_en,
        }


@dataclass(frozen=True)
class VerificationResult:
    verdict: Verdict
    checks: tuple[CheckResult, ...]
    issuer: dict[str, Any] | None = None
    anchor: dict[str, Any] | None = None
    claims: dict[str, Any] | None = None
    source: str = "pdf"  # pdf | pdf+proof | qr
    registry_name: str | None = None
    production: bool | None = None

    def check(self, name: str) -> CheckResult:
        return next(c for c in self.checks if c.name == name)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "checks": [c.to_json(lang) for c in self.checks],
            "issuer": self.issuer,
            "anchor": self.anchor,
            "claims": self.claims,
            "source": self.source,
            "registry_name": self.registry_name,
            "production_chain": self.production,
        }
