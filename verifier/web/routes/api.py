"""POST /api/v1/verify: a PDF or QR image (multipart ``file``) or QR text (JSON ``{"payload": ...}``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from verifier.web.deps import LangDep, RateLimited, StateDep, UploadTicket
from verifier.web.errors import bad_request, unsupported_type
from verifier.web.schemas import ErrorOut, PayloadIn, VerificationOut
from verifier.web.uploads import file_kind, read_form, read_json
from verifier.web.verification import verify

router = APIRouter(prefix="/api/v1", tags=["verification"])

_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                },
            },
            "application/json": {"schema": PayloadIn.model_json_schema()},
        },
    }
}


def _missing() -> Exception:
    return bad_request(
        "missing-input",
        'Senden Sie eine Datei im Formularfeld „file“ oder JSON {"payload": "NT1:…"}.',
        'Send a file in the form field "file" or JSON {"payload": "NT1:…"}.',
        422,
    )


@router.post(
    "/verify",
    summary="Verify a notarised PDF, a photo of its QR code, or the QR text",
    description=(
        "Send either multipart/form-data with a `file` (PDF, PNG or JPEG), or application/json "
        '`{"payload": "NT1:…"}`. The answer is the same result object as `notary verify --json`: '
        "a verdict (VALID, INVALID, REVOKED, SUSPENDED, EXPIRED, NOT_CHECKABLE), the deciding reason in plain "
        "language (`decision`), what the proof covers (`scope`) and every named check. INVALID and "
        "NOT_CHECKABLE are answers, not failures (HTTP 200). Uploads are checked in memory and never stored."
    ),
    response_model=VerificationOut,
    responses={
        413: {"model": ErrorOut, "description": "upload or JSON body too large"},
        415: {"model": ErrorOut, "description": "neither a PDF, a PNG/JPEG image nor JSON"},
        422: {"model": ErrorOut, "description": "no file and no payload"},
        429: {"model": ErrorOut, "description": "too many requests from this client (see Retry-After)"},
        503: {"model": ErrorOut, "description": "all verification slots busy (see Retry-After)"},
    },
    openapi_extra=_BODY,
)
async def verify_api(
    request: Request, state: StateDep, lang: LangDep, _: RateLimited, ticket: UploadTicket
) -> JSONResponse:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        body = await read_json(request, state.config.max_json_bytes, ticket)
        payload = body.get("payload") if isinstance(body, dict) else None
        if not isinstance(payload, str) or not payload.strip():
            raise _missing()
        result = await verify(state.pool, state.verifier, "payload", payload.strip(), ticket)
    elif content_type == "multipart/form-data":
        parts = await read_form(request, state.config.max_upload_bytes, ticket)
        upload = parts.get("file")
        if upload is None:
            raise _missing()
        if not upload.data:
            raise bad_request("empty-file", "Die Datei ist leer.", "The file is empty.")
        data = bytes(upload.data)
        kind = file_kind(data, upload.filename, upload.content_type)
        result = await verify(state.pool, state.verifier, kind, data, ticket, name=upload.filename)
    else:
        raise unsupported_type(content_type)
    return JSONResponse(result.to_json(lang))
