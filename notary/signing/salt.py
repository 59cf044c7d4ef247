"""A salt secret kept in a file, for signers whose private key this process never sees (remote signers).

The issuance derives each document's salt with HMAC from a secret that must be the same on every run of the
same key (a journal rolled back rebuilds the very leaves already anchored) and unknown to outsiders (a leaf must
stay unguessable). A keystore derives it from the private key; a PKCS#11 token keeps an HMAC key inside; a
remote signer offers neither, so 32 random bytes are made once, beside the configuration, readable by the owner
only. Losing the file loses nothing already issued: only a resumed run whose journal is also lost would not
recognise batches it had anchored.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from notary.signing.errors import SignerError

SIZE = 32


def salt_secret(path: Path) -> bytes:
    """The secret in ``path``, made (0600, never overwritten) if the file does not exist yet."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = _create(path)
    except OSError as exc:
        raise SignerError(f"cannot read the salt secret {path}: {exc.strerror}") from None
    if len(data) != SIZE:
        raise SignerError(
            f"the salt secret {path} is damaged ({len(data)} bytes, not {SIZE}); restore it from a backup"
        )
    return data


def _create(path: Path) -> bytes:
    data = secrets.token_bytes(SIZE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made meanwhile by another run: that one counts
        return path.read_bytes()
    except OSError as exc:
        raise SignerError(f"cannot create the salt secret {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return data
