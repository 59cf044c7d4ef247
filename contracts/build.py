"""Compile contracts/NotaryRegistry.sol with solcjs (via py-solc-x) into the committed artifact, once per EVM target.

Running the system never needs a compiler: it loads contracts/NotaryRegistry.json, which holds one build per EVM
version (london, paris, shanghai, cancun), because a chain that predates an opcode (PUSH0 in shanghai, MCOPY in
cancun) refuses or, worse, silently breaks on code that uses it. This script (``make contracts``) is only for
changing the contract; ``--check [--evm VERSION]`` compiles afresh and fails if the committed build differs,
which a test asserts for each target.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import solcx

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
NODE_MODULES = ROOT / "node_modules"
SOURCE = "contracts/NotaryRegistry.sol"
ARTIFACT = CONTRACTS / "NotaryRegistry.json"
WRAPPER = CONTRACTS / "solcjs.sh"
EVM_VERSIONS = ("london", "paris", "shanghai", "cancun")  # oldest first; the contract compiles unchanged for each
SETTINGS = {
    "optimizer": {"enabled": True, "runs": 10_000},
    "viaIR": False,
    "metadata": {"bytecodeHash": "none"},
    "outputSelection": {
        "*": {
            "*": [
                "abi",
                "evm.bytecode.object",
                "evm.deployedBytecode.object",
                "evm.deployedBytecode.immutableReferences",
            ]
        }
    },
}
_IMPORT = re.compile(r'^\s*import\s+(?:\{[^}]*\}\s+from\s+)?"([^"]+)"\s*;', re.MULTILINE)


def _resolve(name: str, importer: str) -> str:
    """Import path as solc names it: relative imports are resolved against the importing file."""
    return _normpath(importer.rsplit("/", 1)[0] + "/" + name) if name.startswith(".") else name


def _read(name: str) -> str:
    path = NODE_MODULES / name if name.startswith("@") else ROOT / name
    return path.read_text(encoding="utf-8")


def collect_sources() -> dict[str, dict[str, str]]:
    """Our source and every file it imports (transitively), keyed by import path, as standard JSON wants."""
    sources: dict[str, dict[str, str]] = {}
    todo = [SOURCE]
    while todo:
        name = todo.pop()
        if name in sources:
            continue
        text = _read(name)
        sources[name] = {"content": text}
        todo.extend(_resolve(imp, name) for imp in _IMPORT.findall(text))
    return dict(sorted(sources.items()))


def _normpath(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def compile_build(evm: str, sources: dict[str, dict[str, str]] | None = None) -> tuple[list[Any], dict[str, Any]]:
    """(abi, {bytecode, deployedBytecode}) of the contract compiled for one EVM version."""
    output = solcx.compile_standard(
        {"language": "Solidity", "sources": sources or collect_sources(), "settings": {**SETTINGS, "evmVersion": evm}},
        solc_binary=str(WRAPPER),
    )
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise SystemExit("\n".join(e.get("formattedMessage", str(e)) for e in errors))
    contract = output["contracts"][SOURCE]["NotaryRegistry"]
    deployed = contract["evm"]["deployedBytecode"]
    build = {
        "bytecode": "0x" + contract["evm"]["bytecode"]["object"],
        "deployedBytecode": "0x" + deployed["object"],
        # where the deployment writes its immutables into the runtime code (zeros here): a code check masks them
        "immutableReferences": deployed.get("immutableReferences", {}),
    }
    return contract["abi"], build


def compile_artifact(evms: tuple[str, ...] = EVM_VERSIONS) -> dict[str, Any]:
    sources = collect_sources()
    builds: dict[str, dict[str, Any]] = {}
    abis = []
    for evm in evms:
        contract_abi, builds[evm] = compile_build(evm, sources)
        abis.append(contract_abi)
    if any(a != abis[0] for a in abis):
        raise SystemExit("the ABI differs between EVM versions")
    return {**_shared(sources), "abi": abis[0], "evmVersions": list(evms), "builds": builds}


def _shared(sources: dict[str, dict[str, str]]) -> dict[str, Any]:
    """What every build shares: compiler, settings, OpenZeppelin version and the hashes of the sources."""
    package = json.loads((NODE_MODULES / "@openzeppelin/contracts/package.json").read_text())
    return {
        "contractName": "NotaryRegistry",
        "compiler": {"name": "solcjs", "version": _compiler_version(), "settings": SETTINGS},
        "openzeppelin": package["version"],
        "sourceSha256": {name: hashlib.sha256(src["content"].encode()).hexdigest() for name, src in sources.items()},
    }


def _compiler_version() -> str:
    out = subprocess.run([str(WRAPPER), "--version"], capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1]


def render(artifact: dict[str, Any]) -> str:
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def check(evm: str | None) -> int:
    """Compare the committed artifact with a fresh compile: everything, or one EVM build and the shared parts."""
    if not ARTIFACT.exists():
        print(f"{ARTIFACT.relative_to(ROOT)} is missing: run `make contracts`", file=sys.stderr)
        return 1
    committed = json.loads(ARTIFACT.read_text())
    if evm is None:
        stale = ARTIFACT.read_text() != render(compile_artifact())
    else:
        sources = collect_sources()
        contract_abi, build = compile_build(evm, sources)
        shared = _shared(sources)
        stale = (
            committed.get("builds", {}).get(evm) != build
            or committed.get("abi") != contract_abi
            or committed.get("evmVersions") != list(EVM_VERSIONS)
            or any(committed.get(k) != v for k, v in shared.items())
        )
    what = f"{ARTIFACT.relative_to(ROOT)}" + (f" ({evm} build)" if evm else "")
    if stale:
        print(f"{what} is stale: run `make contracts`", file=sys.stderr)
        return 1
    print(f"{what} matches a fresh compile")
    return 0


def main(argv: list[str]) -> int:
    evm = argv[argv.index("--evm") + 1] if "--evm" in argv else None
    if evm is not None and evm not in EVM_VERSIONS:
        print(f"--evm must be one of {', '.join(EVM_VERSIONS)}", file=sys.stderr)
        return 2
    if "--check" in argv:
        return check(evm)
    ARTIFACT.write_text(render(compile_artifact()))
    print(f"wrote {ARTIFACT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
