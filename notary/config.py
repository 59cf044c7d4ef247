"""Typed configuration: ``notary.toml`` (in the working directory, or the file named by NOTARY_CONFIG) and
``NOTARY_*`` environment variables, the latter winning. Missing pieces produce one actionable line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from notary.errors import ConfigError

CONFIG_FILE = "notary.toml"


class TrustedRegistry(BaseModel):
    """A registry the verifier trusts: anything anchored elsewhere is INVALID, however well signed."""

    name: str
    chain_id: int
    address: str
    rpc_url: str = ""
    # several nodes (witnesses) so that no single node operator decides a verdict; see docs/witnesses.md
    rpc_urls: list[str] = Field(default_factory=list)
    quorum: int | None = Field(default=None, ge=1, description="identical answers needed (default: a majority)")
    production: bool = False

    @model_validator(mode="after")
    def _witnesses(self) -> TrustedRegistry:
        if not self.endpoints:
            raise ValueError(f"trusted registry {self.name!r} needs rpc_url or rpc_urls")
        if self.quorum is not None and self.quorum > len(self.endpoints):
            raise ValueError(f"quorum {self.quorum} of {self.name!r} exceeds its {len(self.endpoints)} endpoints")
        return self

    @property
    def endpoints(self) -> list[str]:
        """rpc_url and rpc_urls, each node once: a URL listed twice must not count as two witnesses."""
        out: list[str] = []
        for url in [self.rpc_url, *self.rpc_urls]:
            url = url.strip().rstrip("/")
            if url and url not in out:
                out.append(url)
        return out


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTARY_", extra="ignore")

    data_dir: Path = Field(default=Path(".notary"), description="where keys, the local chain and journals live")
    chain: str = Field(default="local", description="'memory', 'local' (the managed anvil) or a JSON-RPC URL")
    registry: str | None = Field(default=None, description="address of the NotaryRegistry contract")
    key_file: Path | None = Field(default=None, description="keystore v3 file of the issuer/admin key")
    key_password_file: Path | None = Field(default=None, description="file holding the key's password")
    admin_key_file: Path | None = Field(
        default=None, description="keystore of the registry admin key (default: key_file)"
    )
    confirmations: int = Field(default=0, ge=0, le=64)
    # the chain a city actually runs (issue 9): EVM build, chain identity, fees, waits, log ranges
    evm_version: Literal["london", "paris", "shanghai", "cancun"] | None = Field(
        default=None, description="EVM build to deploy and expect (default: detected from the node)"
    )
    chain_id: int | None = Field(default=None, ge=1, description="pinned at deploy; any other chain is refused")
    genesis_hash: str | None = Field(
        default=None, pattern=r"^0x[0-9a-fA-F]{64}$", description="pinned at deploy: a reset chain is refused"
    )
    tx_type: Literal["auto", "eip1559", "legacy"] = "auto"
    gas_price: int | None = Field(default=None, ge=0, description="legacy gas price in wei (default: the node's)")
    max_fee: int | None = Field(default=None, ge=0, description="EIP-1559 max fee per gas in wei")
    priority_fee: int | None = Field(default=None, ge=0, description="EIP-1559 tip in wei (default: the node's)")
    estimate_gas: bool = False
    receipt_timeout: float = Field(default=120.0, gt=0, le=86_400)
    block_time: float = Field(default=12.0, gt=0, le=3_600)
    log_chunk: int = Field(default=1_000, ge=1, le=1_000_000)
    verifier_url: str = Field(default="http://127.0.0.1:8000", description="printed beside the QR code")
    trusted: list[TrustedRegistry] = Field(default_factory=list)

    @field_validator("registry")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not (value.startswith("0x") and len(value) == 42):
            raise ValueError("registry must be a 0x-prefixed 20-byte address")
        int(value, 16)
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("NOTARY_CONFIG", CONFIG_FILE))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))

    def resolved(self, path: Path | None) -> Path | None:
        """Relative paths in the config file are relative to the directory the config file is in."""
        if path is None or path.is_absolute():
            return path
        return config_dir() / path

    @property
    def data_path(self) -> Path:
        resolved = self.resolved(self.data_dir)
        assert resolved is not None
        return resolved


def config_dir() -> Path:
    return Path(os.environ.get("NOTARY_CONFIG", CONFIG_FILE)).resolve().parent


def load_settings(**overrides: Any) -> Settings:
    """Settings from file and environment, with explicit overrides (e.g. CLI options) on top."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "config"
        raise ConfigError(f"bad configuration value for {where}: {first.get('msg')}") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the configuration ({CONFIG_FILE}): {exc}") from None


def write_config(path: Path, values: dict[str, Any]) -> None:
    """Write a notary.toml (used by the demo); simple values and [[trusted]] tables only."""
    lines: list[str] = ["# Written by `notary`; edit freely. NOTARY_* environment variables override it.", ""]
    for key, value in values.items():
        if key != "trusted":
            lines.append(f"{key} = {_toml(value)}")
    for entry in values.get("trusted", []):
        lines += ["", "[[trusted]]"] + [f"{k} = {_toml(v)}" for k, v in entry.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def update_config(path: Path, key: str, value: str | int) -> None:
    """Set one top-level ``key = "value"`` in a notary.toml, creating the file if needed."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    new_line = f"{key} = {_toml(value)}"
    top_level_end = next((i for i, line in enumerate(lines) if line.strip().startswith("[")), len(lines))
    for i in range(top_level_end):
        if lines[i].split("=", 1)[0].strip() == key:
            lines[i] = new_line
            break
    else:
        lines.insert(top_level_end, new_line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
