"""The worker-process pool that parses untrusted input: killed and replaced on overrun or death, bounded queue,
plain replies. No test here depends on how fast the machine is: time limits are either tiny (the job only has to
be cut off) or generous (the job only has to finish)."""

from __future__ import annotations

import io
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.web.conftest import World
from tests.web.hostile import hex_string_pdf, nested_dicts_pdf
from verifier.isolation import Busy, Limits, TimedOut, WorkerDied, WorkerPool, decode_prepared, encode_prepared
from verifier.pipeline import prepare_payload, prepare_pdf
from verifier.result import Verdict

ROOT = Path(__file__).resolve().parents[2]
GENEROUS = 120.0  # seconds a genuine job may take on a loaded machine
SLOW = hex_string_pdf(16)  # about 12 s of pypdf CPU time here: still running when a test acts on it


@pytest.fixture
def pool(world: World) -> Iterator[WorkerPool]:
    workers = WorkerPool(world.verifier().trust, 1, limits=Limits(timeout=GENEROUS), queue_size=1, queue_wait=GENEROUS)
    yield workers
    workers.close()


def _running_worker_pid(pool: WorkerPool, future: object) -> int:
    deadline = time.monotonic() + GENEROUS
    while not future.running():  # type: ignore[attr-defined]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process = pool._slots[0].process
    assert process is not None and process.pid is not None
    return process.pid


def test_worker_parses_and_the_server_finishes(world: World, pool: WorkerPool) -> None:
    verifier = world.verifier()
    prepared = pool.run("pdf", world.genuine)
    assert prepared.proof is not None and prepared.failure is None
    assert verifier.finish(prepared).verdict is Verdict.VALID
    assert verifier.finish(pool.run("image", world.qr_png)).verdict is Verdict.VALID
    assert verifier.finish(pool.run("payload", world.qr_text.encode())).verdict is Verdict.VALID
    assert verifier.finish(pool.run("pdf", world.tampered)).verdict is Verdict.INVALID
    assert pool.replaced == 0
    worker = pool._slots[0].process
    assert worker is not None and worker.pid != os.getpid()


def test_overrun_kills_the_worker_and_a_fresh_one_takes_over(world: World, pool: WorkerPool) -> None:
    pool.run("payload", b"NT1:AA")  # the worker is up
    first = pool._slots[0].process
    with pytest.raises(TimedOut):
        pool.run("pdf", nested_dicts_pdf(), timeout=0.05)  # pypdf needs seconds for it: cut off for sure
    assert pool.replaced == 1
    assert first is not None and not first.is_alive()
    assert world.verifier().finish(pool.run("pdf", world.genuine)).verdict is Verdict.VALID


def test_worker_killed_mid_job_is_an_error_for_that_job_only(world: World, pool: WorkerPool) -> None:
    future = pool.submit("pdf", SLOW)
    os.kill(_running_worker_pid(pool, future), signal.SIGKILL)  # as the OOM killer or a segfault would
    with pytest.raises(WorkerDied, match="SIGKILL"):
        future.result(GENEROUS)
    assert pool.replaced == 1
    assert world.verifier().finish(pool.run("pdf", world.genuine)).verdict is Verdict.VALID


def test_full_queue_is_busy_at_once(world: World, pool: WorkerPool) -> None:
    running = pool.submit("pdf", SLOW)
    pid = _running_worker_pid(pool, running)
    queued = pool.submit("payload", b"NT1:AA")  # the one queue place
    with pytest.raises(Busy):
        pool.submit("payload", b"NT1:AA")
    os.kill(pid, signal.SIGKILL)  # end the slow job rather than wait for it
    with pytest.raises(WorkerDied):
        running.result(GENEROUS)
    assert queued.result(GENEROUS).failure is not None  # "NT1:AA" is not a notary QR: a clear format failure


def test_cpu_limit_ends_a_worker_the_wall_clock_would_not(world: World) -> None:
    """RLIMIT_CPU is the backstop behind the parent's deadline: with a generous deadline and a tiny CPU budget
    the kernel ends the worker (SIGXCPU), and the job is an error, not a hang."""
    limits = Limits(timeout=GENEROUS, cpu_seconds=0.01)
    workers = WorkerPool(world.verifier().trust, 1, limits=limits, queue_wait=GENEROUS)
    try:
        with pytest.raises(WorkerDied, match=r"SIGXCPU|SIGKILL"):
            workers.run("pdf", SLOW)
        assert workers.run("payload", world.qr_text.encode()).failure is None  # a fresh worker
    finally:
        workers.close()


def test_memory_limit_holds_in_the_worker(world: World) -> None:
    """RLIMIT_AS: an image that passes every header bound but needs more memory than the worker may have is an
    error for that job (MemoryError inside, or the worker ends), and the next job gets a fresh worker."""
    picture = io.BytesIO()
    Image.new("RGBA", (5000, 5000), (255, 255, 255, 255)).save(picture, "PNG")  # 100 MB decoded, a few KB sent
    limits = Limits(timeout=GENEROUS, memory_bytes=200 * 1024 * 1024)
    workers = WorkerPool(world.verifier().trust, 1, limits=limits, queue_wait=GENEROUS)
    try:
        try:
            prepared = workers.run("image", picture.getvalue())
            assert prepared.failure is not None and prepared.failure.verdict is Verdict.NOT_CHECKABLE
        except WorkerDied:
            pass
        assert workers.run("payload", world.qr_text.encode()).failure is None
    finally:
        workers.close()


def test_replies_are_plain_json_and_checked(world: World) -> None:
    trust = world.verifier().trust
    cases = (prepare_pdf(trust, world.genuine), prepare_payload(trust, world.qr_text), prepare_pdf(trust, b"x"))
    for prepared in cases:
        again = decode_prepared(encode_prepared(prepared))
        assert again == prepared
    reply = encode_prepared(prepare_pdf(trust, world.genuine))
    reply["checks"][0][0] = "something-else"
    with pytest.raises(ValueError):
        decode_prepared(reply)


def test_no_exception_is_ever_forced_into_a_thread() -> None:
    sources = [p.read_text() for p in (ROOT / "verifier").rglob("*.py")] + [
        p.read_text() for p in (ROOT / "cli").rglob("*.py")
    ]
    assert not any("SetAsyncExc" in text for text in sources)
