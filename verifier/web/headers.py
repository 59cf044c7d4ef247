"""Security headers on every response (a pure ASGI middleware: no per-request task or body copy).

The page uses no inline script or style, so the CSP can forbid both; the camera is allowed for this origin
only (QR scanning); nothing may frame the page (clickjacking). Responses that carry a verification result
name a person, so they are never cached by the browser or a proxy. Images come from this origin only; a
result page with a preview of page 1 (a data: PNG made on the server) sets its own CSP that adds data:, and
an operator's logo on another host adds that host.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def csp(img_sources: tuple[str, ...] = ()) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            " ".join(("img-src 'self'", *img_sources)),
            "connect-src 'self'",
            "media-src 'self'",
            "font-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        )
    )


CSP = csp()

BASE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
HEADERS: list[tuple[bytes, bytes]] = [(b"content-security-policy", CSP.encode()), *BASE_HEADERS]
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, img_sources: tuple[str, ...] = ()) -> None:
        self.app = app
        self.headers = [(b"content-security-policy", csp(img_sources).encode()), *BASE_HEADERS]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        cacheable = scope["method"] in ("GET", "HEAD") and scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in self.headers if h[0] not in present]
                if https:
                    headers.append(HSTS)
                if not cacheable and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
