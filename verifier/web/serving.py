"""Running the app under uvicorn, with one fix over ``uvicorn.run(workers=N)``.

Why our own listening socket: for N > 1 workers uvicorn creates it as ``socket.socket(family)``, whose
``proto`` is 0, and asyncio then skips TCP_NODELAY on every accepted connection (it checks for IPPROTO_TCP).
Responses go out as two writes (headers, body), so Nagle's algorithm and the client's delayed ACK add about
40 ms to every request. Measured with bench/verify_load.py: p50 48 ms with uvicorn's socket, 4 ms with this one.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import socket
from typing import Any
from urllib.parse import unquote

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

HEADER_TIMEOUT_SECONDS = 10.0  # a client gets this long to send its request line and headers
KEEP_ALIVE_SECONDS = 5  # an idle keep-alive connection is closed after this
MAX_HEADER_BYTES = 16 * 1024  # h11's bound on an incomplete request head (request line + headers)
LIMIT_CONCURRENCY = 512  # connections + tasks per worker before uvicorn answers 503 itself (a backstop)


class BoundedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol plus a deadline for the request head: uvicorn bounds idle keep-alive
    connections, but a client that opens a connection and sends its headers a byte at a time (slowloris) would
    hold it for ever, and every such connection counts against ``limit_concurrency``."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_deadline()

    def _arm_head_deadline(self) -> None:
        waiting_for = self.cycle  # the next request must replace this cycle in time
        self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._head_overdue, waiting_for)

    def _head_overdue(self, waiting_for: object) -> None:
        if self.cycle is waiting_for and not self.transport.is_closing():
            self.transport.close()


QR_MARK = "NT1:"  # every QR payload starts with it (docs/proof-format.md §8)
REDACTED = "[QR-Text entfernt / QR text removed]"


class HidePayloads(logging.Filter):
    """Keeps QR payloads out of the access log. A browser never sends the fragment of `https://…/#NT1:…`, but a
    QR reader app that percent-encodes the `#` (`/%23NT1%3A…`), a hand-made link (`/?payload=NT1:…`) or an
    attacker's request would put a holder's name and claims into the log line: whatever follows the mark goes."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], redact(args[2]), args[3], args[4])
        return True


def redact(target: str) -> str:
    """``target`` cut before the first QR mark, in any case and up to three rounds of percent-encoding."""
    text = target
    for _ in range(4):
        at = text.upper().find(QR_MARK)
        if at >= 0:
            return text[:at] + REDACTED
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return target


def log_config() -> dict[str, Any]:
    """uvicorn's logging set-up plus :class:`HidePayloads` on the access log (each worker applies it)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["hide_payloads"] = {"()": "verifier.web.serving.HidePayloads"}
    config["handlers"]["access"]["filters"] = ["hide_payloads"]
    return config


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def bounded_config(app: Any, **options: Any) -> uvicorn.Config:
    """uvicorn settings that bound every wait on a client (see docs/verifier-web.md, "Limits")."""
    return uvicorn.Config(
        app,
        http=BoundedH11Protocol,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=LIMIT_CONCURRENCY,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        timeout_graceful_shutdown=10,
        # a loaded 2-core machine cannot promise that a busy worker answers its supervisor's ping within
        # uvicorn's 5 s: a worker killed for that takes every request in flight with it
        timeout_worker_healthcheck=30,
        backlog=1024,
        **({"log_config": log_config()} | options),
    )


def run(config: uvicorn.Config) -> None:
    """Serve ``config`` with ``config.workers`` processes sharing one listening socket."""
    if config.workers <= 1:
        uvicorn.Server(config).run()
        return
    Multiprocess(config, sockets=[listening_socket(config.host, config.port)]).run()
