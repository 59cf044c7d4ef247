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
    ERROR = "ERROR"  # could not be checked (e.g. the chain cannot be reached) — never reported as INVALID
    SKIPPED = "SKIPPED"  # does not apply to this kind of input (e.g. PDF integrity for a QR code)


class Verdict(enum.StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"  # evidence that the document or its claims are not genuine
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    NOT_CHECKABLE = "NOT_CHECKABLE"  # we could not check (no proof, no QR, chain down …): says nothing either way

    @property
    def exit_code(self) -> int:
        """The `notary verify` exit code; the one source of it (2 is kept for usage errors, 78 for config)."""
        return _EXIT_CODES[self]

    @property
    def in_force(self) -> bool:
        """Genuine but no longer (or not now) in force."""
        return self in (Verdict.REVOKED, Verdict.SUSPENDED, Verdict.EXPIRED)


_EXIT_CODES = {
    Verdict.VALID: 0,
    Verdict.INVALID: 1,
    Verdict.REVOKED: 3,
    Verdict.SUSPENDED: 3,
    Verdict.EXPIRED: 3,
    Verdict.NOT_CHECKABLE: 4,
}


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
    UNSUPPORTED_VERSION = "unsupported-version"  # a format version this verifier cannot check (not INVALID)
    # the input itself could not be read or searched (NOT_CHECKABLE)
    IMAGE_UNREADABLE = "image-unreadable"
    IMAGE_TOO_SMALL = "image-too-small"  # a QR is there but too few pixels per module: retake closer
    IMAGE_BLURRED = "image-blurred"
    SCAN_WITHOUT_QR = "scan-without-qr"  # a PDF without a proof whose page images hold no readable notary QR
    UNSUPPORTED_FILE = "unsupported-file"  # neither a PDF nor a PNG, JPEG or WebP image
    EMPTY_FILE = "empty-file"  # zero bytes (the web API refuses it with 400 before any verdict)
    TOO_LARGE = "too-large"
    TIMED_OUT = "timed-out"
    TOO_COMPLEX = "too-complex"  # reading it needed more memory or computing time than allowed
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
    # the city's seal (check "seal", docs/seal.md; same codes as verifier.seal_check.SealReason)
    NO_SEAL = "no-seal"
    SEAL_MISSING = "seal-missing"
    SEAL_BROKEN = "seal-broken"
    SEAL_NOT_COVERING = "seal-not-covering"
    SEAL_UNTRUSTED = "seal-untrusted"
    SEAL_WEAK_ALGORITHM = "seal-weak-algorithm"
    SEAL_EXPIRED = "seal-expired"
    SEAL_REVOKED = "seal-revoked"
    SEAL_NOT_BOUND = "seal-not-bound"
    SEAL_EXTRA_SIGNATURE = "seal-extra-signature"
    SEAL_UNREADABLE = "seal-unreadable"


# A format-stage failure with one of these reasons is "we could not check" (the check is ERROR, the verdict
# NOT_CHECKABLE): none of them is evidence that a document is not genuine. A plain PDF without a proof, a photo
# without a readable QR, someone else's QR code are all things a genuine paper can produce.
NOT_CHECKABLE_REASONS = frozenset(
    {
        Reason.NO_PROOF,
        Reason.UNREADABLE_PDF,
        Reason.NO_QR_CODE,
        Reason.NOT_A_NOTARY_QR,
        Reason.UNSUPPORTED_VERSION,
        Reason.IMAGE_UNREADABLE,
        Reason.IMAGE_TOO_SMALL,
        Reason.IMAGE_BLURRED,
        Reason.SCAN_WITHOUT_QR,
        Reason.UNSUPPORTED_FILE,
        Reason.EMPTY_FILE,
        Reason.TOO_LARGE,
        Reason.TIMED_OUT,
        Reason.TOO_COMPLEX,
        Reason.CHAIN_UNREACHABLE,
        Reason.WRONG_CHAIN,
        Reason.WITNESSES_DISAGREE,
        Reason.INTERNAL_ERROR,
    }
)

# source: where the proof came from. pdf: a PDF's embedded proof; pdf+proof: a separate proof file; qr: QR text;
# scan: a QR found in a PDF's page images; photo: a QR found in an uploaded image.
SOURCES = ("pdf", "pdf+proof", "qr", "scan", "photo")
CLAIMS_SOURCES = frozenset({"qr", "scan", "photo"})  # only the claims in a QR are proved: compare with the paper
INPUT_KINDS = ("pdf", "image", "qr-text")
_KIND_BY_SOURCE = {"pdf": "pdf", "pdf+proof": "pdf", "scan": "pdf", "photo": "image", "qr": "qr-text"}


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


@dataclass(frozen=True, slots=True)
class Decision:
    """The deciding reason of a verdict in plain language, and what the reader can do (advice may be None)."""

    reason: Reason
    message_de: str
    message_en: str
    advice_de: str | None = None
    advice_en: str | None = None

    def message(self, lang: str = "en") -> str:
        return self.message_de if lang == "de" else self.message_en

    def advice(self, lang: str = "en") -> str | None:
        return self.advice_de if lang == "de" else self.advice_en

    def to_json(self) -> dict[str, str | None]:
        return {
            "reason": self.reason.value,
            "message_de": self.message_de,
            "message_en": self.message_en,
            "advice_de": self.advice_de,
            "advice_en": self.advice_en,
        }


@dataclass(frozen=True)
class VerificationResult:
    verdict: Verdict
    checks: tuple[CheckResult, ...]
    issuer: dict[str, Any] | None = None
    anchor: dict[str, Any] | None = None
    claims: dict[str, Any] | None = None
    source: str = "pdf"  # one of SOURCES
    registry_name: str | None = None
    production: bool | None = None
    seal: dict[str, Any] | None = None  # the PAdES seal of a notarised PDF (verifier.seal_check.SealReport)
    input_name: str | None = None  # the uploaded file's name (no folders), None for QR text
    input_kind: str | None = None  # one of INPUT_KINDS; None: derived from ``source``
    preview_png: bytes | None = None  # page 1 of a PDF, rendered in the worker; for the web page, not in to_json

    def check(self, name: str) -> CheckResult:
        return next(c for c in self.checks if c.name == name)

    @property
    def scope(self) -> str | None:
        """What a proof in this input covers: "document" (the exact file bytes), "claims" (only the claims in a
        QR: compare with the paper), or None when no proof was read."""
        if self.anchor is None and self.claims is None:
            return None
        return "claims" if self.source in CLAIMS_SOURCES else "document"

    @property
    def kind(self) -> str:
        return self.input_kind or _KIND_BY_SOURCE.get(self.source, "pdf")

    @property
    def decision(self) -> Decision:
        from verifier.decision import decide  # messages import this module

        return decide(self)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "decision": self.decision.to_json(),
            "scope": self.scope,
            "input": {"name": self.input_name, "kind": self.kind},
            "checks": [c.to_json(lang) for c in self.checks],
            "issuer": self.issuer,
            "anchor": self.anchor,
            "claims": self.claims,
            "source": self.source,
            "registry_name": self.registry_name,
            "production_chain": self.production,
            "seal": {**self.seal, "message": self.seal[f"message_{'de' if lang == 'de' else 'en'}"]}
            if self.seal
            else None,
        }
