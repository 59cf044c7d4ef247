"""Reading request bodies ourselves: capped while streaming, parsed in memory, never spooled to disk.

Why not ``request.form()``: Starlette spools file parts over 1 MB to temporary files (an uploaded
certificate must never touch the disk) and reads the whole body before any limit applies. Here the
Content-Length is checked first and every chunk is counted as it arrives, so an oversized upload costs at
most ``limit`` bytes of memory before the 413.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from verifier.web.errors import bad_request, busy, slow_upload, too_large, too_many_uploads, unsupported_type

FileKind = Literal["pdf", "image"]
MAX_PARTS = 8
MAX_BOXED = 100_000  # clients in the penalty box at once
MULTIPART_OVERHEAD = 16 * 1024  # boundaries and part headers on top of the file itself
FIELDS = ("file", "payload")

PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"


@dataclass(frozen=True)
class BodyLimits:
    """How long a client may take to send a body: a stalled or trickling client must not hold its share of the
    upload memory (or a connection) for long. ``min_rate`` applies after ``grace`` seconds (slow starts)."""

    idle_seconds: float = 10.0
    min_rate: int = 16 * 1024
    max_seconds: float = 60.0
    grace: float = 5.0


class ByteBudget:
    """Bounds the upload bytes one worker holds at once: waiting uploads are in memory too (20 MB each)."""

    def __init__(self, limit: int, body: BodyLimits | None = None) -> None:
        self.limit = limit
        self.used = 0
        self.body = body or BodyLimits()

    def ticket(self, client: str = "", uploads: OpenUploads | None = None) -> Ticket:
        return Ticket(self, client, uploads)


class OpenUploads:
    """Requests with a body in progress, per client and in total: one client cannot take every slot, and when
    all are taken the answer is an immediate 503 with Retry-After (touched on the event loop only).

    Also a penalty box: a client whose upload ran into a worker's time or resource limit waits ``penalty``
    seconds before its next upload (429). Parsing capacity is what a hostile file spends; without this a few
    addresses sending crafted files could keep every worker busy and queue everybody else behind them."""

    def __init__(
        self, per_client: int, total: int, penalty: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_client = per_client
        self.total = total
        self.penalty = penalty
        self.by_client: dict[str, int] = {}
        self.open = 0
        self.boxed: dict[str, float] = {}  # client -> until when (clock time)
        self._clock = clock

    def enter(self, client: str) -> None:
        until = self.boxed.get(client)
        if until is not None:
            left = until - self._clock()
            if left > 0:
                raise too_many_uploads(left)
            del self.boxed[client]
        if self.open >= self.total:
            raise busy()
        if self.by_client.get(client, 0) >= self.per_client:
            raise too_many_uploads()
        self.by_client[client] = self.by_client.get(client, 0) + 1
        self.open += 1

    def leave(self, client: str) -> None:
        self.open -= 1
        left = self.by_client.get(client, 1) - 1
        if left > 0:
            self.by_client[client] = left
        else:
            self.by_client.pop(client, None)

    def penalise(self, client: str) -> None:
        if self.penalty <= 0:
            return
        now = self._clock()
        if len(self.boxed) >= MAX_BOXED:  # drop the expired ones (a flood of addresses cannot grow it for ever)
            self.boxed = {c: t for c, t in self.boxed.items() if t > now}
            while len(self.boxed) >= MAX_BOXED:
                self.boxed.pop(next(iter(self.boxed)))
        self.boxed[client] = now + self.penalty


class Ticket:
    """One request's share of the budget; released when the request is done."""

    def __init__(self, budget: ByteBudget, client: str = "", uploads: OpenUploads | None = None) -> None:
        self.budget = budget
        self.body = budget.body
        self.client = client
        self.uploads = uploads
        self.held = 0
        self.kept = False

    def take(self, size: int) -> None:
        if self.budget.used + size > self.budget.limit:
            raise busy()
        self.budget.used += size  # only touched on the event loop: no lock needed
        self.held += size

    def release(self) -> None:
        """Give the bytes back (at the end of the request), unless :meth:`keep` holds them."""
        if self.kept:
            return
        self.budget.used -= self.held
        self.held = 0

    def penalise(self) -> None:
        """This request's upload ran into a worker's limit: its client waits before the next one."""
        if self.uploads is not None:
            self.uploads.penalise(self.client)

    def keep(self) -> Callable[[], None]:
        """Hold the bytes past the end of the request, until the returned function is called: a job queued for
        a worker process still holds the upload until it has been handed over."""
        self.kept = True

        def give_back() -> None:
            self.kept = False
            self.release()

        return give_back


