"""The committed artifact holds, for each EVM target, exactly what the committed source compiles to (running
never needs a compiler), and each build's runtime code is recognised as ours, whatever the deployment wrote into
its immutables."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from notary.chain.artifact import EVM_VERSIONS, build_of, deployed_bytecode, load_artifact
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def fresh_compiles() -> Iterator[dict[str, subprocess.Popen[str]]]:
    """Every build's check started at once: each is a single-threaded solcjs compile, so two cores do two at a
    time instead of one (each test still waits for, and judges, its own)."""
    checks = {
        evm: subprocess.Popen(
            [sys.executable, str(ROOT / "contracts" / "build.py"), "--check", "--evm", evm],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for evm in EVM_VERSIONS
    }
    try:
        yield checks
    finally:
        for process in checks.values():
            if process.poll() is None:
                process.kill()
            process.communicate()


@pytest.mark.parametrize("evm", EVM_VERSIONS)
def test_committed_build_equals_a_fresh_compile(evm: str, fresh_compiles: dict[str, subprocess.Popen[str]]) -> None:
    stdout, stderr = fresh_compiles[evm].communicate(timeout=300)
    result = subprocess.CompletedProcess(fresh_compiles[evm].args, fresh_compiles[evm].returncode, stdout, stderr)
    assert result.returncode == 0, result.stderr + result.stdout
    assert f"({evm} build) matches a fresh compile" in result.stdout


def test_the_newer_builds_use_the_newer_opcodes_and_the_older_do_not() -> None:
    artifact = load_artifact()
    assert artifact["evmVersions"] == list(EVM_VERSIONS)
    assert artifact["openzeppelin"] == "5.4.0"  # 5.7's Bytes.sol needs MCOPY: no london/paris/shanghai build
    sizes = {evm: len(deployed_bytecode(evm)) for evm in EVM_VERSIONS}
    assert sizes["cancun"] < sizes["shanghai"] < sizes["paris"] == sizes["london"]


def test_a_build_is_recognised_with_its_immutables_filled_in() -> None:
    for evm in ("london", "shanghai", "cancun"):
        code = bytearray(deployed_bytecode(evm))
        for places in load_artifact()["builds"][evm]["immutableReferences"].values():
            for ref in places:
                code[ref["start"] : ref["start"] + ref["length"]] = b"\x5a" * ref["length"]
        assert build_of(bytes(code)) == evm
        code[len(code) // 2] ^= 0xFF
        assert build_of(bytes(code)) is None
    assert build_of(b"") is None
