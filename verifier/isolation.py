"""Untrusted bytes are parsed in worker processes that can be killed, never in the process that serves.

Why processes: a crafted PDF can keep pypdf busy for seconds and a crafted image can keep libjpeg or zxing-cpp
busy in C code; a thread can be neither stopped safely nor bounded in memory. A worker process runs the parse
stage of the pipeline (PDF parsing and the update regeneration check, image decoding and the QR search, payload
decoding: :func:`verifier.pipeline.prepare_pdf` and friends) and sends back a small plain JSON reply (the
proof's canonical JSON and the check results). The caller then does the chain checks itself
(:meth:`verifier.pipeline.Verifier.finish`).

Bounds: ``size`` long-lived workers (no process start per request: they are forked from a forkserver that has
the parsing libraries imported), each with an address-space limit and a CPU-time limit per job set in the child
(RLIMIT_AS, RLIMIT_CPU), no file writes (RLIMIT_FSIZE 0). A job waits at most ``queue_wait`` seconds for a
worker (then :class:`Busy`); at most ``queue_size`` jobs wait at all (beyond that :class:`Busy` at once). A
job still running after its time limit gets its worker killed (:class:`TimedOut`); a worker that dies on its own
(out of memory, a crash, the CPU limit) gives :class:`WorkerDied` for that job only. Either way a fresh worker
takes its place before the next job: nothing can hang or shrink the pool.

The parent side is one plain thread per worker that only waits on the worker's pipe: no exception is ever
forced into a thread.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import json
import logging
import math
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Literal

from notary.core import Proof
from notary.errors import FormatError
from verifier.pipeline import (
    ORDER,
    Prepared,
    format_failure,
    prepare_image,
    prepare_payload,
    prepare_pdf,
    prepare_pdf_with_proof,
)
from verifier.result import SOURCES, CheckResult, Reason, Status, Verdict, VerificationResult
from verifier.trust import TrustList

log = logging.getLogger("verifier.isolation")

Kind = Literal["pdf", "pdf+proof", "image", "payload"]
MIB = 1024 * 1024
MAX_PREVIEW_BYTES = 512 * 1024  # a page-1 preview PNG bigger than this is left out (the verdict does not need it)
MAX_REPLY_BYTES = 1 * MIB  # a proof (<= 64 KiB of JSON) and a preview in base64; anything bigger is a broken worker
LIFETIME_CPU_SECONDS = 3600  # hard RLIMIT_CPU of a worker; it retires long before (RETIRE_CPU_SECONDS)
RETIRE_CPU_SECONDS = 1800
RETIRE_JOBS = 50_000  # a fresh worker now and then: whatever a long life leaks (fragmentation) goes with it
START_METHOD = "forkserver"
START_SECONDS = 60.0  # a worker's own start-up (generous: a loaded machine, the forkserver's first imports)
READY = b"ready"


class Busy(Exception):
    """No worker became free in time (or too many jobs wait already)."""


class TimedOut(Exception):
    """The job ran past its time limit; its worker was killed. ``cpu_seconds``: the computing time the worker
    spent on the job (None when it cannot be told): far below the wall time, the job was starved by a loaded
    machine rather than hostile."""

    def __init__(self, cpu_seconds: float | None = None) -> None:
        super().__init__()
        self.cpu_seconds = cpu_seconds


class WorkerDied(Exception):
    """The worker died during the job (memory or CPU limit, a crash) or sent something unreadable."""


@dataclass(frozen=True)
class Limits:
    timeout: float = 1.5  # wall-clock seconds per job, counted from when a worker receives it
    memory_bytes: int = 1024 * MIB  # RLIMIT_AS of a worker (its own baseline is about 100 MiB)
    cpu_seconds: float = 5.0  # RLIMIT_CPU per job, a backstop behind ``timeout`` (which the parent enforces)


@dataclass
class _Task:
    kind: Kind
    data: bytes
    extra: bytes | None
    timeout: float
    queued_at: float
    preview: bool = False
    future: Future[Prepared] = field(default_factory=Future)


class WorkerPool:
    """``size`` worker processes parsing untrusted input for ``trust``. Thread-safe; usable from asyncio."""

    def __init__(
        self,
        trust: TrustList,
        size: int = 2,
        *,
        limits: Limits | None = None,
        queue_size: int = 16,
        queue_wait: float = 5.0,
        start_method: str = START_METHOD,
    ) -> None:
        self.trust = trust
        self.limits = limits or Limits()
        self.queue_wait = queue_wait
        self.replaced = 0  # workers killed or found dead and replaced (for operators and benchmarks)
        self._context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            # the forkserver imports the parsers once; every worker forked from it starts warm
            self._context.set_forkserver_preload(_preload())
        self._capacity = size + queue_size  # running + waiting
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._tasks: queue.Queue[_Task | None] = queue.Queue()
        self._closed = False
        self._slots = [_Slot(self, i) for i in range(size)]
        for slot in self._slots:
            slot.start()
        _open_pools.add(self)

    # ------------------------------------------------------------------ submitting

    def submit(
        self,
        kind: Kind,
        data: bytes,
        extra: bytes | None = None,
        timeout: float | None = None,
        *,
        preview: bool = False,
    ) -> Future[Prepared]:
        """Queue a job; the future gives the Prepared or raises Busy, TimedOut or WorkerDied. ``preview``: also
        render page 1 of a PDF (Prepared.preview_png)."""
        if self._closed:
            raise Busy()
        task = _Task(kind, data, extra, timeout or self.limits.timeout, time.monotonic(), preview)
        with self._pending_lock:
            if self._pending >= self._capacity:
                raise Busy()
            self._pending += 1
        task.future.add_done_callback(self._settled)
        self._tasks.put(task)
        return task.future

    def _settled(self, _: Future[Prepared]) -> None:
        with self._pending_lock:
            self._pending -= 1

    def run(
        self,
        kind: Kind,
        data: bytes,
        extra: bytes | None = None,
        timeout: float | None = None,
        *,
        preview: bool = False,
    ) -> Prepared:
        """Blocking: the parse stage of one input in a worker."""
        return self.submit(kind, data, extra, timeout, preview=preview).result()

    async def run_async(
        self,
        kind: Kind,
        data: bytes,
        extra: bytes | None = None,
        timeout: float | None = None,
        *,
        preview: bool = False,
    ) -> Prepared:
        future = self.submit(kind, data, extra, timeout, preview=preview)
        # every path through a slot settles the future (queue wait + time limit + a worker restart); the
        # bound here only guards against a bug in that promise
        limit = self.queue_wait + (timeout or self.limits.timeout) + 30.0
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), limit)
        except TimeoutError:
            future.cancel()
            raise TimedOut() from None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for _ in self._slots:
            self._tasks.put(None)
        for slot in self._slots:
            slot.stop()
        for slot in self._slots:
            # a thread left running at interpreter exit makes zxing-cpp's bindings report leaks on stderr
            slot.join(5)
        while True:  # whatever still waits gets an answer, not a future that never settles
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                break
            if task is not None and task.future.set_running_or_notify_cancel():
                task.future.set_exception(Busy())


class _Slot(threading.Thread):
    """One worker process and the parent-side thread that feeds it, waits for it, and replaces it."""

    def __init__(self, pool: WorkerPool, index: int) -> None:
        super().__init__(name=f"isolation-{index}", daemon=True)
        self.pool = pool
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None
        self.ready_at = 0.0
        self._stopping = False

    def run(self) -> None:
        with contextlib.suppress(Exception):
            self._start_worker()  # warm before the first job arrives
        while True:
            task = self.pool._tasks.get()
            if task is None or self._stopping:
                break
            if not task.future.set_running_or_notify_cancel():
                continue  # the caller gave up while it waited
            # time spent starting a worker is not waiting for a busy one (a loaded machine starts slowly)
            if time.monotonic() - max(task.queued_at, self.ready_at) > self.pool.queue_wait:
                task.future.set_exception(Busy())
                continue
            try:
                task.future.set_result(self._execute(task))
            except BaseException as exc:  # handed to the caller, who decides
                task.future.set_exception(exc)
            if self.process is None and not self._stopping:
                # the replacement starts after the caller has its answer, and before the next job arrives
                with contextlib.suppress(Exception):
                    self._start_worker()
        self._stop_worker()

    def stop(self) -> None:
        self._stopping = True
        self._stop_worker()

    def _execute(self, task: _Task) -> Prepared:
        if self.process is not None and not self.process.is_alive():
            self._discard()  # died between jobs
        if self.process is None or self.conn is None:
            self._start_worker()
        # locals: close() may stop the worker from another thread, which must end the wait, not confuse it
        process, conn = self.process, self.conn
        assert process is not None and conn is not None
        try:
            job = {"kind": task.kind, "extra": task.extra is not None, "preview": task.preview}
            header = json.dumps(job).encode()
            cpu_before = _process_cpu(process.pid)
            conn.send_bytes(header)
            conn.send_bytes(task.data)
            if task.extra is not None:
                conn.send_bytes(task.extra)
            if not conn.poll(task.timeout):
                cpu_after = _process_cpu(process.pid)
                self._discard()
                spent = None if cpu_before is None or cpu_after is None else max(0.0, cpu_after - cpu_before)
                raise TimedOut(spent)
            raw = conn.recv_bytes(MAX_REPLY_BYTES)
        except (EOFError, OSError) as exc:
            process.join(5)  # its pipe closed: it is ending, and its exit status says why
            self._discard()
            raise WorkerDied(f"worker ended ({_describe_exit(process.exitcode)})") from exc
        try:
            reply = json.loads(raw)
            prepared = decode_prepared(reply["prepared"])
        except (ValueError, KeyError, TypeError, FormatError) as exc:
            self._discard()
            raise WorkerDied("unreadable reply from the worker") from exc
        if reply.get("retire"):
            self._stop_worker()  # it ends itself; a fresh one is started after this job
        return prepared

    def _start_worker(self) -> None:
        parent, child = self.pool._context.Pipe(duplex=True)
        process = self.pool._context.Process(  # type: ignore[attr-defined]
            target=worker_main,
            args=(child, self.pool.trust.entries(), self.pool.limits),
            name="notary-verify-worker",
            daemon=True,
        )
        process.start()
        child.close()
        self.process, self.conn = process, parent
        # a job's time limit is for the job: wait until the worker has set itself up
        try:
            ready = parent.poll(START_SECONDS) and parent.recv_bytes(64) == READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._stop_worker()
            raise WorkerDied("a worker did not start")
        self.ready_at = time.monotonic()

    def _stop_worker(self) -> None:
        process, conn = self.process, self.conn
        self.process = self.conn = None
        if process is not None:
            with contextlib.suppress(Exception):
                process.kill()
            with contextlib.suppress(Exception):
                process.join(5)
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def _discard(self) -> None:
        """Kill the current worker, whatever it is doing (run() starts a fresh one once the caller is answered)."""
        self._stop_worker()
        self.pool.replaced += 1


_open_pools: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


@atexit.register
def _close_open_pools() -> None:
    """A pool nobody closed (a test's app, an interrupted command) ends with the interpreter: its threads must be
    gone before finalisation (zxing-cpp's bindings report leaks on stderr otherwise) and its workers killed."""
    for pool in list(_open_pools):
        with contextlib.suppress(Exception):
            pool.close()


def _preload() -> list[str]:
    """Modules the forkserver imports once, so no worker imports them on start. The main script too (every child
    re-runs it as ``__mp_main__``, cheap once its imports are there); a main run as ``python -m`` is re-run by
    name in each child, which preloading cannot spare (runpy would warn about a module imported twice)."""
    return ["__main__", __name__]


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "no exit status"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-code).name}"
    return f"exit status {code}"


