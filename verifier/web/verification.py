"""One entry point for both the page and the API: parse the upload in an isolated worker process, then do the
chain checks here.

The server process never parses an upload: the bytes go to a worker (verifier/isolation.py), which sends back
the parsed proof and the checks that need no chain; only that small plain reply is read here. Whatever happens
inside, the caller gets a VerificationResult (a cut-off or a dead worker is NOT_CHECKABLE), except when
no worker frees up in time: that is a 503, because nothing was checked at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from starlette.concurrency import run_in_threadpool

from verifier.isolation import Busy, TimedOut, WorkerDied, WorkerPool
from verifier.pipeline import Prepared, Verifier, format_failure
from verifier.result import Reason, VerificationResult
from verifier.web.errors import busy
from verifier.web.uploads import Ticket

log = logging.getLogger("verifier.web")

Kind = Literal["pdf", "image", "payload"]

SOURCE_OF_KIND = {"pdf": "pdf", "image": "photo", "payload": "qr"}
MAX_NAME_CHARS = 200
# A PDF job with a preview may also search page images for a QR and render page 1 (about 0.35 s of CPU measured):
# it gets this much more wall time, so a loaded server does not cut off genuine uploads.
PREVIEW_EXTRA_SECONDS = 1.5
# A job cut off by the wall clock is penalised only when it used most of that time computing: a starved job on a
# loaded machine is not the uploader's fault.
HOSTILE_CPU_SHARE = 0.8


def undecidable(source: str, reason: Reason = Reason.INTERNAL_ERROR, name: str | None = None) -> VerificationResult:
    return replace(format_failure(source, reason), input_name=name)


async def verify(
    pool: WorkerPool,
    verifier: Verifier,
    kind: Kind,
    data: bytes | str,
    ticket: Ticket | None = None,
    *,
    name: str | None = None,
    preview: bool = False,
) -> VerificationResult:
    """``ticket``: the request's share of the upload memory; held until the job has left this process.
    ``name``: the uploaded file's name, shown with the verdict; ``preview``: render page 1 of a PDF."""
    name = _base_name(name)
    result = await _verify(pool, verifier, kind, data, ticket, preview)
    return replace(result, input_name=name)


def _base_name(name: str | None) -> str | None:
    """The file name without any folder a browser may send, bounded (it is shown, never used as a path)."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1][:MAX_NAME_CHARS]
    # control and format characters (an RTL override makes `Zeugnis_\u202efdp.exe` read `Zeugnis_exe.pdf`)
    # become a visible U+FFFD, as on the web page (verifier/web/view.py)
    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cf") else c for c in base) or None


async def _verify(
    pool: WorkerPool, verifier: Verifier, kind: Kind, data: bytes | str, ticket: Ticket | None, preview: bool
) -> VerificationResult:
    source = SOURCE_OF_KIND[kind]
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with_preview = preview and kind == "pdf"
        timeout = pool.limits.timeout + (PREVIEW_EXTRA_SECONDS if with_preview else 0.0)
        future = pool.submit(kind, raw, timeout=timeout, preview=with_preview)
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
    except TimedOut as exc:
        hostile = exc.cpu_seconds is None or exc.cpu_seconds >= HOSTILE_CPU_SHARE * timeout
        log.warning(
            "parsing a %s cut off after %.1f s, %s s of CPU (worker replaced%s)",
            kind,
            timeout,
            "?" if exc.cpu_seconds is None else f"{exc.cpu_seconds:.2f}",
            "" if hostile else "; starved by load, not penalised",
        )
        if ticket is not None and hostile:
            ticket.penalise()
        return undecidable(source, Reason.TIMED_OUT)
    except WorkerDied as exc:
        log.warning("parsing a %s ended its worker: %s (worker replaced)", kind, exc)
        if ticket is not None:
            ticket.penalise()
        return undecidable(source, Reason.TOO_COMPLEX)
    try:
        # the chain reads may block on a node (bounded by the RPC timeout): off the event loop
        return await run_in_threadpool(verifier.finish, prepared)
    except Exception as exc:  # the pipeline guards its checks; this is the last line of defence
        log.error("verification of a %s failed: %s", kind, type(exc).__name__)
        return undecidable(source)


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    with contextlib.suppress(RuntimeError):  # the loop is closed (shutdown): nobody is left to give back to
        loop.call_soon_threadsafe(callback)
