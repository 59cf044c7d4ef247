"""Typed configuration: a ``notary.toml`` and ``NOTARY_*`` environment variables, the latter winning.

Which file is read depends on who is asking (see :func:`operator_source` and :func:`trust_source`):
- the operator's commands (issue, registry, chain, keys, status, journal, serve) read the file named by
  ``--config`` or ``NOTARY_CONFIG``, else ``./notary.toml`` — the operator's own project folder;
- ``notary verify`` reads its trust list from ``--config`` / ``NOTARY_CONFIG``, else from the user's config
  location (``$XDG_CONFIG_HOME/notary/notary.toml``, default ``~/.config/notary/notary.toml``) and never from the
  current folder: that folder may be one an applicant handed over, with a notary.toml trusting his own registry.
A file named explicitly must exist. Missing pieces produce one actionable line.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from notary.errors import ConfigError, ConfigFileError, FormatError, UsageError

CONFIG_FILE = "notary.toml"


@dataclass(frozen=True)
class ConfigSource:
    """Where settings came from: ``path`` is the file read (None: defaults and environment only), ``how`` says
    why that file (``--config``, ``NOTARY_CONFIG``, ``current folder``, ``user config``), ``looked_in`` where
    a file was searched for."""

    path: Path | None
    how: str
    looked_in: tuple[Path, ...] = ()

    @property
    def base(self) -> Path:
        """Relative paths in a config file are relative to the folder the file is in."""
        return self.path.parent if self.path is not None else Path.cwd()


# the file the Settings being built read; pydantic-settings asks for sources in a classmethod with no arguments
_reading: ContextVar[Path | None] = ContextVar("notary_config_file", default=None)


class TrustedRegistry(BaseModel):
    """A registry the verifier trusts: anything anchored elsewhere is INVALID, however well signed."""

    name: str
    name_de: str | None = None  # the name as a German or English reader sees it (default: ``name``)
    name_en: str | None = None
    chain_id: int
    address: str
    rpc_url: str = ""
    # several nodes (witnesses) so that no single node operator decides a verdict; see docs/witnesses.md
    rpc_urls: list[str] = Field(default_factory=list)
    quorum: int | None = Field(default=None, ge=1, description="identical answers needed (default: a majority)")
    production: bool = False
    # the chain id alone does not tell a reset chain (same id, same registry address) from the trusted one
    genesis_hash: str | None = Field(default=None, description="genesis block hash every endpoint must have")
    # the city's PAdES seal (docs/seal.md): CA certificates a seal must chain to, offline CRLs, and whether a
    # notarised PDF without a valid seal is INVALID (default: the seal is shown, its absence is not an error)
    seal_roots: list[Path] = Field(default_factory=list, description="PEM/DER files of seal trust anchors")
    seal_crls: list[Path] = Field(default_factory=list, description="CRL files for seal certificates (offline)")
    require_seal: bool = False

    @field_validator("genesis_hash")
    @classmethod
    def _genesis(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"0x[0-9a-fA-F]{64}", value.strip()):
            raise ValueError("genesis_hash must be 0x and 64 hex digits (the hash of block 0)")
        return value.strip().lower()

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
    # the city's PAdES seal on every notarised copy (docs/seal.md); `notary issue --seal ...` overrides
    seal_pkcs12: Path | None = Field(default=None, description="PKCS#12 file of the seal certificate and key")
    seal_password_file: Path | None = Field(default=None, description="file holding the PKCS#12 password")
    seal_tsa_url: str | None = Field(default=None, description="RFC 3161 timestamp service (PAdES B-T)")
    seal_crls: list[Path] = Field(default_factory=list, description="CA CRLs embedded for B-LT validation")
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
    qr_url: str | None = Field(
        default=None,
        description="verifier URL the stamp's QR starts with, ending in '#' (default: verifier_url + '/#'; "
        "empty: the QR holds the proof alone)",
    )
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
        toml_file = _reading.get()
        if toml_file is None:
            return (init_settings, env_settings)
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))

    _source: ConfigSource | None = PrivateAttr(default=None)

    @property
    def source(self) -> ConfigSource:
        return self._source or ConfigSource(None, "defaults")

    def resolved(self, path: Path | None) -> Path | None:
        """Relative paths in the config file are relative to the directory the config file is in."""
        if path is None or path.is_absolute():
            return path
        return self.source.base / path

    def stamp_qr_url(self) -> str:
        """The URL the stamp's QR starts with (stamp version 2), or "" for none (stamp version 1).

        ``qr_url`` as given, else ``verifier_url`` + ``/#``. Checked here, when issuing, not when the settings
        are read: ``notary verify`` must not fail over an issuer setting. A phone opens it, so https is
        required; http only for a verifier on this machine (the demo). ConfigError otherwise.
        """
        from notary.core.layout import check_qr_url, qr_url_for

        make: Callable[[str], str]
        if self.qr_url is not None:
            url, name, make = self.qr_url.strip(), "qr_url", check_qr_url
        else:
            url, name, make = self.verifier_url.strip(), "verifier_url", qr_url_for
        if not url:
            return ""
        try:
            return make(url)
        except FormatError as exc:
            reason = str(exc).removeprefix("stamp qr_url ")
            hint = "" if name == "qr_url" else ' (or set qr_url = "" for a QR without the URL)'
            raise ConfigError(f"{name} {url!r} cannot go into the QR code: it {reason}{hint}") from None

    @property
    def data_path(self) -> Path:
        resolved = self.resolved(self.data_dir)
        assert resolved is not None
        return resolved


def load_settings(*, source: ConfigSource | None = None, **overrides: Any) -> Settings:
    """Settings from file and environment, with explicit overrides (e.g. CLI options) on top. Without
    ``source``, the operator's file (:func:`operator_source`)."""
    source = source or operator_source()
    given = {k: v for k, v in overrides.items() if v is not None}
    token = _reading.set(source.path)
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first.get("loc", ())]
        where = ".".join(loc) or "config"
        if loc and loc[0] in given:
            raise UsageError(f"bad value for --{loc[0].replace('_', '-')}: {first.get('msg')}") from None
        origin = f"NOTARY_{loc[0].upper()}" if loc and f"NOTARY_{loc[0].upper()}" in os.environ else source.path
        raise ConfigFileError(f"bad configuration value for {where} in {origin}: {first.get('msg')}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"cannot parse the configuration file {source.path}: {exc}") from None
    except OSError as exc:
        raise ConfigFileError(f"cannot read the configuration file {source.path}: {exc.strerror}") from None
    except ValueError as exc:  # e.g. an environment variable that should hold JSON
        raise ConfigError(f"bad configuration: {exc}") from None
    finally:
        _reading.reset(token)
    settings._source = source
    return settings


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


# --- which configuration file ----------------------------------------------------------------------------------

_explicit: Path | None = None


def set_explicit_config(path: Path | None) -> None:
    """The file named by the global ``notary --config FILE`` (None: not given)."""
    global _explicit
    _explicit = path


def user_config_file() -> Path:
    """The user's own notary.toml: ``$XDG_CONFIG_HOME/notary/notary.toml``, default ``~/.config/notary/…``."""
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    # The XDG spec calls a relative value invalid; honouring "." would bring the current folder's file back in.
    if xdg and Path(xdg).is_absolute():
        root = Path(xdg)
    else:
        try:
            root = Path.home() / ".config"
        except RuntimeError:
            raise ConfigFileError("cannot tell the user's home folder: give --config FILE or NOTARY_CONFIG") from None
    return root / "notary" / CONFIG_FILE


def explicit_source(config: Path | None = None) -> ConfigSource | None:
    """The file the user named (``config``, else the global --config, else NOTARY_CONFIG); it must exist."""
    if config is not None or _explicit is not None:
        path, how = (config if config is not None else _explicit), "--config"
    elif os.environ.get("NOTARY_CONFIG"):
        path, how = Path(os.environ["NOTARY_CONFIG"]), "NOTARY_CONFIG"
    else:
        return None
    assert path is not None
    _check_readable(path, how)
    return ConfigSource(path.resolve(), how, (path,))


def operator_source(config: Path | None = None) -> ConfigSource:
    """The operator's file: the one named, else ./notary.toml (the operator's project folder), else defaults."""
    named = explicit_source(config)
    if named is not None:
        return named
    local = Path.cwd() / CONFIG_FILE
    if local.exists():
        _check_readable(local, "the current folder")
        return ConfigSource(local, "current folder", (local,))
    return ConfigSource(None, "defaults", (local,))


def trust_source(config: Path | None = None) -> ConfigSource:
    """The verifier's trust list: the file named, else the user's config file — never the current folder's."""
    named = explicit_source(config)
    if named is not None:
        return named
    user = user_config_file()
    if not user.exists():
        raise ConfigFileError(
            f"no trust list found: looked in {user} (the user's configuration); give --config FILE or set "
            f"NOTARY_CONFIG — a {CONFIG_FILE} in the current folder is used only when named "
            f"(--config ./{CONFIG_FILE})"
        )
    _check_readable(user, "the user's configuration")
    return ConfigSource(user, "user config", (user,))


def load_trust_settings(config: Path | None = None) -> Settings:
    """Settings for `notary verify`, read from :func:`trust_source`; a trust list without registries is an error."""
    source = trust_source(config)
    settings = load_settings(source=source)
    if not settings.trusted:
        raise ConfigFileError(f"the trust list {source.path} ({source.how}) names no [[trusted]] registry")
    return settings


def missing_config_hint(settings: Settings) -> str:
    """For errors that arise because no configuration file was found: where it was looked for."""
    source = settings.source
    if source.path is not None:
        return ""
    where = ", ".join(str(p) for p in source.looked_in) or str(Path.cwd() / CONFIG_FILE)
    return f"no configuration found (looked in {where}; NOTARY_CONFIG is not set)"


def _check_readable(path: Path, how: str) -> None:
    if not path.exists():
        raise ConfigFileError(f"the configuration file {path} (from {how}) does not exist")
    if not path.is_file():
        raise ConfigFileError(f"the configuration file {path} (from {how}) is not a file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ConfigFileError(f"cannot read the configuration file {path} (from {how}): {exc.strerror}") from None


def add_trusted(path: Path, entry: dict[str, Any]) -> None:
    """Add ``entry`` as a [[trusted]] table to the notary.toml at ``path`` (created if needed), replacing a table
    of the same name; everything else in the file, comments included, stays as it was."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if text:
        tomllib.loads(text)  # refuse to edit a file that is not TOML rather than make it worse
    kept: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip().startswith("["):
            # comments right above a table belong to it, not to the table before
            lead: list[str] = []
            while kept[-1] and kept[-1][-1].strip().startswith("#"):
                lead.insert(0, kept[-1].pop())
            kept.append(lead)
        kept[-1].append(line)
    name_line = f"name = {_toml(entry['name'])}"
    sections = [
        sec for sec in kept
        if not (sec and sec[0].strip() == "[[trusted]]" and any(ln.strip() == name_line for ln in sec))
    ]  # fmt: skip
    lines = [ln for sec in sections for ln in sec]
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        lines = ["# The registries `notary verify` trusts (see README, Configuration)."]
    lines += ["", "[[trusted]]"] + [f"{k} = {_toml(v)}" for k, v in entry.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
