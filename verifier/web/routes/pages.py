"""The public page: GET / shows the forms, POST /verify (a plain form post) shows the verdict."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from verifier.web.deps import LangDep, RateLimited, StateDep, UploadTicket
from verifier.web.errors import bad_request
from verifier.web.headers import csp
from verifier.web.i18n import t
from verifier.web.render import render
from verifier.web.uploads import file_kind, read_form
from verifier.web.verification import verify
from verifier.web.view import registry_display_name, result_view

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, state: StateDep, lang: LangDep) -> HTMLResponse:
    return render(state, request, "index.html", lang)


@router.get("/verify", include_in_schema=False)
async def verify_reopened(lang: LangDep) -> RedirectResponse:
    """A result page's address opened again (reload after a restart, a bookmark, a link sent to a colleague):
    nothing is stored, so there is no verdict to show; the start page, not "Anfrageart nicht erlaubt"."""
    return RedirectResponse(f"/?lang={lang}", status_code=303)


@router.post("/verify", response_class=HTMLResponse)
async def verify_form(
    request: Request, state: StateDep, lang: LangDep, _: RateLimited, ticket: UploadTicket
) -> HTMLResponse:
    parts = await read_form(request, state.config.max_upload_bytes, ticket)
    upload = parts.get("file")
    payload = parts.get("payload")
    text = bytes(payload.data).decode("utf-8", "replace").strip() if payload else ""
    if upload is not None and (upload.data or upload.filename):
        if not upload.data:
            raise bad_request("empty-file", "Die Datei ist leer.", "The file is empty.")
        data = bytes(upload.data)
        kind = file_kind(data, upload.filename, upload.content_type)
        result = await verify(
            state.pool, state.verifier, kind, data, ticket, name=upload.filename or None, preview=True
        )
    elif text:
        result = await verify(state.pool, state.verifier, "payload", text, ticket)
    else:
        return render(state, request, "index.html", lang, status=400, form_error=t("nothing_sent", lang))
    registry = registry_display_name(
        result.registry_name, lang, state.verifier.trust.entries(), state.config.registry_names
    )
    view = result_view(result, lang, registry_name=registry or None)
    page = render(state, request, "result.html", lang, view=view)
    if view.preview:
        # data: images for the page-1 preview only, on this response alone
        page.headers["content-security-policy"] = csp((*filter(None, [state.operator.logo_origin()]), "data:"))
    return page
