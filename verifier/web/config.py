"""Typed configuration of the public verifier web app: ``NOTARY_WEB_*`` environment variables.

Kept apart from :class:`notary.config.Settings` (which says *what* to trust) because these knobs say *how*
the public page defends itself and *who* runs it. Every default is the safe one; validation refuses values that
would switch a defence off by accident (a zero upload limit, a timeout of an hour).

Sources, strongest first: arguments, ``NOTARY_WEB_*`` (nested with ``__``, e.g. ``NOTARY_WEB_OPERATOR__NAME``),
then the ``[web]`` table of the operator's notary.toml named by ``NOTARY_CONFIG`` (``notary serve`` sets it, so
every worker reads the same file). Without any of them the page runs as an unnamed development instance.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

MIB = 1024 * 1024


class Operator(BaseModel):
    """Who runs this verifier, shown in the header and footer of every page. The legal pages are each either
    an https:// URL (linked) or the path of a small Markdown file (served at /impressum, /datenschutz,
    /barrierefreiheit); a German public site must offer all three."""

    model_config = {"extra": "forbid"}

    name: str = Field(default="", max_length=200, description="e.g. 'Stadt Mannheim – Bürgerdienste'")
    name_en: str = Field(default="", max_length=200, description="the name on English pages (default: name)")
    logo: str = Field(default="", description="path of a PNG, JPEG or SVG file (served at /operator/logo)")
    contact: str = Field(default="", max_length=1000, description="postal address, phone, e-mail (plain text)")
    impressum: str = Field(default="", description="https:// URL or path of a Markdown file")
    privacy: str = Field(default="", description="Datenschutzerklärung: https:// URL or path of a Markdown file")
    accessibility: str = Field(
        default="", description="Barrierefreiheitserklärung: https:// URL or path of a Markdown file"
    )

    @field_validator("logo", "impressum", "privacy", "accessibility")
    @classmethod
    def _url_or_file(cls, value: str) -> str:
        if value and is_url(value):
            if not SAFE_URL.fullmatch(value):
                # the URL goes into a Location header and, for the logo, into the CSP: a CR/LF, a space, a
                # ';' or a '*' there would add headers or directives, http:// would send visitors in clear
                raise ValueError(
                    f"{value!r} must be an https:// URL with a plain host name and no spaces, quotes or controls"
                )
            return value
        if not value:
            return value
        if not Path(value).is_file():
            raise ValueError(f"{value!r} is neither an https:// URL nor an existing file")
        return value

    @field_validator("logo")
    @classmethod
    def _logo_kind(cls, value: str) -> str:
        if value and not is_url(value) and Path(value).suffix.lower() not in LOGO_TYPES:
            raise ValueError(f"logo {value!r} must be a .png, .jpg, .jpeg or .svg file")
        return value

    def display_name(self, lang: str) -> str:
        return self.name_en or self.name if lang == "en" else self.name


LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


# https, a plain host (no user info, no '*'), an optional port, then printable ASCII without quotes, '<', '>',
# backslash and the like (a Location header and the CSP carry it)
SAFE_URL = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][!#-&(-;=?-\[\]_a-z~]*)?")


def is_url(value: str) -> bool:
    return value.startswith("https://") or value.startswith("http://")


class TomlWebSource(PydanticBaseSettingsSource):
    """The ``[web]`` table of the file named by NOTARY_CONFIG (absent file or table: nothing)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ returns the whole table

    def __call__(self) -> dict[str, Any]:
        name = os.environ.get("NOTARY_CONFIG")
        if not name:
            return {}
        try:
            with open(name, "rb") as handle:
                table = tomllib.load(handle).get("web", {})
        except (OSError, tomllib.TOMLDecodeError):
            return {}  # notary serve has read the same file already and said what is wrong with it
        return dict(table) if isinstance(table, dict) else {}


class WebConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTARY_WEB_", env_nested_delimiter="__", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlWebSource(settings_cls))

    max_upload_bytes: int = Field(
        default=20 * MIB, ge=1024, le=50 * MIB, description="largest accepted upload (PDF or image); larger -> 413"
    )
    max_json_bytes: int = Field(
        default=64 * 1024, ge=1024, le=1 * MIB, description="largest accepted JSON body of the API; larger -> 413"
    )
    rate_limit_per_minute: float = Field(
        default=60.0, ge=0, description="verifications per client IP and minute, per worker; 0 switches it off"
    )
    rate_limit_burst: int = Field(default=20, ge=1, description="verifications a client may make at once")
    verify_timeout_seconds: float = Field(
        default=1.5,
        gt=0,
        le=30,
        description="a parse still running after this is cut off: its worker is killed (ERROR)",
    )
    max_buffered_bytes: int = Field(
        default=256 * MIB, ge=1 * MIB, description="upload bytes held in memory at once, per worker; beyond -> 503"
    )
    verify_workers: int = Field(
        default=2, ge=1, le=64, description="worker processes parsing uploads (PDF, image, QR text), per server worker"
    )
    verify_queue: int = Field(default=32, ge=0, le=10_000, description="verifications waiting; beyond -> 503")
    queue_wait_seconds: float = Field(default=3.0, gt=0, le=60, description="longest wait for a free worker")
    worker_memory_mb: int = Field(
        default=1024, ge=256, le=16 * 1024, description="address-space limit of one parsing worker (RLIMIT_AS)"
    )
    worker_cpu_seconds: float = Field(
        default=5.0, gt=0, le=60, description="CPU time one parse may use before its worker is ended (RLIMIT_CPU)"
    )
    body_idle_seconds: float = Field(
        default=10.0, gt=0, le=120, description="longest pause between two parts of a request body; beyond -> 408"
    )
    body_min_bytes_per_second: int = Field(
        default=16 * 1024, ge=0, description="average upload rate required after the first 5 s; below -> 408"
    )
    body_max_seconds: float = Field(default=60.0, gt=0, le=600, description="longest time to receive one body")
    max_uploads_per_client: int = Field(
        default=4, ge=1, le=1000, description="requests with a body one client may have open at once; beyond -> 429"
    )
    overrun_penalty_seconds: float = Field(
        default=10.0, ge=0, le=3600, description="a client whose upload ran into a worker's limit waits this long (429)"
    )
    max_active_uploads: int = Field(
        default=64, ge=1, le=100_000, description="requests with a body open at once, per worker; beyond -> 503"
    )
    block_poll_seconds: float = Field(
        default=0.5, ge=0, le=10, description="how often the latest block number is re-read (0: every request)"
    )
    facts_cache_entries: int = Field(default=20_000, ge=0, description="cached chain answers (0: no cache)")
    demo_files: dict[str, Path] = Field(
        default_factory=dict,
        description="name -> path of sample PDFs offered on their own page, /demo (demonstration mode)",
    )
    operator: Operator = Field(default_factory=Operator, description="who runs this verifier (header and footer)")
    registry_names: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="trusted registry name -> {de = ..., en = ...}: its name per page language",
    )

    @field_validator("demo_files")
    @classmethod
    def _plain_names(cls, value: dict[str, Path]) -> dict[str, Path]:
        for name in value:
            if not name or "/" in name or "\\" in name or name.startswith("."):
                raise ValueError(f"demo file name {name!r} must be a plain file name")
        return value
