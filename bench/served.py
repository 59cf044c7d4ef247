"""`notary serve` started the way an operator starts it, for the benchmarks that load the web verifier."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def start_serve(
    port: int, env: dict[str, str], log_path: Path, workers: int, extra_args: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    """The server, once its /healthz answers 200 (SystemExit with its log's tail if it never does)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--no-access-log", *extra_args],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_path.open("wb"),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            stop_serve(server)
            raise SystemExit("the server did not become healthy:\n" + log_path.read_text(errors="replace")[-2000:])
        time.sleep(0.2)


def stop_serve(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0
