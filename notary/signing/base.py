"""The signer seam: what issuance and the chain adapter need from a key, wherever the key lives.

A signer has an address and signs two things: the EIP-712 ``Batch`` (typed data) and a transaction dict
(giving raw bytes and hash, like eth_account's ``LocalAccount.sign_transaction``, so the chain adapter takes a
signer where it took a LocalAccount). It also gives the issuance's salt key (see :mod:`notary.signing.salt`).
Every signature is checked against the signer's address before it is used: a misbehaving HSM or remote signer
is stopped here, before anything is journaled or spent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, cast, runtime_checkable

from eth_account import Account
from eth_account._utils.legacy_transactions import encode_transaction, serializable_unsigned_transaction_from_dict
from eth_account._utils.signing import sign_transaction_dict
from eth_account.datastructures import SignedTransaction
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from hexbytes import HexBytes

from notary.core.eip712 import Batch, BatchDomain, batch_typed_data, parse_signature, recover_batch_signer
from notary.core.hashing import raw_keccak256
from notary.errors import FormatError
from notary.signing.errors import SignerError


@runtime_checkable
class Signer(Protocol):
    """An issuer's (or relayer's) key, wherever it is kept."""

    kind: str
    """'keystore', 'pkcs11' or 'remote'."""

    @property
    def address(self) -> ChecksumAddress: ...

    def sign_typed_data(self, typed_data: Mapping[str, Any]) -> bytes:
        """65 bytes ``r || s || v``, ``v`` in {27, 28}, low ``s``."""
        ...

    def sign_transaction(self, transaction_dict: Mapping[str, Any]) -> SignedTransaction: ...

    def salt_key(self) -> bytes:
        """32 secret bytes, the same every time for this key, unknown to anyone without it."""
        ...

    def describe(self) -> str:
        """Where the key is, for messages (never a secret)."""
        ...


def sign_batch(signer: Signer, domain: BatchDomain, batch: Batch) -> bytes:
    """The issuer's EIP-712 signature of ``batch``, checked to recover to the signer's address."""
    signature = signer.sign_typed_data(batch_typed_data(domain, batch))
    try:
        recovered = recover_batch_signer(domain, batch, signature)
    except FormatError as exc:
        raise SignerError(f"the {signer.kind} signer returned an unusable batch signature: {exc}") from None
    if recovered != signer.address:
        raise SignerError(
            f"the {signer.kind} signer signed the batch with {recovered}, not with {signer.address}: check the "
            "configured address"
        )
    return signature


def as_sender(signer: Signer) -> LocalAccount:
    """The chain adapter types its senders as LocalAccount but uses only ``.address`` and
    ``.sign_transaction(tx)`` (raw_transaction, hash): every signer provides both."""
    return cast(LocalAccount, signer)


def typed_data_digest(typed_data: Mapping[str, Any]) -> bytes:
    signable = encode_typed_data(full_message=dict(typed_data))
    return raw_keccak256(b"\x19" + signable.version + signable.header + signable.body)


def without_from(transaction_dict: Mapping[str, Any], address: str) -> dict[str, Any]:
    """The transaction without its ``from`` (not part of what is signed), refused if it names another key."""
    tx = dict(transaction_dict)
    sender = tx.pop("from", None)
    if sender is not None and to_checksum_address(sender) != address:
        raise SignerError(f"asked to sign a transaction from {sender} with the key {address}")
    return tx


class _DigestKey:
    """What eth_account's transaction encoder calls: ``sign_msg_hash(digest).vrs`` with ``v`` in {0, 1}."""

    def __init__(self, sign: Any) -> None:
        self._sign = sign

    def sign_msg_hash(self, digest: bytes) -> _Vrs:
        return _Vrs(self._sign(bytes(digest)))


class _Vrs:
    def __init__(self, vrs: tuple[int, int, int]) -> None:
        self.vrs = vrs


class DigestSigner:
    """A signer built from one primitive, ``sign_digest(32 bytes) -> (v, r, s)`` (v in {0, 1}, low s): typed
    data and transactions are encoded here by eth_account's own code, so only the raw ECDSA is elsewhere."""

    kind = "digest"

    @property
    def address(self) -> ChecksumAddress:
        raise NotImplementedError

    def sign_digest(self, digest: bytes) -> tuple[int, int, int]:
        raise NotImplementedError

    def sign_typed_data(self, typed_data: Mapping[str, Any]) -> bytes:
        v, r, s = self.sign_digest(typed_data_digest(typed_data))
        return parse_signature(r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([v + 27]))

    def sign_transaction(self, transaction_dict: Mapping[str, Any]) -> SignedTransaction:
        tx = without_from(transaction_dict, self.address)
        v, r, s, raw = sign_transaction_dict(_DigestKey(self.sign_digest), tx)  # type: ignore[arg-type]
        signed = SignedTransaction(HexBytes(raw), HexBytes(raw_keccak256(raw)), r, s, v)
        check_sender(signed, self.address, self.kind)
        return signed


def check_sender(signed: SignedTransaction, address: str, kind: str) -> None:
    try:
        sender = Account.recover_transaction(bytes(signed.raw_transaction))
    except Exception as exc:  # eth_account raises several types for a damaged encoding
        raise SignerError(f"the {kind} signer returned a transaction that does not decode: {exc}") from None
    if sender != address:
        raise SignerError(f"the {kind} signer signed the transaction with {sender}, not with {address}")


def reencode(transaction_dict: Mapping[str, Any], vrs: tuple[int, int, int]) -> bytes:
    """Our own encoding of ``transaction_dict`` with a signature made elsewhere: equal to what a remote signer
    returned only if it signed exactly what we asked (nothing added, nothing changed)."""
    unsigned = serializable_unsigned_transaction_from_dict(dict(transaction_dict))
    return bytes(encode_transaction(unsigned, vrs=vrs))
