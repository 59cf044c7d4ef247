"""The operator's pages: Impressum, Datenschutzerklärung, Barrierefreiheitserklärung and the logo.

A page the operator gave as a URL redirects there; one given as a Markdown file is rendered here; without
either, the privacy and accessibility pages show the software's own default text (it describes what this
software does), and the Impressum says plainly that the operator supplied none.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from verifier.web.config import is_url
from verifier.web.deps import LangDep, StateDep
from verifier.web.errors import WebError
from verifier.web.i18n import t
from verifier.web.markdown import builtin, to_html
from verifier.web.operator import LEGAL
from verifier.web.render import render

router = APIRouter(include_in_schema=False)


def _page(key: str, request: Request, state: StateDep, lang: LangDep) -> Response:
    _, label, attr = LEGAL[key]
    value = getattr(state.operator.config, attr)
    if is_url(value):
        return RedirectResponse(value, status_code=303)
    if key in state.operator.pages:
        body = to_html(state.operator.pages[key])
    elif key == "impressum":
        body = to_html(t("impressum_missing", lang))
    else:
        body = to_html(builtin(key, lang))
    return render(state, request, "prose.html", lang, heading=t(label, lang), body=body)


@router.get("/impressum", response_class=HTMLResponse)
async def impressum(request: Request, state: StateDep, lang: LangDep) -> Response:
    return _page("impressum", request, state, lang)


@router.get("/datenschutz", response_class=HTMLResponse)
async def privacy(request: Request, state: StateDep, lang: LangDep) -> Response:
    return _page("datenschutz", request, state, lang)


@router.get("/barrierefreiheit", response_class=HTMLResponse)
async def accessibility(request: Request, state: StateDep, lang: LangDep) -> Response:
    return _page("barrierefreiheit", request, state, lang)


@router.get("/operator/logo")
async def logo(state: StateDep) -> Response:
    if state.operator.logo is None:
        raise WebError(404, "not-found", "Diese Seite gibt es nicht.", "There is no such page.")
    data, media = state.operator.logo
    # an SVG logo is the operator's own file, but it is still a document: it may run nothing
    return Response(data, media_type=media, headers={"Content-Security-Policy": "default-src 'none'; sandbox"})
