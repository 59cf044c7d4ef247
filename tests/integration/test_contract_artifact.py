"""The committed artifact is exactly what the committed source compiles to (running never needs a compiler)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_committed_artifact_equals_a_fresh_compile() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "contracts" / "build.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "matches a fresh compile" in result.stdout
