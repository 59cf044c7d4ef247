"""Signer failures: each is one line that says what to fix (wrong PIN, no such token or key, signer down)."""

from __future__ import annotations

from notary.errors import KeyStoreError


class SignerError(KeyStoreError):
    """A signer cannot be opened or would not sign; nothing was signed or spent."""
