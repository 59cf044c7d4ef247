"""From settings to a live signer of the configured kind."""

from __future__ import annotations

import threading
from concurrent.futures import Future

from notary.config import Settings
from notary.errors import ConfigError
from notary.signing.base import Signer
from notary.signing.config import SignerConfig, has_table, pkcs11_pin, signer_config


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


def open_signer_soon(settings: Settings) -> Future[Signer]:
    """:func:`open_signer`, with a keystore's key decrypted in a thread of its own: scrypt holds one core for
    about a second without the GIL, and the caller lists its inputs meanwhile. The password is asked for
    first, here, in the caller's thread. Errors come out of ``result()`` as open_signer raises them."""
    pending: Future[Signer] = Future()
    config = signer_config(settings)
    if config.kind != "keystore":
        try:
            pending.set_result(open_signer(settings))
        except BaseException as exc:
            pending.set_exception(exc)
        return pending
    from notary.context import keystore_secret
    from notary.keys import load_account
    from notary.signing.keystore import KeystoreSigner

    key_file, secret = keystore_secret(settings)
    where = str(settings.resolved(settings.key_file))

    def decrypt() -> None:
        try:
            pending.set_result(KeystoreSigner(load_account(key_file, secret), where))
        except BaseException as exc:  # handed to the caller's result(), never lost in the thread
            pending.set_exception(exc)

    # a daemon: an interrupted command does not wait for scrypt to finish on its way out
    threading.Thread(target=decrypt, name="notary-key-unlock", daemon=True).start()
    return pending


def open_admin_signer(settings: Settings, *, password: str | None = None) -> Signer:
    """The registry admin's key: ``admin_key_file`` (a keystore) when set, else the ``[admin_signer]`` table (a
    PKCS#11 token or a remote signer), else the issuer's own ``[signer]`` / ``key_file`` — as on a single-office
    setup where one key does both."""
    from notary.context import load_signer
    from notary.signing.keystore import KeystoreSigner

    if settings.admin_key_file is not None:
        where = settings.resolved(settings.admin_key_file)
        return KeystoreSigner(load_signer(settings, password=password, admin=True), str(where))
    if not has_table(settings, "admin_signer"):
        return open_signer(settings, password=password)
    config = signer_config(settings, "admin_signer")
    if config.kind == "pkcs11":
        return open_pkcs11(config, "[admin_signer]")
    if config.kind == "remote":
        return open_remote(settings, config, "[admin_signer]")
    raise ConfigError("[admin_signer] kind = 'keystore' is admin_key_file: set that instead (see docs/relay.md)")


def open_pkcs11(config: SignerConfig, where: str = "[signer]") -> Signer:
    from notary.signing.pkcs11_token import Pkcs11Signer

    if config.token is None or config.key_label is None:
        raise ConfigError(f"{where} kind = 'pkcs11' needs token and key_label (see docs/relay.md)")
    return Pkcs11Signer(config.module, config.token, pkcs11_pin(config), config.key_label)


def open_remote(settings: Settings, config: SignerConfig, where: str = "[signer]") -> Signer:
    from notary.signing.remote import RemoteSigner

    if config.url is None or config.address is None:
        raise ConfigError(f"{where} kind = 'remote' needs url and address (see docs/relay.md)")
    salt_file = config.salt_file or settings.data_path / "keys" / f"salt-{config.address.lower()}.key"
    return RemoteSigner(config.url, config.address, salt_file, timeout=config.timeout)
