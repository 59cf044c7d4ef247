"""Dependencies of the route functions, as Annotated aliases (one place to see what a route receives)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request

from verifier.web.errors import rate_limited
from verifier.web.i18n import Lang, negotiate
from verifier.web.ratelimit import client_key
from verifier.web.state import AppState
from verifier.web.uploads import Ticket


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.notary
    return state


def get_lang(
    request: Request,
    lang: Annotated[str | None, Query(description="de or en; default: Accept-Language, else de")] = None,
) -> Lang:
    return negotiate(lang, request.headers.get("accept-language"))


def rate_limit(request: Request, state: Annotated[AppState, Depends(get_state)]) -> None:
    """Spend one token of the client's bucket before any byte of the body is read; 429 when empty."""
    wait = state.limiter.take(client_key(request.client.host if request.client else None))
    if wait > 0:
        raise rate_limited(wait)


async def upload_ticket(request: Request, state: Annotated[AppState, Depends(get_state)]) -> AsyncIterator[Ticket]:
    """The request's share of the worker's upload memory and of the open-upload slots (per client and in total),
    given back when the request is done; 429 / 503 at once when none is free."""
    client = client_key(request.client.host if request.client else None)
    state.uploads.enter(client)
    ticket = state.budget.ticket(client, state.uploads)
    try:
        yield ticket
    finally:
        ticket.release()
        state.uploads.leave(client)


StateDep = Annotated[AppState, Depends(get_state)]
UploadTicket = Annotated[Ticket, Depends(upload_ticket)]
LangDep = Annotated[Lang, Depends(get_lang)]
RateLimited = Annotated[None, Depends(rate_limit)]
