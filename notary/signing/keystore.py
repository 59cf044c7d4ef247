"""Keystore v3 signer: the key decrypted into this process (today's behaviour, unchanged byte for byte)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from eth_account import Account
from eth_account.datastructures import SignedTransaction
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from notary.core.eip712 import parse_signature
from notary.signing.base import without_from

SALT_KEY_LABEL = b"notary issuance salt key v1|"


class KeystoreSigner:
    kind = "keystore"

    def __init__(self, account: LocalAccount, where: str = "keystore") -> None:
        self.account = account
        self._where = where

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    @property
    def key(self) -> bytes:
        """The raw key, for callers written against LocalAccount (tests, benches); a keystore signer only."""
        return bytes(self.account.key)

    def sign_typed_data(self, typed_data: Mapping[str, Any]) -> bytes:
        signed = Account.sign_message(encode_typed_data(full_message=dict(typed_data)), self.account.key)
        return parse_signature(bytes(signed.signature))

    def sign_transaction(self, transaction_dict: Mapping[str, Any]) -> SignedTransaction:
        return self.account.sign_transaction(without_from(transaction_dict, self.address))

    def salt_key(self) -> bytes:
        # the derivation the issuance always used: journals and anchored batches made before the seam still match
        return hashlib.sha256(SALT_KEY_LABEL + bytes(self.account.key)).digest()

    def describe(self) -> str:
        return f"keystore key {self.address} ({self._where})"
