"""Errors the web layer reports, and the one place they become responses: JSON under /api, HTML elsewhere.

Every error carries a stable code and a German and an English sentence; nothing echoes uploaded bytes and
no traceback ever reaches a client.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from notary.errors import NotaryError
from verifier.web.i18n import negotiate

log = logging.getLogger("verifier.web")


class WebError(Exception):
    def __init__(self, status: int, code: str, de: str, en: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(en)
        self.status = status
        self.code = code
        self.de = de
        self.en = en
        self.headers = headers or {}


def too_large(limit: int) -> WebError:
    mb = limit / (1024 * 1024)
    size = f"{mb:.0f} MB" if mb >= 1 else f"{limit // 1024} KB"
    return WebError(
        413, "too-large", f"Die Datei ist zu groß (höchstens {size}).", f"The upload is too large (at most {size})."
    )


def unsupported_type(declared: str) -> WebError:
    # the declared type is client input: keep only harmless characters before it goes into a message
    what = "".join(c for c in declared[:60] if c.isalnum() or c in "/.+-_ ").strip()
    what_de, what_en = (what, what) if what else ("ohne Angabe des Typs", "no type given")
    return WebError(
        415,
        "unsupported-type",
        f"Dieser Dateityp wird nicht unterstützt ({what_de}). Bitte laden Sie eine PDF-Datei oder ein PNG-, JPEG- "
        "oder WebP-Foto des QR-Codes hoch.",
        f"This type of file is not supported ({what_en}). Please upload a PDF file or a PNG, JPEG or WebP photo of "
        "the QR code.",
    )


def bad_request(code: str, de: str, en: str, status: int = 400) -> WebError:
    return WebError(status, code, de, en)


def rate_limited(retry_after: float) -> WebError:
    seconds = max(1, int(retry_after + 0.999))
    return WebError(
        429,
        "rate-limited",
        f"Zu viele Prüfungen in kurzer Zeit. Bitte warten Sie {seconds} Sekunden.",
        f"Too many checks in a short time. Please wait {seconds} seconds.",
        {"Retry-After": str(seconds)},
    )


def busy() -> WebError:
    return WebError(
        503,
        "busy",
        "Die Prüfstelle ist gerade ausgelastet. Bitte versuchen Sie es gleich noch einmal.",
        "The verifier is busy right now. Please try again in a moment.",
        {"Retry-After": "5"},
    )


def slow_upload() -> WebError:
    # the body stays unread: closing the connection is the only way to be rid of the rest
    return WebError(
        408,
        "slow-upload",
        "Die Datei kam zu langsam an. Bitte versuchen Sie es noch einmal.",
        "The upload arrived too slowly. Please try again.",
        {"Connection": "close"},
    )


def too_many_uploads(retry_after: float = 2.0) -> WebError:
    return WebError(
        429,
        "too-many-uploads",
        "Von Ihrem Anschluss laufen schon mehrere Prüfungen oder eine war zu aufwendig. Bitte warten Sie kurz.",
        "Several checks from your connection are running, or one was too costly. Please wait a moment.",
        {"Retry-After": str(max(1, int(retry_after + 0.999)))},
    )


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/openapi.json")


def error_response(request: Request, error: WebError) -> Response:
    lang = negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
    headers = {"Cache-Control": "no-store", **error.headers}
    if _wants_json(request):
        body = {
            "error": error.code,
            "message": error.de if lang == "de" else error.en,
            "message_de": error.de,
            "message_en": error.en,
        }
        return JSONResponse(body, status_code=error.status, headers=headers)
    render = getattr(request.app.state, "render_error", None)
    if render is None:  # pragma: no cover - only before the app is wired
        return HTMLResponse(error.de if lang == "de" else error.en, status_code=error.status, headers=headers)
    response: Response = render(request, lang, error)
    response.status_code = error.status
    response.headers.update(headers)
    return response


_STATUS_WORDS = {
    404: ("not-found", "Diese Seite gibt es nicht.", "This page does not exist."),
    405: (
        "method-not-allowed",
        "Diese Anfrageart ist hier nicht erlaubt.",
        "This kind of request is not allowed here.",
    ),
}


def install(app: FastAPI) -> None:
    """Register the handlers: WebError, framework HTTP errors, validation errors, NotaryError, anything else."""

    @app.exception_handler(WebError)
    async def _web(request: Request, exc: WebError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code, de, en = _STATUS_WORDS.get(
            exc.status_code, ("http-error", "Die Anfrage konnte nicht bearbeitet werden.", "The request failed.")
        )
        return error_response(request, WebError(exc.status_code, code, de, en, dict(exc.headers or {})))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(
            request,
            bad_request("invalid-request", "Die Anfrage ist unvollständig.", "The request is incomplete.", 422),
        )

    @app.exception_handler(NotaryError)
    async def _notary(request: Request, exc: NotaryError) -> Response:
        # NotaryError texts are written for users and never contain uploaded bytes
        return error_response(request, bad_request("not-processable", str(exc), str(exc), 422))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return error_response(
            request,
            WebError(500, "internal", "Ein interner Fehler ist aufgetreten.", "An internal error occurred."),
        )
