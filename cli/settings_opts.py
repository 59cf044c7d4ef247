"""Options shared by commands that reach the chain, and the settings they produce."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from notary.config import Settings, load_settings, load_trust_settings, operator_source

if TYPE_CHECKING:
    from verifier.trust import TrustList

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
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Configuration file to use; it must exist. [env NOTARY_CONFIG] For `verify` the default is the user's "
        "own ~/.config/notary/notary.toml ($XDG_CONFIG_HOME), never ./notary.toml unless named here.",
    ),
]


def settings_from(
    *,
    chain: str | None = None,
    registry: str | None = None,
    key_file: Path | None = None,
    data_dir: Path | None = None,
    config: Path | None = None,
) -> Settings:
    """The operator's settings (--config / NOTARY_CONFIG, else ./notary.toml) with the command's options on top."""
    return load_settings(
        source=operator_source(config), chain=chain, registry=registry, key_file=key_file, data_dir=data_dir
    )


_HOW_DE = {"user config": "eigene Konfiguration", "current folder": "aktueller Ordner", "defaults": "Voreinstellung"}


@dataclass(frozen=True)
class TrustUsed:
    """Which trust list a verdict was reached with — printed with every verdict so a planted one shows."""

    file: Path | None
    how: str
    registries: list[str]

    def line(self, lang: str) -> str:
        label = "Vertrauensliste" if lang == "de" else "Trust list"
        how = self.how
        if lang == "de":  # notary/config.py names the source in English (also for the JSON); the line is German
            for english, german in _HOW_DE.items():
                how = how.replace(english, german)
        return f"{label}: {self.file} ({how}) — {'; '.join(self.registries)}"

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.file), "source": self.how, "registries": self.registries}


def trust_for_verify(config: Path | None = None) -> tuple[TrustList, TrustUsed]:
    """The verifier's trust list from the user's own configuration (see notary.config.trust_source)."""
    from verifier.trust import TrustList  # verifier code loads only for the command that verifies

    settings = load_trust_settings(config)
    trust = TrustList.from_settings(settings)
    source = settings.source
    # NOTARY_TRUSTED (the user's own environment) overrides the file's tables: say so rather than name the file alone
    how = f"{source.how} + NOTARY_TRUSTED" if os.environ.get("NOTARY_TRUSTED") else source.how
    return trust, TrustUsed(source.path, how, [entry.name for entry in trust.entries()])
