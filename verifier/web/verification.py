"""One entry point for both the page and the API: parse the upload in an isolated worker process, then do the
chain checks here.

The server process never parses an upload: the bytes go to a worker (verifier/isolation.py), which sends back
the parsed proof and the checks that need no chain; only that small plain reply is read here. Whatever happens
inside, the caller gets a VerificationResult (a cut-off or a dead worker is ERROR, undecidable), except when
no worker frees up in time: that is a 503, because nothing was checked at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Literal

from starlette.concurrency import run_in_threadpool

from verifier.checks import result, skipped
from verifier.isolation import Busy, TimedOut, WorkerDied, WorkerPool
from verifier.pipeline import ORDER, Prepared, Verifier
from verifier.result import Reason, Status, Verdict, VerificationResult
from verifier.web.errors import busy
from verifier.web.uploads import Ticket

log = logging.getLogger("verifier.web")

Kind = Literal["pdf", "image", "payload"]

TIMEOUT_DE = "(Die Prüfung dauerte zu lange und wurde abgebrochen.)"
TIMEOUT_EN = "(The check took too long and was stopped.)"
DIED_DE = "(Die Prüfung brauchte zu viel Speicher oder Rechenzeit und wurde abgebrochen.)"
DIED_EN = "(The check needed too much memory or computing time and was stopped.)"


def undecidable(source: str, detail_de: str = "", detail_en: str = "") -> VerificationResult:
    first = result("format", Status.ERROR, Reason.INTERNAL_ERROR, detail_de, detail_en)
    rest = tuple(skipped(name, Reason.NOT_REACHED) for name in ORDER[1:])
    return VerificationResult(verdict=Verdict.ERROR, checks=(first, *rest), source=source)


async def verify(
    pool: WorkerPool, verifier: Verifier, kind: Kind, data: bytes | str, ticket: Ticket | None = None
) -> VerificationResult:
    """``ticket``: the request's share of the upload memory; held until the job has left this process."""
    source = "qr" if kind != "pdf" else "pdf"
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        future = pool.submit(kind, raw)
    except Busy:
        raise busy() from None
    if ticket is not None:
        give_back = ticket.keep()
        loop = asyncio.get_running_loop()
        future.add_done_callback(lambda _: _call_soon(loop, give_back))
    try:
        prepared: Prepared = await asyncio.wrap_future(future)
    except Busy:
        raise busy() from None
    except TimedOut:
        log.warning("parsing a %s cut off after %.1f s (worker replaced)", kind, pool.limits.timeout)
        if ticket is not None:
            ticket.penalise()
        return undecidable(source, TIMEOUT_DE, TIMEOUT_EN)
    except WorkerDied as exc:
        log.warning("parsing a %s ended its worker: %s (worker replaced)", kind, exc)
        if ticket is not None:
            ticket.penalise()
        return undecidable(source, DIED_DE, DIED_EN)
    try:
        # the chain reads may block on a node (bounded by the RPC timeout): off the event loop
        return await run_in_threadpool(verifier.finish, prepared)
    except Exception as exc:  # the pipeline guards its checks; this is the last line of defence
        log.error("verification of a %s failed: %s", kind, type(exc).__name__)
        return undecidable(source)


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    with contextlib.suppress(RuntimeError):  # the loop is closed (shutdown): nobody is left to give back to
        loop.call_soon_threadsafe(callback)
