"""verifier/web/verification.py with the worker's outcome injected (no wall clock): only a job that spent its
time computing, or killed its worker, puts the client in the penalty box; a job starved by a loaded server does
not. And the shown file name cannot carry control or bidi characters."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import Any

from verifier.isolation import Limits, TimedOut, WorkerDied
from verifier.result import Reason
from verifier.web import verification


class FakePool:
    limits = Limits(timeout=1.5)

    def __init__(self, outcome: BaseException) -> None:
        self.outcome = outcome
        self.timeouts: list[float | None] = []

    def submit(self, kind: str, data: bytes, extra: Any = None, timeout: float | None = None, **kw: Any) -> Future[Any]:
        self.timeouts.append(timeout)
        future: Future[Any] = Future()
        future.set_exception(self.outcome)
        return future


class FakeTicket:
    penalised = 0

    def keep(self) -> Any:
        return lambda: None

    def penalise(self) -> None:
        self.penalised += 1


def _run(outcome: BaseException, preview: bool = False) -> tuple[FakePool, FakeTicket, Any]:
    pool, ticket = FakePool(outcome), FakeTicket()
    coro = verification.verify(pool, None, "pdf", b"%PDF-", ticket, name="x.pdf", preview=preview)  # type: ignore[arg-type]
    return pool, ticket, asyncio.run(coro)


def test_a_job_starved_by_load_is_not_penalised() -> None:
    _, ticket, result = _run(TimedOut(cpu_seconds=0.2))
    assert result.decision.reason is Reason.TIMED_OUT and ticket.penalised == 0


def test_a_job_that_computed_all_its_time_is_penalised() -> None:
    assert _run(TimedOut(cpu_seconds=1.5))[1].penalised == 1
    assert _run(TimedOut())[1].penalised == 1  # CPU unknown: as before


def test_a_job_that_killed_its_worker_is_penalised() -> None:
    _, ticket, result = _run(WorkerDied("CPU limit"))
    assert result.decision.reason is Reason.TOO_COMPLEX and ticket.penalised == 1


def test_a_pdf_with_preview_gets_more_wall_time() -> None:
    plain, with_preview = _run(TimedOut(0.0))[0], _run(TimedOut(0.0), preview=True)[0]
    assert with_preview.timeouts[0] > plain.timeouts[0]  # type: ignore[operator]


def test_the_shown_name_neutralises_control_and_bidi_characters() -> None:
    assert verification._base_name("C:\\tmp\\Zeugnis_\u202efdp.exe") == "Zeugnis_\ufffdfdp.exe"
    assert verification._base_name("a\x00b\nc") == "a\ufffdb\ufffdc"
    assert len(verification._base_name("x" * 5000) or "") == verification.MAX_NAME_CHARS


def test_the_cpu_time_of_a_worker_can_be_read() -> None:
    import os

    from verifier.isolation import _process_cpu

    spent = _process_cpu(os.getpid())
    assert spent is not None and spent > 0
    assert _process_cpu(None) is None
