"""The committed, compiled NotaryRegistry artifact: running the system never needs a Solidity compiler.

It holds one build per EVM version, because chains a city runs are not all on the newest hardfork: code that
uses PUSH0 (shanghai) fails to deploy on london/paris, and code that uses MCOPY (cancun) deploys on shanghai but
then fails in the very views a verifier calls.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from notary.errors import ConfigError

ARTIFACT_PATH = Path(__file__).resolve().parents[2] / "contracts" / "NotaryRegistry.json"
EVM_VERSIONS = ("london", "paris", "shanghai", "cancun")  # oldest first, as the chain's opcodes grow
DEFAULT_EVM = "cancun"  # for in-process chains, which run the newest rules


@lru_cache(maxsize=1)
def load_artifact() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ARTIFACT_PATH.read_text(encoding="utf-8"))
    return data


def abi() -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = load_artifact()["abi"]
    return result


def check_evm_version(evm: str) -> str:
    if evm not in EVM_VERSIONS:
        raise ConfigError(f"unknown EVM version {evm!r}: use one of {', '.join(EVM_VERSIONS)}")
    return evm


def bytecode(evm: str = DEFAULT_EVM) -> str:
    """Creation code of the build for ``evm``."""
    result: str = load_artifact()["builds"][check_evm_version(evm)]["bytecode"]
    return result


def deployed_bytecode(evm: str) -> bytes:
    return bytes.fromhex(load_artifact()["builds"][check_evm_version(evm)]["deployedBytecode"][2:])


def build_of(code: bytes) -> str | None:
    """Which of our builds ``code`` (a registry's runtime code on chain) is, or None if none.

    Immutables (the EIP-712 domain cached at deployment) differ per deployment; the compiler leaves them as zeros
    in the artifact, so they are zeroed in ``code`` too before comparing. london and paris compile to the same
    code; the older name is reported, since it runs on both."""
    for evm in EVM_VERSIONS:
        expected = deployed_bytecode(evm)
        if len(code) != len(expected):
            continue
        masked = bytearray(code)
        for start, length in _immutables(evm):
            masked[start : start + length] = bytes(length)
        if bytes(masked) == expected:
            return evm
    return None


def _immutables(evm: str) -> list[tuple[int, int]]:
    refs: dict[str, list[dict[str, int]]] = load_artifact()["builds"][evm].get("immutableReferences", {})
    return [(ref["start"], ref["length"]) for places in refs.values() for ref in places]
