"""Bulk issuance end to end, the way `notary issue DIR` does it: the command itself is run (in this process,
through the CLI's own argument parsing and settings, so the imports are not timed but everything after is)
against the managed anvil with a keystore key, a notary.toml and `chain = "local"` — so the per-anchor state
persist, the journal's durability and the output writes are exactly the CLI's.

Inputs are cold: the page cache is dropped when the machine allows it (root: /proc/sys/vm/drop_caches), and
every input file is evicted with posix_fadvise(DONTNEED) in any case; the JSON says what worked.

Run: .venv/bin/python bench/issue_bulk.py --docs 10000   (the corpus is generated once and cached in /tmp)
The last line is one JSON object: docs_per_s, stages_s (wall time of the issuing process by the stage it was
in, from the NOTARY_STAGE_TRACE hook, else from sampling its stack), stages_cpu_s (CPU seconds of the issuing
process and of its workers by that same stage: the workers stamp one batch while the next is signed and anchored,
so their CPU shows under sign/send/mined too), cpu_s (issuing process, workers, node: the run alone),
rss_mb (peak of the process tree: issuing process, its workers and the anvil node).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import corpus  # noqa: E402

PASSWORD = "bench password 1234"
STAGES = ("prepare", "journal", "sign", "send", "mined", "stamp", "write")
# Fallback stage of a stack sample: the innermost frame whose function name is listed here.
_FRAME_STAGES = {
    "prepare": "prepare", "_submit_prepare": "prepare", "_prepare": "journal", "add_docs": "journal",
    "unbatched": "journal", "create_batch": "journal", "sign_batch": "sign", "sign_anchor": "sign",
    "broadcast": "send", "wait_mined": "mined", "persist_or_wait": "persist", "persist": "persist",
    "_stamp": "stamp", "mark_written": "write", "_resume": "resume", "write_reports": "report",
    "open_registry": "setup", "load_signer": "setup",
}  # fmt: skip


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (children from /proc/PID/task/TID/children,
    so sampling costs little beside the run it measures)."""
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                todo.extend(int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split())
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


class Watcher(threading.Thread):
    """Samples, every 20 ms: the process tree's memory, new lines of the stage trace (stamped with the time
    they were seen) and the main thread's stack (the fallback when the CLI writes no trace)."""

    def __init__(self, trace: Path, node_pid: int | None = None) -> None:
        super().__init__(daemon=True)
        self.trace, self.main, self.node_pid = trace, threading.main_thread().ident, node_pid
        self.peak_mb = 0.0
        self.lines: list[tuple[float, str]] = []
        self.cpu: list[tuple[float, float]] = []
        """(issuing process, its workers) CPU seconds when each trace line was seen (the node left out)."""
        self.cpu_started = self.cpu_now()
        self.samples: Counter[str] = Counter()
        self.interval = 0.02  # stages last seconds; a finer clock only takes CPU from the run it measures
        self.running = True

    def run(self) -> None:
        offset, partial, last_rss = 0, b"", 0.0
        while self.running:
            now = time.perf_counter()
            if now - last_rss > 0.2:
                self.peak_mb, last_rss = max(self.peak_mb, tree_rss_mb(os.getpid())), now
            try:
                with self.trace.open("rb") as handle:
                    handle.seek(offset)
                    chunk = handle.read()
                offset += len(chunk)
                *complete, partial = (partial + chunk).split(b"\n")
                seen = [(now, line.decode(errors="replace")) for line in complete if line.strip()]
                if seen:
                    self.lines += seen
                    self.cpu += [self.cpu_now()] * len(seen)
            except FileNotFoundError:
                pass
            if not self.lines:  # the fallback only; sampling a busy interpreter's stack costs it the GIL
                frame = sys._current_frames().get(self.main or 0)
                while frame is not None and frame.f_code.co_name not in _FRAME_STAGES:
                    frame = frame.f_back
                self.samples[_FRAME_STAGES[frame.f_code.co_name] if frame else "other"] += 1
            time.sleep(self.interval)

    def cpu_now(self) -> tuple[float, float]:
        """CPU seconds so far of this process (the CLI runs in it) and of its live descendants but the node."""
        workers, todo = 0.0, [os.getpid()]
        while todo:
            current = todo.pop()
            try:
                for task in os.listdir(f"/proc/{current}/task"):
                    todo.extend(int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split())
                if current not in (os.getpid(), self.node_pid):
                    fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
                    workers += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, ValueError):
                continue
        return time.process_time(), workers

    def stages_cpu(self, ended: tuple[float, float]) -> dict[str, dict[str, float]]:
        """CPU seconds per stage, issuing process and workers, from one trace line to the next as the watcher saw
        them (every 20 ms; a worker's last moments before it exits are not seen)."""
        spent: dict[str, dict[str, float]] = {}
        marks = [("startup", self.cpu_started)]
        marks += [(line.split()[0], cpu) for (_, line), cpu in zip(self.lines, self.cpu, strict=True)]
        for (stage, (own, workers)), (_, (own_next, workers_next)) in itertools.pairwise([*marks, ("end", ended)]):
            counter = spent.setdefault(stage, {"issuing": 0.0, "workers": 0.0})
            counter["issuing"] += own_next - own
            counter["workers"] += max(0.0, workers_next - workers)
        return {stage: {k: round(v, 2) for k, v in c.items()} for stage, c in spent.items()}

    def stages(self, started: float, ended: float) -> tuple[str, dict[str, float]]:
        """Seconds per stage: from each trace line to the next (the last to the end), else the samples."""
        if self.lines:
            spent = {"startup": max(0.0, self.lines[0][0] - started)}
            marks = [*self.lines, (ended, "end")]
            for (at, line), (until, _) in itertools.pairwise(marks):
                spent[line.split()[0]] = spent.get(line.split()[0], 0.0) + until - at
            return "NOTARY_STAGE_TRACE", {k: round(v, 2) for k, v in spent.items()}
        total = sum(self.samples.values()) or 1
        return "stack samples of the issuing process", {
            k: round((ended - started) * n / total, 2) for k, n in self.samples.most_common()
        }


