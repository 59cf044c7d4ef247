"""One exception family for the whole project.

Every error a user can cause or meet derives from :class:`NotaryError` and carries a one-line, human
diagnostic. The CLI and the web API catch the base class in exactly one place each.
"""

from __future__ import annotations


class NotaryError(Exception):
    """Base class: ``str(err)`` is a complete, actionable sentence for the user."""


# Exit codes of the `notary` command (documented in `notary --help` and the README). 78 is sysexits' EX_CONFIG.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_CONFIG = 78
EXIT_INTERRUPTED = 130


class ConfigError(NotaryError):
    """The configuration is missing a piece or holds a bad value."""


class ConfigFileError(ConfigError):
    """No configuration file where one is needed, or one that cannot be read or parsed: a setup problem, told
    apart from a failed operation by its own exit code so scripts need not parse the message."""

    exit_code = EXIT_CONFIG


class UsageError(NotaryError):
    """A command line that cannot mean anything (a bad option value); exit code 2 like click's usage errors."""

    exit_code = EXIT_USAGE


class FormatError(NotaryError):
    """Bytes that should hold a proof, a QR payload or a claims record do not parse."""


class KeyStoreError(NotaryError):
    """A keystore file is missing, unreadable, or its password is wrong."""


class ChainError(NotaryError):
    """The chain could not be reached or answered something unusable (undecidable, never INVALID)."""


class ChainRefusal(ChainError):
    """The chain answered, and asking again will not change the answer (no gas money, another chain): retrying
    would only hide it."""


class ContractRevert(ChainError):
    """The registry refused a call; ``name`` is the Solidity custom error, e.g. ``IssuerNotAuthorised``."""

    def __init__(self, name: str, message: str | None = None) -> None:
        self.name = name
        super().__init__(message or f"the registry refused the call: {name}")


class PdfError(NotaryError):
    """A PDF could not be read, stamped or taken apart."""
