"""From settings to a live signer of the configured kind."""

from __future__ import annotations

from notary.config import Settings
from notary.errors import ConfigError
from notary.signing.base import Signer
from notary.signing.config import SignerConfig, pkcs11_pin, signer_config


def open_signer(settings: Settings, *, password: str | None = None) -> Signer:
    config = signer_config(settings)
    if config.kind == "pkcs11":
        return open_pkcs11(config)
    if config.kind == "remote":
        return open_remote(settings, config)
    from notary.context import load_signer
    from notary.signing.keystore import KeystoreSigner

    where = settings.resolved(settings.key_file)
    return KeystoreSigner(load_signer(settings, password=password), str(where))


def open_pkcs11(config: SignerConfig) -> Signer:
    from notary.signing.pkcs11_token import Pkcs11Signer

    if config.token is None or config.key_label is None:
        raise ConfigError("[signer] kind = 'pkcs11' needs token and key_label (see docs/relay.md)")
    return Pkcs11Signer(config.module, config.token, pkcs11_pin(config), config.key_label)


def open_remote(settings: Settings, config: SignerConfig) -> Signer:
    from notary.signing.remote import RemoteSigner

    if config.url is None or config.address is None:
        raise ConfigError("[signer] kind = 'remote' needs url and address (see docs/relay.md)")
    salt_file = config.salt_file or settings.data_path / "keys" / f"salt-{config.address.lower()}.key"
    return RemoteSigner(config.url, config.address, salt_file, timeout=config.timeout)
