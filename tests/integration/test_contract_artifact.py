"""The committed artifact holds, for each EVM target, exactly what the committed source compiles to (running
never needs a compiler), and each build's runtime code is recognised as ours, whatever the deployment wrote into
its immutables."""

from __future__ import annotations

import subprocess
import sys

import pytest

from notary.chain.artifact import EVM_VERSIONS, build_of, deployed_bytecode, load_artifact
from tests.conftest import ROOT


@pytest.mark.parametrize("evm", EVM_VERSIONS)
def test_committed_build_equals_a_fresh_compile(evm: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "contracts" / "build.py"), "--check", "--evm", evm],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
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
