"""`notary keys`: keystore v3 files in the data dir. Private keys are never shown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.output import console, emit_json
from cli.settings_opts import DataDirOpt, JsonOpt, settings_from
from notary.errors import KeyStoreError
from notary.keys import create_key, key_path, list_keys, read_address, resolve_password

app = typer.Typer(help="Create and list signing keys (keystore v3, scrypt-encrypted).")

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


@app.command("list")
def list_(data_dir: DataDirOpt = None, json_out: JsonOpt = False) -> None:
    """List the keys in the data dir with their addresses."""
    settings = settings_from(data_dir=data_dir)
    keys = list_keys(settings.data_path)
    if json_out:
        emit_json([{"name": k.name, "address": k.address, "path": str(k.path)} for k in keys])
        return
    if not keys:
        console.print(f"no keys in {settings.data_path / 'keys'} (create one with `notary keys new NAME`)")
    for key in keys:
        console.print(f"{key.name:24} {key.address}")


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
