"""How an operator names its signer: the ``[signer]`` table of notary.toml, with ``NOTARY_SIGNER_*`` on top.

::

    [signer]
    kind = "pkcs11"                            # "keystore" (default: key_file), "pkcs11" or "remote"
    module = "/usr/lib/softhsm/libsofthsm2.so" # pkcs11: the token's PKCS#11 library
    token = "stadt-issuing"                    # pkcs11: token label
    key_label = "realschule-2026"              # pkcs11: label of the key (made by `notary keys pkcs11-new`)
    pin_file = "secrets/pin"                   # pkcs11: else NOTARY_PKCS11_PIN; never the PIN itself here
    url = "http://127.0.0.1:8550"              # remote: JSON-RPC endpoint (Clef, Web3Signer)
    address = "0x…"                            # remote: the account to sign with
    salt_file = "keys/salt.key"                # remote: salt secret (default <data_dir>/keys/salt-<address>.key)
    timeout = 30                               # remote: seconds per request

Relative paths are relative to the folder of the configuration file, like every other path in it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notary.config import Settings
from notary.errors import ConfigError, ConfigFileError
from notary.signing.pkcs11_token import DEFAULT_MODULE
from notary.signing.remote import DEFAULT_TIMEOUT

KINDS = ("keystore", "pkcs11", "remote")
PIN_ENV = "NOTARY_PKCS11_PIN"
_FIELDS = ("kind", "module", "token", "key_label", "pin_file", "url", "address", "salt_file", "timeout")


@dataclass(frozen=True)
class SignerConfig:
    kind: str = "keystore"
    module: str = DEFAULT_MODULE
    token: str | None = None
    key_label: str | None = None
    pin_file: Path | None = None
    url: str | None = None
    address: str | None = None
    salt_file: Path | None = None
    timeout: float = DEFAULT_TIMEOUT


def signer_config(settings: Settings, table_name: str = "signer") -> SignerConfig:
    """The ``[signer]`` (issuer, revoker, relayer) or, with ``table_name="admin_signer"``, the registry admin's
    ``[admin_signer]`` table, each with its environment variables on top (``NOTARY_SIGNER_*`` /
    ``NOTARY_ADMIN_SIGNER_*``)."""
    table = _table(settings, table_name)
    for name in _FIELDS:
        env = os.environ.get(f"NOTARY_{table_name.upper()}_{name.upper()}")
        if env:
            table[name] = env
    where = f"[{table_name}]"
    unknown = sorted(set(table) - set(_FIELDS))
    if "pin" in unknown:
        raise ConfigError(f"{where} pin: keep the PIN out of notary.toml; use pin_file or {PIN_ENV}")
    if unknown:
        raise ConfigError(f"{where} has unknown settings {', '.join(unknown)} (known: {', '.join(_FIELDS)})")
    kind = str(table.get("kind", "keystore"))
    if kind not in KINDS:
        raise ConfigError(f"{where} kind must be one of {', '.join(KINDS)}, got {kind!r}")
    try:
        timeout = float(table.get("timeout", DEFAULT_TIMEOUT))
    except (TypeError, ValueError):
        raise ConfigError(f"{where} timeout must be a number of seconds") from None
    if not 0 < timeout <= 600:
        raise ConfigError(f"{where} timeout must be between 0 and 600 seconds")
    return SignerConfig(
        kind=kind,
        module=str(table.get("module", DEFAULT_MODULE)),
        token=_text(table, "token", where),
        key_label=_text(table, "key_label", where),
        pin_file=_path(settings, table, "pin_file", where),
        url=_text(table, "url", where),
        address=_text(table, "address", where),
        salt_file=_path(settings, table, "salt_file", where),
        timeout=timeout,
    )


def has_table(settings: Settings, table_name: str) -> bool:
    """Whether notary.toml or the environment names any setting of ``[table_name]``."""
    prefix = f"NOTARY_{table_name.upper()}_"
    return bool(_table(settings, table_name)) or any(os.environ.get(prefix + name.upper()) for name in _FIELDS)


def _table(settings: Settings, table_name: str) -> dict[str, Any]:
    path = settings.source.path
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigFileError(f"cannot read the [{table_name}] table of {path}: {exc}") from None
    table = data.get(table_name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{table_name} in {path} must be a table ([{table_name}])")
    return dict(table)


def _text(table: dict[str, Any], name: str, where: str = "[signer]") -> str | None:
    value = table.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where} {name} must be text")
    return value


def _path(settings: Settings, table: dict[str, Any], name: str, where: str = "[signer]") -> Path | None:
    value = _text(table, name, where)
    return settings.resolved(Path(value)) if value is not None else None


def pkcs11_pin(config: SignerConfig) -> str:
    """The token PIN: NOTARY_PKCS11_PIN, else the pin_file; never prompted in a batch run's place."""
    if os.environ.get(PIN_ENV):
        return os.environ[PIN_ENV]
    if config.pin_file is not None:
        try:
            return config.pin_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the PIN file {config.pin_file}: {exc.strerror}") from None
    import getpass
    import sys

    if sys.stdin.isatty():
        return getpass.getpass("Token PIN: ")
    raise ConfigError(f"no token PIN: set {PIN_ENV} or [signer] pin_file, or run in a terminal to be prompted")
