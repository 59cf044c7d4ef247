"""PKCS#11 signer (an HSM, a smart card, SoftHSM2): the secp256k1 key is made inside the token and never leaves.

The token signs a bare 32-byte digest (CKM_ECDSA); the low-s form and recovery id are worked out here
(:mod:`notary.signing.ecdsa`). The issuance's salt key comes from an HMAC key kept beside the signing key in
the same token (label ``<label>.salt``, CKM_SHA256_HMAC): ECDSA in a token is not deterministic, so a signature
cannot serve as a secret that is the same on every run, but an HMAC is (see docs/relay.md, "Salts without a
private key").
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address

from notary.core.hashing import raw_keccak256
from notary.signing.base import DigestSigner
from notary.signing.ecdsa import public_key_from_point, with_recovery_id
from notary.signing.errors import SignerError
from notary.signing.keystore import SALT_KEY_LABEL

DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
SECP256K1_OID = "1.3.132.0.10"
SALT_SUFFIX = ".salt"

_libs: dict[str, Any] = {}
_logins: dict[tuple[str, str], tuple[Any, bytes]] = {}
"""(module, token) -> (session, SHA-256 of the PIN it was opened with): a later PIN is compared, never kept."""
_token_lock = threading.RLock()
"""Held for every token operation: a PKCS#11 session must not run two operations at once."""


@dataclass(frozen=True)
class TokenKey:
    label: str
    address: ChecksumAddress
    has_salt_key: bool


def _lib(module: str) -> Any:
    import pkcs11
    from pkcs11.exceptions import PKCS11Error

    with _token_lock:
        if module not in _libs:
            if not Path(module).is_file():
                raise SignerError(f"no PKCS#11 module at {module}: install it or set [signer] module in notary.toml")
            try:
                _libs[module] = pkcs11.lib(module)
            except PKCS11Error as exc:
                raise SignerError(f"cannot load the PKCS#11 module {module}: {exc}") from None
        return _libs[module]


def open_session(module: str, token_label: str, pin: str) -> Any:
    """The process's logged-in session on the token labelled ``token_label``; each failure is one line saying
    what to fix. PKCS#11 logs in per application, not per session (a second login fails, a logout ends every
    session), so one session per token is opened, shared, and left to end with the process."""
    from pkcs11.exceptions import NoSuchToken, PinIncorrect, PinLenRange, PinLocked, PKCS11Error

    with _token_lock:
        known = _logins.get((module, token_label))
        if known is not None:
            if not hmac.compare_digest(known[1], hashlib.sha256(pin.encode()).digest()):
                raise SignerError(f"wrong PIN for the PKCS#11 token {token_label!r}")
            return known[0]
        lib = _lib(module)
        try:
            token = lib.get_token(token_label=token_label)
        except NoSuchToken:
            labels = ", ".join(repr(t.label) for t in lib.get_tokens()) or "none"
            raise SignerError(f"no PKCS#11 token labelled {token_label!r} in {module} (tokens: {labels})") from None
        except PKCS11Error as exc:
            raise SignerError(f"cannot list the tokens of {module}: {type(exc).__name__} {exc}") from None
        try:
            session = token.open(user_pin=pin, rw=True)
        except (PinIncorrect, PinLenRange):
            raise SignerError(f"wrong PIN for the PKCS#11 token {token_label!r}") from None
        except PinLocked:
            raise SignerError(
                f"the PIN of the PKCS#11 token {token_label!r} is locked: ask its security officer"
            ) from None
        except PKCS11Error as exc:
            raise SignerError(
                f"cannot log in to the PKCS#11 token {token_label!r}: {type(exc).__name__} {exc}"
            ) from None
        _logins[(module, token_label)] = (session, hashlib.sha256(pin.encode()).digest())
        return session


def forget_sessions(module: str) -> None:
    """Drop the shared sessions of ``module`` and initialise it afresh (tests point SoftHSM at another token dir)."""
    with _token_lock:
        for key in [k for k in _logins if k[0] == module]:
            del _logins[key]
        if module in _libs:
            _libs[module].reinitialize()


def address_of_point(point: bytes) -> ChecksumAddress:
    return to_checksum_address(raw_keccak256(public_key_from_point(point))[12:])


def generate_key(session: Any, label: str) -> ChecksumAddress:
    """A new secp256k1 key pair made by the token (private half sensitive, never extractable) and its HMAC salt
    key; refused if the label is taken, so an existing key is never shadowed."""

    if not label or len(label) > 64:
        raise SignerError("a token key label must have 1 to 64 characters")
    with _token_lock:
        return _generate_key(session, label)


