"""Printing for the CLI: rich for people, one JSON object with --json for programs."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n")


def fail(message: str) -> None:
    """One readable line on stderr; the caller exits non-zero."""
    err_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
