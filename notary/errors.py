"""One exception family for the whole project.

Every error a user can cause or meet derives from :class:`NotaryError` and carries a one-line, human
diagnostic. The CLI and the web API catch the base class in exactly one place each.
"""

from __future__ import annotations


class NotaryError(Exception):
    """Base class: ``str(err)`` is a complete, actionable sentence for the user."""


class ConfigError(NotaryError):
    """The configuration is missing a piece or holds a bad value."""


class FormatError(NotaryError):
    """Bytes that should hold a proof, a QR payload or a claims record do not parse."""


class KeyStoreError(NotaryError):
    """A keystore file is missing, unreadable, or its password is wrong."""


class ChainError(NotaryError):
    """The chain could not be reached or answered something unusable (undecidable, never INVALID)."""


class ContractRevert(ChainError):
    """The registry refused a call; ``name`` is the Solidity custom error, e.g. ``IssuerNotAuthorised``."""

    def __init__(self, name: str, message: str | None = None) -> None:
        self.name = name
        super().__init__(message or f"the registry refused the call: {name}")


class PdfError(NotaryError):
    """A PDF could not be read, stamped or taken apart."""