# ---------------------------------------------------------------------- the wire (plain JSON both ways)


def encode_prepared(prepared: Prepared) -> dict[str, Any]:
    def check(c: CheckResult) -> list[str]:
        return [c.name, c.status.value, c.reason.value, c.message_de, c.message_en]

    failure = prepared.failure
    return {
        "source": prepared.source,
        "proof": prepared.proof.to_json().decode() if prepared.proof is not None else None,
        "checks": [check(c) for c in prepared.checks.values()],
        "failure": None
        if failure is None
        else {"verdict": failure.verdict.value, "checks": [check(c) for c in failure.checks]},
        "preview": _encode_preview(prepared.preview_png),
        "seal": prepared.seal,
    }


def _encode_preview(png: bytes | None) -> str | None:
    if png is None or len(png) > MAX_PREVIEW_BYTES:
        return None
    return base64.b64encode(png).decode("ascii")


def _decode_preview(text: Any) -> bytes | None:
    if text is None:
        return None
    if not isinstance(text, str) or len(text) > MAX_PREVIEW_BYTES * 4 // 3 + 4:
        raise ValueError("unexpected preview in a worker's reply")
    png = base64.b64decode(text, validate=True)
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("a preview that is not a PNG in a worker's reply")
    return png


def decode_prepared(data: dict[str, Any]) -> Prepared:
    """Rebuild a Prepared from a worker's reply; anything unexpected is a ValueError/KeyError/TypeError."""

    def check(item: list[str]) -> CheckResult:
        name, status, reason, de, en = item
        if name not in (*ORDER, "seal") or not isinstance(de, str) or not isinstance(en, str):
            raise ValueError("unexpected check in a worker's reply")
        return CheckResult(name, Status(status), Reason(reason), de, en)

    source = data["source"]
    if source not in SOURCES:
        raise ValueError("unexpected source in a worker's reply")
    preview = _decode_preview(data.get("preview"))
    if data["failure"] is not None:
        failure = data["failure"]
        checks = tuple(check(c) for c in failure["checks"])
        result = VerificationResult(Verdict(failure["verdict"]), checks, source=source)
        return Prepared(source, failure=result, preview_png=preview)
    proof = Proof.from_json(data["proof"].encode())
    seal = data.get("seal")
    if seal is not None and not (isinstance(seal, dict) and all(isinstance(k, str) for k in seal)):
        raise ValueError("unexpected seal in a worker's reply")
    found = {c.name: c for c in map(check, data["checks"])}
    return Prepared(source, proof, found, preview_png=preview, seal=seal)


