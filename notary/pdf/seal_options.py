"""The seal options of a run, from `notary issue --seal ...` or notary.toml (docs/seal.md). Kept apart from
notary/pdf/seal.py so the CLI does not load pyHanko unless a seal is asked for."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from notary.config import Settings
from notary.errors import ConfigError

if TYPE_CHECKING:
    from notary.pdf.seal import SealOptions

PASSWORD_ENV = "NOTARY_SEAL_PASSWORD"


def seal_options(
    settings: Settings,
    pkcs12: Path | None = None,
    password_file: Path | None = None,
    tsa_url: str | None = None,
    crls: list[Path] | None = None,
) -> SealOptions | None:
    """None when no seal is configured."""
    path = pkcs12 or settings.seal_pkcs12
    if path is None:
        return None
    from notary.pdf.seal import SealOptions

    password = _password(password_file or settings.seal_password_file, path)
    return SealOptions(
        pkcs12=path,
        password=password.encode("utf-8") if password else None,
        tsa_url=tsa_url or settings.seal_tsa_url,
        crls=tuple(crls or settings.seal_crls),
    )


def _password(password_file: Path | None, pkcs12: Path) -> str:
    """The file, else NOTARY_SEAL_PASSWORD, else a prompt; never the issuer key's password (another secret)."""
    if password_file is not None:
        try:
            return password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigError(f"cannot read the seal password file {password_file}: {exc.strerror}") from None
    if os.environ.get(PASSWORD_ENV) is not None:
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        return getpass.getpass(f"Password of the seal {pkcs12}: ")
    raise ConfigError(f"no seal password: give --seal-password-file, set {PASSWORD_ENV}, or run in a terminal")
