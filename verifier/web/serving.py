"""Running the app under uvicorn, with one fix over ``uvicorn.run(workers=N)``.

Why our own listening socket: for N > 1 workers uvicorn creates it as ``socket.socket(family)``, whose
``proto`` is 0, and asyncio then skips TCP_NODELAY on every accepted connection (it checks for IPPROTO_TCP).
Responses go out as two writes (headers, body), so Nagle's algorithm and the client's delayed ACK add about
40 ms to every request. Measured with bench/verify_load.py: p50 48 ms with uvicorn's socket, 4 ms with this one.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run(config: uvicorn.Config) -> None:
    """Serve ``config`` with ``config.workers`` processes sharing one listening socket."""
    if config.workers <= 1:
        uvicorn.Server(config).run()
        return
    Multiprocess(config, sockets=[listening_socket(config.host, config.port)]).run()
