"""Printing for the CLI: rich for people, one JSON object with --json for programs.

Both consoles print text as it is (no rich markup): what they print is full of data from outside — claims,
names, paths, error messages — and "Lena Müller [geb. Schmidt]" must come out whole. Styling is given
explicitly (``style=`` or a :class:`rich.text.Text`), never by markup in the string.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.text import Text

console = Console(highlight=False, soft_wrap=True, markup=False)
err_console = Console(stderr=True, highlight=False, markup=False)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n")


def fail(message: str) -> None:
    """One readable line on stderr; the caller exits non-zero. Never raises for what the message contains."""
    try:
        err_console.print(Text.assemble(("error:", "bold red"), " ", str(message)), soft_wrap=True)
    except Exception:  # the last line of defence must not become a traceback
        sys.stderr.write(f"error: {message!r}\n")
