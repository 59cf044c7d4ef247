"""A SoftHSM2 token in a temporary folder, for the PKCS#11 tests (SoftHSM2 is installed by `make setup`)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "1234"
TOKEN = "t"

available = Path(MODULE).is_file() and shutil.which("softhsm2-util") is not None
needs_softhsm = pytest.mark.skipif(not available, reason="SoftHSM2 is installed by `make setup`")


def make_token(home: Path, label: str = TOKEN) -> Path:
    """Initialise a token (user PIN 1234, SO PIN 5678) in its own token dir under ``home``; returns the
    configuration file to name in SOFTHSM2_CONF."""
    (home / "tokens").mkdir(parents=True, exist_ok=True)
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", "5678"],
        env={**os.environ, "SOFTHSM2_CONF": str(conf)}, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return conf
