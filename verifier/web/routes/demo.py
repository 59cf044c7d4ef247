"""Sample documents for newcomers (a genuine certificate and a tampered copy), when the app is given some
(demonstration mode). They live on their own page, /demo, never on the start page: a citizen checking a real
document must not take a sample for part of the service."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from verifier.web.deps import LangDep, StateDep
from verifier.web.errors import WebError
from verifier.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/demo", response_class=HTMLResponse)
async def demo_page(request: Request, state: StateDep, lang: LangDep) -> HTMLResponse:
    if not state.demo_files:
        raise WebError(404, "not-found", "Diese Seite gibt es nicht.", "This page does not exist.")
    return render(state, request, "demo.html", lang)


@router.get("/demo/{name}")
async def demo_file(name: str, state: StateDep) -> Response:
    path = state.demo_files.get(name)  # only configured names: no path from the URL ever reaches the disk
    if path is None or not path.is_file():
        raise WebError(404, "not-found", "Diese Beispieldatei gibt es nicht.", "There is no such sample file.")
    media = "application/pdf" if name.lower().endswith(".pdf") else "application/octet-stream"
    return Response(
        path.read_bytes(),
        media_type=media,
        headers={"Content-Disposition": _attachment(name), "Cache-Control": "no-store"},
    )


def _attachment(name: str) -> str:
    """RFC 6266 with an ASCII fallback: header values are Latin-1, sample names have umlauts."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
