"""From settings to live objects: the chain URL, the registry, the signing key. Errors say what to run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from notary import localchain
from notary.chain import MEMORY, Registry, connect
from notary.chain.fees import FeePolicy
from notary.chain.identity import check_identity, check_registry_code
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
    """The configured registry, on the pinned chain (checked before anything is sent), with our code."""
    url = chain_url(settings)
    w3 = connect(url)
    if settings.registry is None:
        raise ConfigError("no registry configured: run `notary registry deploy` or set NOTARY_REGISTRY")
    if url != MEMORY:
        check_identity(w3, settings.chain_id, settings.genesis_hash, where=f"the node at {url}")
    registry = Registry(
        w3,
        settings.registry,
        expected_chain_id=settings.chain_id,
        expected_genesis=settings.genesis_hash,
        **registry_options(settings),
    )
    if url != MEMORY:
        check_registry_code(registry, settings.evm_version)
    return registry


def registry_options(settings: Settings) -> dict[str, Any]:
    """How the registry client waits, pays and reads logs, from the settings."""
    return {
        "confirmations": settings.confirmations,
        "receipt_timeout": settings.receipt_timeout,
        "block_time": settings.block_time,
        "log_chunk": settings.log_chunk,
        "fees": FeePolicy(
            tx_type=settings.tx_type,
            gas_price=settings.gas_price,
            max_fee=settings.max_fee,
            priority_fee=settings.priority_fee,
            estimate_gas=settings.estimate_gas,
        ),
    }


def load_signer(settings: Settings, *, password: str | None = None, admin: bool = False) -> LocalAccount:
    """The issuer key (or, with ``admin``, the registry admin key, falling back to the issuer key)."""
    return load_account(*keystore_secret(settings, password=password, admin=admin))


def keystore_secret(settings: Settings, *, password: str | None = None, admin: bool = False) -> tuple[Path, str]:
    """The keystore file :func:`load_signer` opens and its password (asked for here when nothing gives it)."""
    key_file = settings.resolved(settings.admin_key_file if admin and settings.admin_key_file else settings.key_file)
    if key_file is None:
        raise ConfigError("no key configured: create one with `notary keys new` and set key_file / NOTARY_KEY_FILE")
    secret = resolve_password(
        password=password,
        password_file=settings.resolved(settings.key_password_file),
        prompt=f"Password for {key_file.name}: ",
    )
    return key_file, secret
