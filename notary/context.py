"""From settings to live objects: the chain URL, the registry, the signing key. Errors say what to run."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from notary import localchain
from notary.chain import MEMORY, Registry, connect
from notary.config import Settings, missing_config_hint
from notary.errors import ConfigError, ConfigFileError
from notary.keys import load_account, resolve_password


def chain_url(settings: Settings) -> str:
    if settings.chain == "local":
        chain = localchain.running(settings.data_path)
        if chain is None and missing_config_hint(settings):
            raise ConfigFileError(f"{missing_config_hint(settings)}: run `notary demo`, or see README (Configuration)")
        if chain is None:
            raise ConfigError(f"the local chain is not running (data dir {settings.data_path}): run `notary chain up`")
        return chain.url
    return settings.chain


def open_registry(settings: Settings) -> Registry:
    """The configured registry, checked to exist on the configured chain."""
    url = chain_url(settings)
    w3 = connect(url)
    if settings.registry is None:
        raise ConfigError("no registry configured: run `notary registry deploy` or set NOTARY_REGISTRY")
    registry = Registry(w3, settings.registry, confirmations=settings.confirmations)
    if url != MEMORY and not registry.has_code():
        raise ConfigError(
            f"no registry on chain {registry.chain_id} at {registry.address}: run `notary registry deploy`"
        )
    return registry


def load_signer(settings: Settings, *, password: str | None = None, admin: bool = False) -> LocalAccount:
    """The issuer key (or, with ``admin``, the registry admin key, falling back to the issuer key)."""
    key_file = settings.resolved(settings.admin_key_file if admin and settings.admin_key_file else settings.key_file)
    if key_file is None:
        raise ConfigError("no key configured: create one with `notary keys new` and set key_file / NOTARY_KEY_FILE")
    secret = resolve_password(
        password=password,
        password_file=settings.resolved(settings.key_password_file),
        prompt=f"Password for {key_file.name}: ",
    )
    return load_account(key_file, secret)
