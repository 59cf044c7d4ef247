"""Compile contracts/NotaryRegistry.sol with solcjs (via py-solc-x) into the committed artifact.

Running the system never needs a compiler: it loads contracts/NotaryRegistry.json. This script (``make
contracts``) is only for changing the contract; ``--check`` compiles afresh and fails if the committed artifact
differs, which a test asserts.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import solcx

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
NODE_MODULES = ROOT / "node_modules"
SOURCE = "contracts/NotaryRegistry.sol"
ARTIFACT = CONTRACTS / "NotaryRegistry.json"
WRAPPER = CONTRACTS / "solcjs.sh"
SETTINGS = {
    "optimizer": {"enabled": True, "runs": 10_000},
    "evmVersion": "cancun",
    "viaIR": False,
    "metadata": {"bytecodeHash": "none"},
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
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


def compile_artifact() -> dict[str, object]:
    sources = collect_sources()
    output = solcx.compile_standard(
        {"language": "Solidity", "sources": sources, "settings": SETTINGS},
        solc_binary=str(WRAPPER),
    )
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise SystemExit("\n".join(e.get("formattedMessage", str(e)) for e in errors))
    contract = output["contracts"][SOURCE]["NotaryRegistry"]
    version = _compiler_version()
    package = json.loads((NODE_MODULES / "@openzeppelin/contracts/package.json").read_text())
    return {
        "contractName": "NotaryRegistry",
        "compiler": {"name": "solcjs", "version": version, "settings": SETTINGS},
        "openzeppelin": package["version"],
        "sourceSha256": {name: hashlib.sha256(src["content"].encode()).hexdigest() for name, src in sources.items()},
        "abi": contract["abi"],
        "bytecode": "0x" + contract["evm"]["bytecode"]["object"],
        "deployedBytecode": "0x" + contract["evm"]["deployedBytecode"]["object"],
    }


def _compiler_version() -> str:
    out = subprocess.run([str(WRAPPER), "--version"], capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1]


def render(artifact: dict[str, object]) -> str:
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    fresh = render(compile_artifact())
    if "--check" in argv:
        if not ARTIFACT.exists() or ARTIFACT.read_text() != fresh:
            print(f"{ARTIFACT.relative_to(ROOT)} is stale: run `make contracts`", file=sys.stderr)
            return 1
        print(f"{ARTIFACT.relative_to(ROOT)} matches a fresh compile")
        return 0
    ARTIFACT.write_text(fresh)
    print(f"wrote {ARTIFACT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
