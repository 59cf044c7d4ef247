"""GET /docs: the API reference for people, one language per page (content/api.<lang>.md, rendered here).

Why not Swagger UI: it loads its script from a CDN and runs inline script, which the page's CSP forbids
(and a public page should not pull code from a third party). Why not the OpenAPI descriptions: they are
written for tools, in English only. The machine-readable schema is /openapi.json.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from verifier.web.deps import LangDep, StateDep
from verifier.web.markdown import builtin, to_html
from verifier.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request, state: StateDep, lang: LangDep) -> HTMLResponse:
    return render(state, request, "docs.html", lang, body=to_html(builtin("api", lang)))
