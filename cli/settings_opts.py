"""Options shared by commands that reach the chain, and the settings they produce."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from notary.config import Settings, load_settings

ChainOpt = Annotated[
    str | None,
    typer.Option("--chain", help="'local' (managed anvil), 'memory' or a JSON-RPC URL. [env NOTARY_CHAIN]"),
]
RegistryOpt = Annotated[str | None, typer.Option("--registry", help="Registry contract address. [env NOTARY_REGISTRY]")]
KeyFileOpt = Annotated[
    Path | None, typer.Option("--key-file", help="Keystore v3 file of the signing key. [env NOTARY_KEY_FILE]")
]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (keys, chain state). [env NOTARY_DATA_DIR]")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]


def settings_from(
    *,
    chain: str | None = None,
    registry: str | None = None,
    key_file: Path | None = None,
    data_dir: Path | None = None,
) -> Settings:
    return load_settings(chain=chain, registry=registry, key_file=key_file, data_dir=data_dir)
