"""Issuer and admin keys as keystore v3 files (eth-account), interoperable with geth, foundry and wallets.

A private key is never printed or logged; only addresses leave this module. Passwords come from an explicit
argument, the NOTARY_KEY_PASSWORD environment variable, a password file, or an interactive prompt, in that order.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary.errors import KeyStoreError

PASSWORD_ENV = "NOTARY_KEY_PASSWORD"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class KeyInfo:
    name: str
    address: str
    path: Path


def keys_dir(data_dir: Path) -> Path:
    return data_dir / "keys"


def key_path(data_dir: Path, name: str) -> Path:
    if not _NAME.match(name):
        raise KeyStoreError(f"bad key name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    return keys_dir(data_dir) / f"{name}.json"


def create_key(data_dir: Path, name: str, password: str, *, kdf_cost: int | None = None) -> KeyInfo:
    """Make a new random key and store it encrypted. ``kdf_cost`` lowers scrypt's n for throwaway test keys."""
    if len(password) < 8:
        raise KeyStoreError("the key password must have at least 8 characters")
    path = key_path(data_dir, name)
    if path.exists():
        raise KeyStoreError(f"a key named {name!r} exists already ({path}); choose another name")
    account = Account.create()
    keystore = Account.encrypt(account.key, password, kdf="scrypt", iterations=kdf_cost)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(keystore, handle)
    return KeyInfo(name, account.address, path)


def read_address(path: Path) -> str:
    """The address a keystore file holds, without decrypting it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        address = str(data["address"])
    except FileNotFoundError:
        raise KeyStoreError(f"no keystore file at {path}") from None
    except (OSError, ValueError, KeyError, TypeError):
        raise KeyStoreError(f"{path} is not a keystore v3 file") from None
    return "0x" + address.removeprefix("0x") if address else address


def list_keys(data_dir: Path) -> list[KeyInfo]:
    directory = keys_dir(data_dir)
    if not directory.is_dir():
        return []
    return [KeyInfo(p.stem, _checksum(read_address(p)), p) for p in sorted(directory.glob("*.json"))]


def _checksum(address: str) -> str:
    from eth_utils.address import to_checksum_address

    return str(to_checksum_address(address))


def resolve_password(*, password: str | None = None, password_file: Path | None = None, prompt: str) -> str:
    if password is not None:
        return password
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if password_file is not None:
        try:
            return password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise KeyStoreError(f"cannot read the password file {password_file}: {exc.strerror}") from None
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise KeyStoreError(
        f"no key password: set {PASSWORD_ENV}, give a password file, or run in a terminal to be prompted"
    )


def load_account(path: Path, password: str) -> LocalAccount:
    """Decrypt a keystore; a wrong password or a damaged file is one clear error, never a traceback."""
    try:
        keystore = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyStoreError(f"no keystore file at {path}") from None
    except (OSError, ValueError):
        raise KeyStoreError(f"{path} is not a keystore v3 file") from None
    try:
        private_key = Account.decrypt(keystore, password)
    except ValueError:
        raise KeyStoreError(f"wrong password for {path.name} (or the keystore is damaged)") from None
    except (KeyError, TypeError):
        raise KeyStoreError(f"{path} is not a keystore v3 file") from None
    account: LocalAccount = Account.from_key(private_key)
    return account