# ---------------------------------------------------------------------- the worker process


def worker_main(conn: Connection, entries: list[Any], limits: Limits) -> None:
    """The worker's loop: one job at a time, each answered with one JSON reply."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which then ends us
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # never log uploaded content
    _limit_resources(limits)
    trust = TrustList(entries)
    conn.send_bytes(READY)
    jobs = 0
    while True:
        try:
            header = json.loads(conn.recv_bytes())
            data = conn.recv_bytes()
            extra = conn.recv_bytes() if header.get("extra") else None
        except (EOFError, OSError):
            return  # the parent has gone
        _cpu_budget(limits.cpu_seconds)
        retire = False
        try:
            prepared = _parse(trust, header["kind"], data, extra)
            if header.get("preview") and header["kind"] in ("pdf", "pdf+proof"):
                prepared = replace(prepared, preview_png=_preview(data))
        except MemoryError:
            prepared, retire = _internal_error(header["kind"]), True  # the heap may be fragmented: start afresh
        except Exception:
            prepared = _internal_error(header["kind"])
        del data, extra
        jobs += 1
        retire = retire or jobs >= RETIRE_JOBS or _cpu_used() > RETIRE_CPU_SECONDS
        conn.send_bytes(json.dumps({"prepared": encode_prepared(prepared), "retire": retire}).encode())
        if retire:
            return


PARSERS: dict[str, Callable[[TrustList, bytes, bytes | None], Prepared]] = {
    "pdf": lambda trust, data, _: prepare_pdf(trust, data),
    "pdf+proof": lambda trust, data, extra: prepare_pdf_with_proof(trust, data, extra or b""),
    "image": lambda trust, data, _: prepare_image(trust, data),
    "payload": lambda trust, data, _: prepare_payload(trust, data.decode("utf-8", "replace")),
}


def _parse(trust: TrustList, kind: str, data: bytes, extra: bytes | None) -> Prepared:
    return PARSERS[kind](trust, data, extra)


def _preview(pdf: bytes) -> bytes | None:
    """Page 1 as a PNG, or None: a preview that cannot be made never costs the verdict."""
    from verifier.preview import render_preview  # its pypdfium2 came with the pipeline (verifier/page_images.py)

    return render_preview(pdf)


def _internal_error(kind: str) -> Prepared:
    source = {"pdf": "pdf", "pdf+proof": "pdf+proof", "image": "photo"}.get(kind, "qr")
    return Prepared(source, failure=format_failure(source, Reason.INTERNAL_ERROR))


def _limit_resources(limits: Limits) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # a parser has no business writing files
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    lifetime = LIFETIME_CPU_SECONDS if hard == resource.RLIM_INFINITY else min(hard, LIFETIME_CPU_SECONDS)
    resource.setrlimit(resource.RLIMIT_CPU, (lifetime, lifetime))


def _process_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of another process so far (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return None


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_budget(seconds: float) -> None:
    """RLIMIT_CPU counts a process's whole life: the soft limit moves to now + this job's share (SIGXCPU ends
    the worker there), below the hard limit set once at start."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = min(hard, math.ceil(_cpu_used() + seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def default_size() -> int:
    """Workers per serving process: one per core, at least two (one slow job must not stall the rest)."""
    return max(2, min(8, os.cpu_count() or 2))
