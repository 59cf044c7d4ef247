"""Shared helpers for the core unit tests: test-vector parametrisation, deterministic batches, node.

Nothing here is autouse, and the fixtures have core-specific names, so other unit test modules are
unaffected. Test modules get everything through fixtures (no imports from this file), because several
``conftest`` modules share one import name.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"
NODE_DIR = ROOT / "tests" / "node"

# Moderate example counts keep the whole core suite well under 30 s; run with
# --hypothesis-profile=core-thorough for a deeper search.
settings.register_profile("core", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("core-thorough", max_examples=1000, deadline=None)
settings.load_profile("core")

# fixture name -> (vector file, section); pytest_generate_tests parametrises any test that asks for one.
_VECTOR_FIXTURES = {
    "valid_vector": ("proofs_valid.json", "cases"),
    "invalid_json_vector": ("proofs_invalid.json", "json"),
    "invalid_compact_vector": ("proofs_invalid.json", "compact"),
    "invalid_qr_vector": ("proofs_invalid.json", "qr"),
}


@cache
def _load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def _materialise(section: str, entry: dict[str, Any]) -> dict[str, Any]:
    """Add ``data``: the input an invalid-vector entry describes. JSON inputs are UTF-8 text (``input``) or
    ``hex``; compact inputs are ``hex``; QR inputs are ``text``; any may be ``repeat`` (prefix + unit * count,
    units are hex for compact inputs)."""
    if section == "cases":
        return entry
    if "repeat" in entry:
        r = entry["repeat"]
        text = r["prefix"] + r["unit"] * r["count"]
    else:
        text = entry.get("input", entry.get("text", entry.get("hex")))
    if section == "qr":
        data: bytes | str = text
    elif section == "compact" or "hex" in entry:
        data = bytes.fromhex(text)
    else:
        data = text.encode("utf-8")
    return {**entry, "data": data}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for fixture, (filename, section) in _VECTOR_FIXTURES.items():
        if fixture in metafunc.fixturenames:
            entries = _load(filename)[section]
            ids = [e.get("name") or e["spec"]["name"] for e in entries]
            metafunc.parametrize(fixture, [_materialise(section, e) for e in entries], ids=ids)


@pytest.fixture(scope="session")
def vector_file() -> Any:
    """Loader: ``vector_file("proofs_valid.json")`` -> the parsed file."""
    return _load


@pytest.fixture(scope="session")
def vector_generator() -> ModuleType:
    """tests/vectors/generate.py as a module: the one place that knows how vector batches are built."""
    spec = importlib.util.spec_from_file_location("notary_vectors_generate", VECTORS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses in the module look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def node_bin() -> str:
    """Path of ``node``; skips when node or the npm packages are missing."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@openzeppelin" / "merkle-tree").is_dir():
        pytest.skip("node and node_modules/@openzeppelin/merkle-tree are needed for the cross-check")
    return node


@pytest.fixture(scope="session")
def node_scripts() -> Path:
    return NODE_DIR
