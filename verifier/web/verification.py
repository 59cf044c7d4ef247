"""One entry point for both the page and the API: run the right Verifier method off the event loop, bounded.

Whatever happens inside, the caller gets a VerificationResult (a cut-off or a crash is ERROR, undecidable),
except when no slot frees up in time: that is a 503, because nothing was checked at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from verifier.checks import result, skipped
from verifier.pipeline import ORDER, Verifier
from verifier.result import Reason, Status, Verdict, VerificationResult
from verifier.web.errors import busy
from verifier.web.runner import Busy, TimedOut, VerifyRunner
from verifier.web.uploads import Ticket

log = logging.getLogger("verifier.web")

Kind = Literal["pdf", "image", "payload"]

TIMEOUT_DE = "(Die Prüfung dauerte zu lange und wurde abgebrochen.)"
TIMEOUT_EN = "(The check took too long and was stopped.)"


def undecidable(source: str, detail_de: str = "", detail_en: str = "") -> VerificationResult:
    first = result("format", Status.ERROR, Reason.INTERNAL_ERROR, detail_de, detail_en)
    rest = tuple(skipped(name, Reason.NOT_REACHED) for name in ORDER[1:])
    return VerificationResult(verdict=Verdict.ERROR, checks=(first, *rest), source=source)


async def verify(
    runner: VerifyRunner, verifier: Verifier, kind: Kind, data: bytes | str, ticket: Ticket | None = None
) -> VerificationResult:
    """``ticket``: the request's share of the upload memory; held until the thread lets go of ``data``."""
    source = "qr" if kind != "pdf" else "pdf"
    job: Callable[[], VerificationResult]
    if kind == "pdf":
        assert isinstance(data, bytes)
        job = lambda: verifier.verify_pdf(data)  # noqa: E731
    elif kind == "image":
        assert isinstance(data, bytes)
        job = lambda: verifier.verify_image(data)  # noqa: E731
    else:
        assert isinstance(data, str)
        job = lambda: verifier.verify_payload(data)  # noqa: E731
    try:
        return await runner.run(job, keep=ticket.keep if ticket is not None else None)
    except Busy:
        raise busy() from None
    except TimedOut:
        log.warning("verification of a %s cut off after %.1f s", kind, runner.timeout)
        return undecidable(source, TIMEOUT_DE, TIMEOUT_EN)
    except Exception as exc:  # the pipeline guards its checks; this is the last line of defence
        log.error("verification of a %s failed: %s", kind, type(exc).__name__)
        return undecidable(source)