def _generate_key(session: Any, label: str) -> ChecksumAddress:
    from pkcs11 import Attribute, KeyType
    from pkcs11.util.ec import encode_named_curve_parameters

    if list(session.get_objects({Attribute.LABEL: label})) or list(
        session.get_objects({Attribute.LABEL: label + SALT_SUFFIX})
    ):
        raise SignerError(f"the token has a key labelled {label!r} already; choose another label")
    params = session.create_domain_parameters(
        KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters(SECP256K1_OID)}, local=True
    )
    key_id = raw_keccak256(label.encode())[:16]
    public, _private = params.generate_keypair(
        store=True,
        label=label,
        id=key_id,
        public_template={Attribute.VERIFY: True},
        private_template={
            Attribute.SIGN: True,
            Attribute.SENSITIVE: True,
            Attribute.EXTRACTABLE: False,
            Attribute.PRIVATE: True,
        },
    )
    _new_salt_key(session, label)
    return address_of_point(bytes(public[Attribute.EC_POINT]))


def _new_salt_key(session: Any, label: str) -> Any:
    from pkcs11 import Attribute, KeyType, MechanismFlag

    return session.generate_key(
        KeyType.GENERIC_SECRET,
        256,
        label=label + SALT_SUFFIX,
        store=True,
        capabilities=MechanismFlag.SIGN,
        template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False, Attribute.PRIVATE: True},
    )


def list_token_keys(session: Any) -> list[TokenKey]:
    """The token's secp256k1 public keys with their addresses (other keys are not ours to show)."""

    with _token_lock:
        return _list_token_keys(session)


def _list_token_keys(session: Any) -> list[TokenKey]:
    from pkcs11 import Attribute, KeyType, ObjectClass

    labels = {str(obj[Attribute.LABEL]) for obj in session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY})}
    found: list[TokenKey] = []
    for obj in session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.KEY_TYPE: KeyType.EC}):
        try:
            address = address_of_point(bytes(obj[Attribute.EC_POINT]))
        except SignerError:
            continue  # another curve
        label = str(obj[Attribute.LABEL])
        found.append(TokenKey(label, address, label + SALT_SUFFIX in labels))
    return sorted(found, key=lambda k: k.label)


class Pkcs11Signer(DigestSigner):
    kind = "pkcs11"

    def __init__(self, module: str, token_label: str, pin: str, key_label: str) -> None:
        from pkcs11 import Attribute, KeyType, ObjectClass
        from pkcs11.exceptions import MultipleObjectsReturned, NoSuchKey

        self._token_label, self._key_label = token_label, key_label
        self._session = open_session(module, token_label, pin)
        self._lock = _token_lock
        try:
            self._private = self._session.get_key(ObjectClass.PRIVATE_KEY, KeyType.EC, label=key_label)
            public = self._session.get_key(ObjectClass.PUBLIC_KEY, KeyType.EC, label=key_label)
        except NoSuchKey:
            raise SignerError(
                f"no secp256k1 key labelled {key_label!r} in the token {token_label!r} (create one with "
                f"`notary keys pkcs11-new --token {token_label} --label {key_label}`)"
            ) from None
        except MultipleObjectsReturned:
            raise SignerError(f"more than one key labelled {key_label!r} in the token {token_label!r}") from None
        self._public = public_key_from_point(bytes(public[Attribute.EC_POINT]))
        self._address = to_checksum_address(raw_keccak256(self._public)[12:])

    @property
    def address(self) -> ChecksumAddress:
        return self._address

    def sign_digest(self, digest: bytes) -> tuple[int, int, int]:
        from pkcs11 import Mechanism
        from pkcs11.exceptions import PKCS11Error

        try:
            with self._lock:
                rs = bytes(self._private.sign(digest, mechanism=Mechanism.ECDSA))
        except PKCS11Error as exc:
            raise SignerError(f"the token {self._token_label!r} would not sign: {type(exc).__name__} {exc}") from None
        if len(rs) != 64:
            raise SignerError(f"the token {self._token_label!r} returned a {len(rs)}-byte signature, not r || s")
        return with_recovery_id(digest, int.from_bytes(rs[:32], "big"), int.from_bytes(rs[32:], "big"), self._public)

    def salt_key(self) -> bytes:
        from pkcs11 import KeyType, Mechanism, ObjectClass
        from pkcs11.exceptions import NoSuchKey, PKCS11Error

        label = self._key_label + SALT_SUFFIX
        with self._lock:
            try:
                key = self._session.get_key(ObjectClass.SECRET_KEY, KeyType.GENERIC_SECRET, label=label)
            except NoSuchKey:
                # a signing key made by other tools: its salt key is made once, in the token, on first use
                key = _new_salt_key(self._session, self._key_label)
            try:
                return bytes(
                    key.sign(SALT_KEY_LABEL + bytes.fromhex(self._address[2:]), mechanism=Mechanism.SHA256_HMAC)
                )
            except PKCS11Error as exc:
                raise SignerError(f"the token {self._token_label!r} would not give the salt key: {exc}") from None

    def describe(self) -> str:
        return f"PKCS#11 key {self._key_label!r} in token {self._token_label!r} ({self._address})"

    def close(self) -> None:
        """Nothing to do: the token's session is shared by the process (see :func:`open_session`)."""
