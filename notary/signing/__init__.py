"""Signers: where an issuer's or relayer's key lives (keystore file, PKCS#11 token, remote JSON-RPC signer)."""

from notary.signing.base import Signer, as_sender, sign_batch
from notary.signing.errors import SignerError
from notary.signing.keystore import KeystoreSigner

__all__ = ["KeystoreSigner", "Signer", "SignerError", "as_sender", "as_signer", "sign_batch"]


def as_signer(key: object) -> Signer:
    """A signer for ``key``: a signer as is, an eth_account LocalAccount (tests, benches, the demo) wrapped."""
    if isinstance(key, Signer):
        return key
    from eth_account.signers.local import LocalAccount

    if isinstance(key, LocalAccount):
        return KeystoreSigner(key)
    raise TypeError(f"not a signer: {type(key).__name__}")
