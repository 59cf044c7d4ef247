"""Benchmark: the QR work of issuing one document, before and after the speed work of issue 10.

    .venv/bin/python bench/qr_speed.py [--texts N] [--runs 5] [--baseline REV]

Per QR text length (a batch of 1, of 1,000, the key-facts vector of P§12; each also with the verifier URL
before it, stamp version 2) it times, in microseconds per call:

* ``choose``: ``choose_qr_params`` (version and mask choice) on texts it has not seen (as every document's);
* ``per_document``: the choice, then ``qr_modules`` for the symbol the stamp draws (as the stamp does);
* ``base45``: encoding a compact proof of the matching size (``qr_payload``), against the base45 package.

"before" is the encoder of ``--baseline`` (a git revision, default the one before this work) loaded from git
into its own module. Each figure is the median of ``--runs`` runs of a ``time.process_time`` loop over
``--texts`` fresh texts; before and after alternate run by run, so both see the same load of a shared machine.
Both must give the same (version, mask), symbols and base45 text on every text, else exit 1.
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

import base45

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from notary.core.qr_payload import b45encode  # noqa: E402
from notary.pdf import qr_symbol  # noqa: E402

BASELINE = "a94c16e"
"""The QR encoder before this round's speed work (issue 10)."""
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


def per_document(module: ModuleType) -> Callable[[str], object]:
    def run(text: str) -> object:
        version, mask = module.choose_qr_params(text, "M")
        return module.qr_modules(text, version, "M", mask)

    return run


def paired_us(before: Callable[[Any], object], after: Callable[[Any], object], runs: list[list[Any]]) -> list[float]:
    """[before, after, speed-up]: median over the runs of the CPU microseconds per call, alternating run by run."""
    before(runs[0][0])  # what is per version (templates, tables) is built once per process
    after(runs[0][0])
    times: tuple[list[float], list[float]] = ([], [])
    for inputs in runs:
        for fn, out in ((before, times[0]), (after, times[1])):
            start = time.process_time()
            for item in inputs:
                fn(item)
            out.append((time.process_time() - start) / len(inputs) * 1e6)
    b, a = statistics.median(times[0]), statistics.median(times[1])
    return [round(b, 1), round(a, 1), round(b / a, 2)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=200, help="fresh texts per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args()
    before = load_baseline(args.baseline)
    rng = random.Random(2060)
    out: dict[str, Any] = {
        "unit": "us per call, CPU (process_time), median of runs",
        "runs": args.runs,
        "texts_per_run": args.texts,
        "baseline": args.baseline,
        "columns": ["before", "after", "speedup"],
    }
    same = True
    for name, length in LENGTHS.items():
        for url in ("", URL):
            chars = qr_symbol.ALPHANUMERIC_CHARSET
            runs = [
                [url + "NT1:" + "".join(rng.choices(chars, k=length - 4)) for _ in range(args.texts)]
                for _ in range(args.runs + 1)
            ]
            for text in runs[0][:20]:
                version, mask = qr_symbol.choose_qr_params(text)
                same &= (version, mask) == before.choose_qr_params(text)
                ours, theirs = (
                    qr_symbol.qr_modules(text, version, "M", mask),
                    before.qr_modules(text, version, "M", mask),
                )
                same &= (ours.modules, ours.stride, ours.size) == (theirs.modules, theirs.stride, theirs.size)
            row: dict[str, Any] = {"chars": len(runs[0][0]), "qr_version": qr_symbol.smallest_version(runs[0][0])}
            row["choose"] = paired_us(
                lambda t: before.choose_qr_params(t, "M"), lambda t: qr_symbol.choose_qr_params(t, "M"), runs[1:]
            )
            fresh = [[t[:-1] + ("A" if t[-1] != "A" else "B") for t in texts] for texts in runs[1:]]
            row["per_document"] = paired_us(per_document(before), per_document(qr_symbol), fresh)
            key = name + ("_url" if url else "")
            out[key] = row
            print(f"{key}: {row}", file=sys.stderr)
        proofs = [[rng.randbytes(length * 2 // 3) for _ in range(args.texts)] for _ in range(args.runs)]
        same &= all(b45encode(p) == base45.b45encode(p).decode("ascii") for p in proofs[0])
        out[name]["base45"] = paired_us(lambda p: base45.b45encode(p).decode("ascii"), b45encode, proofs)
    out["same_output"] = same
    print(json.dumps(out))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