def cpu_seconds(chain: object) -> float:
    """CPU time (user + system) the anvil node has used so far."""
    pid = getattr(chain, "pid", None)
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def hash_floor(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        hashlib.sha256(path.read_bytes()).digest()
    return time.perf_counter() - started


def make_cold(files: list[Path]) -> dict[str, object]:
    """Evict the inputs from the page cache: drop it whole if allowed (root), and fadvise each file anyway."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        dropped: object = True
    except OSError as exc:
        dropped = f"no ({exc.strerror})"
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return {"page_cache_dropped": dropped, "inputs_evicted": "posix_fadvise(DONTNEED) per file",
            "inputs_resident_kb": resident_kb(files[:: max(1, len(files) // 50)])}  # fmt: skip


def resident_kb(files: list[Path]) -> int | None:
    """Page-cache residency of a sample of the inputs (util-linux fincore), to show they really are cold."""
    if shutil.which("fincore") is None:
        return None
    result = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", *map(str, files)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    return sum(int(x) for x in result.stdout.split() if x.isdigit()) // 1024


def setup(work: Path) -> dict[str, str]:
    """A managed anvil, a registry, a keystore issuer key and the notary.toml a user would have."""
    from eth_account import Account

    from notary import localchain
    from notary.chain import Registry, connect, fund_dev_account
    from notary.config import write_config
    from notary.keys import create_key

    data = work / ".notary"
    chain = localchain.up(data, port=localchain.free_port())
    w3 = connect(chain.url)
    admin = Account.create()
    key = create_key(data, "issuer", PASSWORD)  # the default scrypt cost: unlocking it is part of the run
    for address in (admin.address, key.address):
        fund_dev_account(w3, address)
    registry, _ = Registry.deploy(w3, admin)
    registry.add_issuer(admin, key.address, "Stadt Mannheim – Bürgerservice")
    (work / "password").write_text(PASSWORD)
    write_config(work / "notary.toml", {
        "data_dir": ".notary", "chain": "local", "registry": registry.address,
        "key_file": ".notary/keys/issuer.json", "key_password_file": "password",
    })  # fmt: skip
    return {"NOTARY_CONFIG": str(work / "notary.toml"), "NOTARY_STAGE_TRACE": str(work / "stages.trace")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=None, help="the CLI's --workers (default: its own)")
    parser.add_argument("--seal", choices=("none", "B-B", "B-T"), default="none",
                        help="seal every copy (test PKI; B-T: a local RFC 3161 service), docs/seal.md")  # fmt: skip
    args = parser.parse_args()
    src = corpus(args.docs)
    files = sorted(src.rglob("*.pdf"))
    floor = hash_floor(files)
    imported = time.perf_counter()
    from cli.main import app
    from notary import localchain

    import_s = time.perf_counter() - imported
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        work = Path(tmp)
        os.environ.update(setup(work))
        cold = make_cold(files)
        out = work / "out"
        argv = ["issue", str(src), "--out", str(out), "--type", "zeugnis", "--title", "Abschlusszeugnis",
                "--holder", "Schülerin", "--batch-size", str(args.batch_size), "--json"]  # fmt: skip
        argv += ["--workers", str(args.workers)] if args.workers else []
        tsa = contextlib.ExitStack()
        if args.seal != "none":  # the city's seal (H): a fresh test PKI, the TSA in this process
            from tests.pki import P12_PASSWORD, Pki, timestamp_service

            pki = Pki.build()
            paths = pki.write(work / "pki")
            (work / "pki" / "pw").write_bytes(P12_PASSWORD)
            argv += ["--seal", str(paths["seal"]), "--seal-password-file", str(work / "pki" / "pw")]
            if args.seal == "B-T":
                argv += ["--seal-tsa", tsa.enter_context(timestamp_service(pki))]
        watcher = Watcher(work / "stages.trace", getattr(localchain.running(work / ".notary"), "pid", None))
        watcher.start()
        cwd = os.getcwd()
        os.chdir(work)
        own_before, children_before = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        started = time.perf_counter()
        try:
            app(argv, prog_name="notary", standalone_mode=False)
        finally:
            seconds = time.perf_counter() - started
            os.chdir(cwd)
            cpu_ended = watcher.cpu_now()
            watcher.running = False
            watcher.join()
            node_cpu = cpu_seconds(localchain.running(work / ".notary"))
            localchain.down(work / ".notary")
            tsa.close()
        outputs = sum(1 for _ in out.rglob("*.pdf"))
        own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        own_s = _cpu(own) - _cpu(own_before)  # the run alone: not the corpus, the hash floor or the chain's setup
        workers_s = _cpu(workers) - _cpu(children_before) - node_cpu
        # a seal that silently failed would make the sealed figure an unsealed one: count the PAdES signatures
        sealed = sum(1 for p in out.rglob("*.pdf") if b"/ETSI.CAdES.detached" in p.read_bytes())
        source, stages = watcher.stages(started, started + seconds)
    if outputs != args.docs:
        raise SystemExit(f"only {outputs} of {args.docs} notarised PDFs were written")
    if args.seal != "none" and sealed != args.docs:
        raise SystemExit(f"only {sealed} of {args.docs} PDFs carry a seal")
    print(f"hash-only floor (read + SHA-256, warm cache): {floor:.2f} s = {args.docs / floor:,.0f} docs/s")
    print(f"reproduce: .venv/bin/python bench/issue_bulk.py --docs {args.docs} --seal {args.seal}")
    print(json.dumps({
        "docs": args.docs, "seconds": round(seconds, 2), "docs_per_s": round(args.docs / seconds, 1),
        "rss_mb": round(watcher.peak_mb, 1), "stages_s": stages, "stages_from": source,
        "stages_cpu_s": watcher.stages_cpu(cpu_ended),
        "cpu_s": {"issuing_process": round(own_s, 2), "node": round(node_cpu, 2), "workers": round(workers_s, 2)},
        "cpu_ms_per_doc": round(1000 * (own_s + node_cpu + workers_s) / args.docs, 3),
        "cli_import_s_untimed": round(import_s, 2), "cold_inputs": cold, "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2), "batch_size": args.batch_size,
        "hash_floor_docs_per_s": round(args.docs / floor), "seal": args.seal,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
