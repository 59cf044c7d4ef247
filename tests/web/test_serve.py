"""`notary serve` wiring: a clear error without trusted registries; the shared socket gets TCP_NODELAY; the
uvicorn limits that bound every wait on a client."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
import uvicorn

from cli.serve_cmd import serve
from notary.errors import ConfigError
from verifier.web import serving
from verifier.web.serving import listening_socket


def test_serve_refuses_without_trusted_registries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notary.toml").write_text('data_dir = ".notary"\n')
    monkeypatch.setenv("NOTARY_CONFIG", str(tmp_path / "notary.toml"))
    with pytest.raises(ConfigError, match="no trusted registries"):
        serve(port=0)


def test_serve_refuses_a_bad_demo_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="NAME=PATH"):
        serve(port=0, demo_file=["x.pdf"])


def test_shared_socket_connections_get_tcp_nodelay() -> None:
    """uvicorn's own multi-worker socket has proto 0, so asyncio skips TCP_NODELAY (+40 ms per response)."""
    sock = listening_socket("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP
    seen: list[int] = []

    async def scenario() -> None:
        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            peer = writer.get_extra_info("socket")
            seen.append(peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=sock)
        _, writer = await asyncio.open_connection(*sock.getsockname())
        await asyncio.sleep(0.1)
        writer.close()
        server.close()

    asyncio.run(scenario())
    assert seen and seen[0] != 0


def test_serve_bounds_every_wait_on_a_client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The uvicorn settings `notary serve` uses: request-head deadline, header size, keep-alive, concurrency."""
    seen: list[uvicorn.Config] = []
    config_file = tmp_path / "notary.toml"
    config_file.write_text(
        '[[trusted]]\nname = "X"\nchain_id = 1\naddress = "0x5FbDB2315678afecb367f032d315d8e9f2ba0aa3"\n'
        'rpc_url = "http://127.0.0.1:1"\n'
    )
    monkeypatch.setenv("NOTARY_CONFIG", str(config_file))
    monkeypatch.setattr(serving, "run", seen.append)
    serve(port=0, access_log=False)
    (config,) = seen
    assert config.http is serving.BoundedH11Protocol
    assert config.h11_max_incomplete_event_size == serving.MAX_HEADER_BYTES
    assert config.timeout_keep_alive == serving.KEEP_ALIVE_SECONDS
    assert config.limit_concurrency == serving.LIMIT_CONCURRENCY
    assert serving.HEADER_TIMEOUT_SECONDS <= 30


TRUSTED = (
    '[[trusted]]\nname = "X"\nchain_id = 1\naddress = "0x5FbDB2315678afecb367f032d315d8e9f2ba0aa3"\n'
    'rpc_url = "http://127.0.0.1:1"\n'
)


def test_workers_show_the_operator_of_the_served_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each worker builds its app from the file `notary serve` names in NOTARY_CONFIG: its [web.operator] too."""
    from fastapi.testclient import TestClient

    from verifier.web.main import app_from_env

    config_file = tmp_path / "notary.toml"
    config_file.write_text(TRUSTED + '\n[web.operator]\nname = "Stadt Mannheim"\ncontact = "E 5, Mannheim"\n')
    monkeypatch.setenv("NOTARY_CONFIG", str(config_file))
    with TestClient(app_from_env()) as client:
        page = client.get("/").text
    assert "Stadt Mannheim" in page and "E 5, Mannheim" in page


def test_serve_refuses_a_missing_legal_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config_file = tmp_path / "notary.toml"
    config_file.write_text(TRUSTED + '\n[web.operator]\nname = "Stadt"\nimpressum = "/nowhere/impressum.md"\n')
    monkeypatch.setenv("NOTARY_CONFIG", str(config_file))
    monkeypatch.setattr(serving, "run", lambda config: None)
    with pytest.raises(ConfigError, match="neither an https:// URL nor an existing file"):
        serve(port=0, access_log=False)
