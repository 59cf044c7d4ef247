"""GET /trust: the operator's trust list, so anyone can see which registries a verdict here rests on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from verifier.web.deps import LangDep, StateDep
from verifier.web.render import render
from verifier.web.view import trust_view

router = APIRouter(include_in_schema=False)


@router.get("/trust", response_class=HTMLResponse)
async def trust_list(request: Request, state: StateDep, lang: LangDep) -> HTMLResponse:
    registries = trust_view(state.verifier.trust.entries(), lang, state.config.registry_names)
    return render(state, request, "trust.html", lang, registries=registries)
