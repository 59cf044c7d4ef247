"""`notary keys`: keystore v3 files in the data dir, and secp256k1 keys in a PKCS#11 token. Private keys are
never shown; a token key never leaves its token."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.output import console, emit_json
from cli.settings_opts import DataDirOpt, JsonOpt, settings_from
from notary.config import Settings
from notary.errors import ConfigError, KeyStoreError, UsageError
from notary.keys import create_key, key_path, list_keys, read_address, resolve_password
from notary.signing.config import SignerConfig, pkcs11_pin, signer_config

if TYPE_CHECKING:
    from notary.signing.pkcs11_token import TokenKey

app = typer.Typer(help="Create and list signing keys (keystore v3, scrypt-encrypted; or in a PKCS#11 token).")

PasswordFileOpt = Annotated[
    Path | None,
    typer.Option("--password-file", help="Read the password from this file (else NOTARY_KEY_PASSWORD or a prompt)."),
]


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="A name for the key, e.g. 'realschule-2026'.")],
    password_file: PasswordFileOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Create a new random key, encrypted with a password."""
    settings = settings_from(data_dir=data_dir)
    password = resolve_password(password_file=password_file, prompt="New key password: ")
    if password_file is None and not _from_env():
        again = resolve_password(prompt="Repeat the password: ")
        if again != password:
            raise KeyStoreError("the passwords differ; nothing was written")
    info = create_key(settings.data_path, name, password)
    if json_out:
        emit_json({"name": info.name, "address": info.address, "path": str(info.path)})
    else:
        console.print(f"created key {info.name}: {info.address}\nkeystore: {info.path}")


def _from_env() -> bool:
    import os

    from notary.keys import PASSWORD_ENV

    return bool(os.environ.get(PASSWORD_ENV))


TokenOpt = Annotated[
    str | None, typer.Option("--token", help="PKCS#11 token label (default: \\[signer] token in notary.toml).")
]
ModuleOpt = Annotated[
    str | None, typer.Option("--module", help="PKCS#11 library (default: \\[signer] module, else SoftHSM2's).")
]
PinFileOpt = Annotated[
    Path | None, typer.Option("--pin-file", help="Read the token PIN from this file (else NOTARY_PKCS11_PIN).")
]


@app.command("list")
def list_(
    token: TokenOpt = None,
    module: ModuleOpt = None,
    pin_file: PinFileOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List the keys in the data dir with their addresses, and the token's keys when a token is named or
    configured (\\[signer] kind = "pkcs11")."""
    settings = settings_from(data_dir=data_dir)
    keys = list_keys(settings.data_path)
    config = _token_config(settings, token, module, pin_file, required=False)
    tokens = _token_keys(config) if config is not None else []
    if json_out:
        rows: list[dict[str, object]] = [
            {"kind": "keystore", "name": k.name, "address": k.address, "path": str(k.path)} for k in keys
        ]
        rows += [
            {"kind": "pkcs11", "name": k.label, "address": k.address, "token": config.token, "salt_key": k.has_salt_key}
            for k in tokens
            if config is not None
        ]
        emit_json(rows)
        return
    if not keys:
        console.print(f"no keys in {settings.data_path / 'keys'} (create one with `notary keys new NAME`)")
    for key in keys:
        console.print(f"{key.name:24} {key.address}  keystore")
    if config is not None:
        if not tokens:
            console.print(f"no secp256k1 keys in token {config.token!r} (create one with `notary keys pkcs11-new`)")
        for found in tokens:
            salt = "" if found.has_salt_key else " (no salt key yet: made on first issue)"
            console.print(f"{found.label:24} {found.address}  token {config.token}{salt}")


@app.command("pkcs11-new")
def pkcs11_new(
    label: Annotated[str, typer.Option("--label", help="Label of the new key in the token, e.g. 'realschule-2026'.")],
    token: TokenOpt = None,
    module: ModuleOpt = None,
    pin_file: PinFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Make a secp256k1 key pair inside a PKCS#11 token (the private key cannot be exported) and print its
    address; an HMAC salt key is made beside it (label LABEL.salt)."""
    from notary.signing.pkcs11_token import generate_key, open_session

    settings = settings_from()
    config = _token_config(settings, token, module, pin_file, required=True)
    assert config is not None and config.token is not None
    address = generate_key(open_session(config.module, config.token, pkcs11_pin(config)), label)
    if json_out:
        emit_json({"kind": "pkcs11", "token": config.token, "label": label, "address": address})
    else:
        console.print(f"created key {label} in token {config.token}: {address}")
        console.print(
            f'use it: [signer] kind = "pkcs11", token = "{config.token}", key_label = "{label}" in notary.toml; '
            f"ask the registry admin to add {address} as an issuer"
        )


def _token_config(
    settings: Settings, token: str | None, module: str | None, pin_file: Path | None, *, required: bool
) -> SignerConfig | None:
    config = signer_config(settings)
    if token is None and config.kind != "pkcs11":
        if required:
            raise UsageError('name the token: --token LABEL (or configure [signer] kind = "pkcs11" with token)')
        return None
    config = replace(
        config,
        token=token or config.token,
        module=module or config.module,
        pin_file=pin_file or config.pin_file,
    )
    if config.token is None:
        raise ConfigError("[signer] kind = 'pkcs11' needs token (the token label), or give --token")
    return config


def _token_keys(config: SignerConfig) -> list[TokenKey]:
    from notary.signing.pkcs11_token import list_token_keys, open_session

    assert config.token is not None
    return list_token_keys(open_session(config.module, config.token, pkcs11_pin(config)))


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="The key's name (or a path to a keystore file).")],
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show a key's address and file (never the private key)."""
    settings = settings_from(data_dir=data_dir)
    path = Path(name) if name.endswith(".json") else key_path(settings.data_path, name)
    from eth_utils.address import to_checksum_address

    address = to_checksum_address(read_address(path))
    if json_out:
        emit_json({"name": path.stem, "address": address, "path": str(path)})
    else:
        console.print(f"{path.stem}: {address}\nkeystore: {path}")
