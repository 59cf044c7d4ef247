"""GET /docs: the API reference, rendered on the server from the OpenAPI schema.

Why not Swagger UI: it loads its script from a CDN and runs inline script, which the page's CSP forbids
(and a public page should not pull code from a third party). The machine-readable schema is /openapi.json.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from verifier.web.deps import LangDep, StateDep
from verifier.web.render import render

router = APIRouter(include_in_schema=False)


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "bodies": sorted(body),
                    "params": [p.get("name", "") for p in op.get("parameters", [])],
                    "responses": [(code, r.get("description", "")) for code, r in sorted(op["responses"].items())],
                }
            )
    return out


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request, state: StateDep, lang: LangDep) -> HTMLResponse:
    schema = request.app.openapi()
    return render(
        state, request, "docs.html", lang, title=schema["info"]["title"], version=schema["info"]["version"],
        operations=_operations(schema),
    )  # fmt: skip