async def body_chunks(
    request: Request, limits: BodyLimits, clock: Callable[[], float] = time.monotonic
) -> AsyncIterator[bytes]:
    """The body's chunks; 408 when the client pauses longer than ``idle_seconds``, sends slower than
    ``min_rate`` on average (after ``grace``), or takes longer than ``max_seconds`` in all."""
    stream = request.stream().__aiter__()
    started = clock()
    received = 0
    while True:
        elapsed = clock() - started
        wait = min(limits.idle_seconds, limits.max_seconds - elapsed)
        if wait <= 0:
            raise slow_upload()
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), wait)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise slow_upload() from None
        received += len(chunk)
        elapsed = clock() - started
        if elapsed > limits.grace and received < limits.min_rate * elapsed:
            raise slow_upload()
        yield chunk


@dataclass
class Part:
    name: str = ""
    filename: str | None = None
    content_type: str | None = None
    data: bytearray = field(default_factory=bytearray)


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise bad_request("bad-length", "Ungültige Längenangabe.", "Invalid Content-Length.") from None


async def read_body(request: Request, limit: int, ticket: Ticket) -> bytes:
    """The whole body, or 413 as soon as it exceeds ``limit`` (before reading it when Content-Length says so)."""
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        raise too_large(limit)
    body = bytearray()
    async for chunk in body_chunks(request, ticket.body):
        ticket.take(len(chunk))
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


async def read_json(request: Request, limit: int, ticket: Ticket) -> Any:
    body = await read_body(request, limit, ticket)
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise bad_request("bad-json", "Der JSON-Inhalt ist fehlerhaft.", "The JSON body is malformed.") from None


async def read_form(request: Request, file_limit: int, ticket: Ticket) -> dict[str, Part]:
    """The form's parts by name (first one wins), parsed while the body streams in."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary or len(boundary) > 200:
        raise unsupported_type("Content-Type")
    limit = file_limit + MULTIPART_OVERHEAD
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        raise too_large(file_limit)

    parts: list[Part] = []
    header_field = bytearray()
    header_value = bytearray()

    def on_part_begin() -> None:
        if len(parts) >= MAX_PARTS:
            raise bad_request("too-many-parts", "Zu viele Formularfelder.", "Too many form fields.")
        parts.append(Part())

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1].data += data[start:end]

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        name = bytes(header_field).strip().lower()
        if name == b"content-disposition":
            _, disposition = parse_options_header(bytes(header_value))
            parts[-1].name = disposition.get(b"name", b"").decode("utf-8", "replace")
            filename = disposition.get(b"filename")
            parts[-1].filename = None if filename is None else filename.decode("utf-8", "replace")
        elif name == b"content-type":
            parts[-1].content_type = bytes(header_value).decode("latin-1").strip().lower()
        header_field.clear()
        header_value.clear()

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
        },
    )
    received = 0
    try:
        async for chunk in body_chunks(request, ticket.body):
            received += len(chunk)
            ticket.take(len(chunk))
            if received > limit:
                raise too_large(file_limit)
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        raise bad_request("bad-form", "Das Formular ist fehlerhaft.", "The form data is malformed.") from None
    found: dict[str, Part] = {}
    for part in parts:
        if part.name in FIELDS and part.name not in found:
            found[part.name] = part
    if "file" in found and len(found["file"].data) > file_limit:
        raise too_large(file_limit)
    return found


def file_kind(data: bytes | bytearray, filename: str | None, content_type: str | None) -> FileKind:
    """'pdf' or 'image', judged by the bytes first (clients mislabel), then by what the client declared."""
    head = bytes(data[:1024])
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith((PNG, JPEG)) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    name = (filename or "").lower()
    declared = (content_type or "").split(";")[0].strip()
    if declared == "application/pdf" or name.endswith(".pdf"):
        return "pdf"  # a damaged PDF gets a verdict that says it cannot be read (NOT_CHECKABLE), not a 415
    if declared in ("image/png", "image/jpeg", "image/webp") or name.endswith((".png", ".jpg", ".jpeg", ".webp")):
        return "image"
    raise unsupported_type(declared)
