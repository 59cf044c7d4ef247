"""The committed, compiled NotaryRegistry artifact: running the system never needs a Solidity compiler."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

ARTIFACT_PATH = Path(__file__).resolve().parents[2] / "contracts" / "NotaryRegistry.json"


@lru_cache(maxsize=1)
def load_artifact() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ARTIFACT_PATH.read_text(encoding="utf-8"))
    return data


def abi() -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = load_artifact()["abi"]
    return result


def bytecode() -> str:
    result: str = load_artifact()["bytecode"]
    return result
