"""A lean JSON-RPC batch transport for the verifier's hot path: several calls in one POST on a kept-alive
connection.

Why not web3's own: one ``contract.functions.x().call()`` costs ~8 ms of Python (ABI formatters, middleware)
and requests another ~1 ms (proxy lookup from the environment on every request); the node answers in well
under 1 ms. A verifier reads the chain for every distinct document, so that overhead was most of a
verification. This transport only moves bytes: callers encode and decode, and on *any* failure here they
take the ordinary web3 path, so errors keep exactly their usual wording and retries.

Used only where it cannot change what is reached: plain ``http://`` URLs without user info, with no proxy
configured in the environment (requests would honour one; http.client does not). Everything else (https with
its certificate handling, proxies, basic auth) stays on web3/requests.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import urllib.request
from typing import Any
from urllib.parse import urlsplit


class RpcFailure(Exception):
    """The batch could not be sent or its answer read; the caller falls back to the ordinary path."""


class BatchRpc:
    """JSON-RPC batches to one ``http://`` endpoint; one keep-alive connection per thread."""

    def __init__(self, url: str, *, timeout: float, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(url)
        if parts.hostname is None:
            raise ValueError(f"no host in {url!r}")
        self._host = parts.hostname
        self._port = parts.port or 80
        self._target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout = timeout
        self._headers = {**(headers or {}), "Content-Type": "application/json"}
        self._local = threading.local()
        self._refused = False  # the node does not take batches: stop offering them

    @classmethod
    def for_url(cls, url: str, *, timeout: float, headers: dict[str, str] | None = None) -> BatchRpc | None:
        """A transport for ``url``, or None where requests would reach the node differently (see module)."""
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.username or parts.password or not parts.hostname:
            return None
        if urllib.request.getproxies():
            return None
        return cls(url, timeout=timeout, headers=headers)

    def call(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """The responses to ``calls`` (method, params), in their order; raises RpcFailure."""
        if self._refused:
            raise RpcFailure("the node takes no batches")
        batch = [{"jsonrpc": "2.0", "id": i, "method": m, "params": params} for i, (m, params) in enumerate(calls)]
        body = json.dumps(batch).encode()
        for attempt in (1, 2):
            conn, reused = self._connection()
            try:
                conn.request("POST", self._target, body, self._headers)
                reply = conn.getresponse()
                data = reply.read()
                break
            except (OSError, http.client.HTTPException) as exc:
                self._drop()  # never reuse a connection that failed
                stale = isinstance(exc, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError))
                if not (reused and stale and attempt == 1):
                    raise RpcFailure(type(exc).__name__) from exc
                # the node closed the idle kept-alive connection: the calls are reads, so ask once more afresh
        if reply.status != 200:
            raise RpcFailure(f"HTTP {reply.status}")
        try:
            answers = json.loads(data)
        except ValueError as exc:
            raise RpcFailure("not JSON") from exc
        if not isinstance(answers, list):
            self._refused = True  # some nodes answer a whole batch with one error object
            raise RpcFailure("not a batch answer")
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        ordered = [by_id.get(i) for i in range(len(calls))]
        if any(a is None for a in ordered):
            raise RpcFailure("answers missing from the batch")
        return [a for a in ordered if a is not None]

    def close(self) -> None:
        self._drop()

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection and whether it was used before."""
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, True
        conn = _NoDelayConnection(self._host, self._port, timeout=self._timeout)
        self._local.conn = conn
        return conn, False

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()


class _NoDelayConnection(http.client.HTTPConnection):
    """Small requests go out at once: Nagle's algorithm plus the node's delayed ACK can add 40 ms to a POST."""

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
