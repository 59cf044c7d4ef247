"""Format errors with a stable code, so a verifier can say *which* rule a proof broke (docs/proof-format.md §13).

Every class is a :class:`~notary.errors.FormatError`, so code that only asks "does it parse?" is unaffected.
The ``code`` strings are public identifiers (they appear in verification results and in the test vectors):
add new ones, never rename or reuse one.
"""

from __future__ import annotations

from notary.errors import FormatError

__all__ = [
    "DisallowedTextError",
    "NonCanonicalError",
    "NotANotaryQrError",
    "UnknownFieldError",
    "UnsupportedVersionError",
    "error_code",
]

MALFORMED = "malformed-proof"


class UnknownFieldError(FormatError):
    """A member or map key the proof's version does not define: unsigned bytes, so the proof is refused."""

    code = "unknown-field"


class NonCanonicalError(FormatError):
    """A value spelled in a form other than the one the format allows (e.g. an upper-case hex digit)."""

    code = "non-canonical"


class DisallowedTextError(FormatError):
    """Claims or caption text that breaks the text rules (invisible characters, stacked marks, ...)."""

    code = "disallowed-text"


class NotANotaryQrError(FormatError):
    """QR text that is not ``NT1:`` + base45 at all (docs/proof-format.md §8): someone else's code, or text
    too damaged to tell. Text that *is* NT1 base45 but holds a broken proof gets the proof's own code."""

    code = "not-a-notary-qr"


class UnsupportedVersionError(FormatError):
    """A format version this reader does not know: it cannot check what that version added."""

    code = "unsupported-version"


def error_code(exc: FormatError) -> str:
    """The stable code of a format error; plain :class:`FormatError` is ``malformed-proof``."""
    code = getattr(exc, "code", MALFORMED)
    return code if isinstance(code, str) else MALFORMED
