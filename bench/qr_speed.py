"""Benchmark: choosing the QR version and mask (``choose_qr_params``) and building the symbol, per document.

    .venv/bin/python bench/qr_speed.py [--rounds N] [--baseline REV]

Every round gets a QR text of its own (as every document of a batch does), so no per-text cache answers.
The encoder of ``--baseline`` (a git revision; default: the last one before the speed-up) is loaded from git
into its own module and timed in the same run on the same texts, alternately text by text, so "before" and
"after" share the machine's load. CPU time (``time.process_time``), median of N rounds, for the payload lengths
of a batch of 1, 1,000 and the key-facts vector (P§12). Both encoders must agree on every (version, mask) and
matrix, else exit 1. "per_document" is what issuing one document costs in the encoder: the choice, then the
symbol the stamp draws. Alternating also makes each encoder's tables leave the CPU cache between texts (as the
rest of issuing does); "_alone" times each encoder over all texts in a row (warm cache).
The LAST line is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from notary.pdf import qr_symbol  # noqa: E402

BASELINE = "d1d30d6"
"""The tree before the mask-choice speed-up (issue 10)."""
LENGTHS = {"batch_1": 411, "batch_1000": 907, "facts": 1015}
URL = "https://verify.example/#"


def load_baseline(rev: str) -> ModuleType:
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:notary/pdf/qr_symbol.py"], capture_output=True, check=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "qr_symbol_baseline.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("qr_symbol_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def paired_median_ms(
    before: Callable[[str], object], after: Callable[[str], object], texts: list[str]
) -> tuple[float, float]:
    """Median ms of each, timed alternately text by text, so both see the same load of a shared machine."""
    before(texts[0])  # what is per version (templates, tables) is built once per run
    after(texts[0])
    times: tuple[list[float], list[float]] = ([], [])
    for text in texts[1:]:
        for fn, out in ((before, times[0]), (after, times[1])):
            start = time.process_time()
            fn(text)
            out.append(time.process_time() - start)
    return round(statistics.median(times[0]) * 1000, 4), round(statistics.median(times[1]) * 1000, 4)


def alone_ms(fn: Callable[[str], object], texts: list[str]) -> float:
    """Median ms of ``fn`` over the texts in a row: its tables stay in the CPU cache from one text to the next."""
    fn(texts[0])
    times = []
    for text in texts[1:]:
        start = time.process_time()
        fn(text)
        times.append(time.process_time() - start)
    return round(statistics.median(times) * 1000, 4)


def per_document(module: ModuleType) -> Callable[[str], object]:
    """What issuing one document costs in the QR encoder: choose (version, mask), then the symbol to draw."""

    def run(text: str) -> object:
        version, mask = module.choose_qr_params(text, "M")
        return module.qr_modules(text, version, "M", mask)

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args()
    before = load_baseline(args.baseline)
    rng = random.Random(2060)
    out: dict[str, Any] = {"rounds": args.rounds, "baseline": args.baseline, "clock": "process_time"}
    agree = True
    for name, length in LENGTHS.items():
        chars = qr_symbol.ALPHANUMERIC_CHARSET
        texts = ["NT1:" + "".join(rng.choice(chars) for _ in range(length - 4)) for _ in range(args.rounds + 1)]
        for text in texts[:20]:
            version, mask = qr_symbol.choose_qr_params(text)
            agree &= (version, mask) == before.choose_qr_params(text)
            agree &= qr_symbol.qr_matrix(text, version, "M", mask) == before.qr_matrix(text, version, "M", mask)
        row: dict[str, Any] = {"chars": length, "qr_version": qr_symbol.smallest_version(texts[0])}
        row["choose_ms_before"], row["choose_ms_after"] = paired_median_ms(
            lambda t: before.choose_qr_params(t, "M"), lambda t: qr_symbol.choose_qr_params(t, "M"), texts
        )
        row["per_document_ms_before"], row["per_document_ms_after"] = paired_median_ms(
            per_document(before),
            per_document(qr_symbol),
            [*texts[1:], texts[0]],  # not cached by the choice above
        )
        row["speedup"] = round(row["per_document_ms_before"] / row["per_document_ms_after"], 2)
        fresh = [t[:-1] + ("A" if t[-1] != "A" else "B") for t in texts]  # not in any per-text cache
        row["per_document_ms_before_alone"] = alone_ms(per_document(before), fresh)
        row["per_document_ms_after_alone"] = alone_ms(per_document(qr_symbol), fresh)
        row["speedup_alone"] = round(row["per_document_ms_before_alone"] / row["per_document_ms_after_alone"], 2)
        out[name] = row
        print(f"{name}: {row}", file=sys.stderr)
    out["same_output"] = agree
    print(json.dumps(out))
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
