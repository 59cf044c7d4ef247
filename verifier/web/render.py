"""Rendering the server-side pages (Jinja2, autoescaped): every page works without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from verifier.web.errors import WebError
from verifier.web.i18n import Lang, t
from verifier.web.state import AppState
from verifier.web.view import arrival_labels, registry_display_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
_FIXED_PATH = re.compile(r"/(?:[a-z0-9_-]+(?:/[a-z0-9_-]+)*)?")  # "/", "/docs": one leading slash, plain segments


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, auto_reload=False
    )


def render(state: AppState, request: Request, name: str, lang: Lang, status: int = 200, **context: Any) -> HTMLResponse:
    other: Lang = "en" if lang == "de" else "de"
    page = state.templates.get_template(name).render(
        lang=lang,
        other_lang=other,
        switch_href=f"{switch_path(request)}?lang={other}",
        t=lambda key: t(key, lang),
        demo_names=sorted(state.demo_files),
        max_upload_mb=max(1, state.config.max_upload_bytes // (1024 * 1024)),
        operator_name=state.operator.name(lang),
        operator_contact=state.operator.config.contact,
        operator_logo=state.operator.logo_src(),
        legal_links=state.operator.legal_links(lang),
        arrival_labels=arrival_labels(lang, _registry_names(state, lang)) if name == "index.html" else {},
        **context,
    )
    return HTMLResponse(page, status_code=status)


def _registry_names(state: AppState, lang: Lang) -> dict[str, str]:
    entries = state.verifier.trust.entries()
    return {e.name: registry_display_name(e.name, lang, entries, state.config.registry_names) for e in entries}


def switch_path(request: Request) -> str:
    """Where the language switch leads: the path of the route that answered, taken from our own route table,
    never from the request (GET /%2F%2Fevil.example must not link to //evil.example). A result page cannot
    be re-rendered without the upload, and an unknown path or a route with parameters has no fixed path:
    those lead to the start page."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if request.method != "GET" or not isinstance(path, str) or not _FIXED_PATH.fullmatch(path):
        return "/"
    return path


def render_error(request: Request, lang: Lang, error: WebError) -> HTMLResponse:
    state: AppState = request.app.state.notary
    return render(state, request, "error.html", lang, error.status, message=error.de if lang == "de" else error.en)
