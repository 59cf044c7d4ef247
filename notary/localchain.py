"""A managed local chain: anvil from node_modules on 127.0.0.1, its state persisted in the data dir.

anvil writes its state only on a clean exit unless ``--state-interval`` is given, so it is started with a
one-second interval: a SIGKILL loses at most about a second. That second matters when proofs were handed out in
it, so issuance calls :func:`persist` after each anchor, before stamping: the anchor is on disk before any proof
of it exists. (Whatever is lost anyway, re-running the same ``notary issue`` command anchors again.) The pid and
port are recorded so that ``notary chain`` can find, stop and refuse to double-start it.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import os
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from notary.errors import ChainError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ANVIL = PROJECT_ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
DEFAULT_PORT = 8545
CHAIN_ID = 31337
STATE_INTERVAL = 1.0  # seconds between anvil's own state dumps (--state-interval)


@dataclass(frozen=True)
class LocalChain:
    pid: int
    port: int
    state_file: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _dir(data_dir: Path) -> Path:
    return data_dir / "chain"


def _info_file(data_dir: Path) -> Path:
    return _dir(data_dir) / "anvil.json"


def anvil_binary() -> Path:
    override = os.environ.get("NOTARY_ANVIL")
    path = Path(override) if override else ANVIL
    if not path.exists():
        raise ChainError(f"anvil not found at {path}: run `make setup` (npm ci installs @foundry-rs/anvil)")
    return path


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (our own child that exited) still answers kill(0)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's roots), made once: httpx.post builds a new one per call, ~30 ms of
    CPU each time, and the managed node is asked at every persist. Its URLs are http://127.0.0.1 anyway."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def rpc_answers(url: str, timeout: float = 1.0) -> int | None:
    """The chain id if a JSON-RPC node answers at ``url``, else None."""
    try:
        reply = httpx.post(
            url,
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
            timeout=timeout,
            verify=_tls(),
        )
        return int(reply.json()["result"], 16)
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def running(data_dir: Path) -> LocalChain | None:
    """The recorded chain if its process is alive, else None (a stale record is removed)."""
    info = _info_file(data_dir)
    if not info.exists():
        return None
    try:
        data = json.loads(info.read_text())
        chain = LocalChain(int(data["pid"]), int(data["port"]), Path(data["state_file"]))
    except (ValueError, KeyError, TypeError):
        info.unlink(missing_ok=True)
        return None
    if not process_alive(chain.pid):
        info.unlink(missing_ok=True)
        return None
    return chain


HARDFORKS = ("london", "paris", "shanghai", "cancun", "prague")


def up(data_dir: Path, port: int | None = None, timeout: float = 20.0, *, hardfork: str | None = None) -> LocalChain:
    """Start anvil for this data dir; refuse if one is already running for it. ``hardfork`` stands in for a
    city's chain that is not on the newest EVM (default: anvil's own, the newest)."""
    if hardfork is not None and hardfork not in HARDFORKS:
        raise ChainError(f"unknown hardfork {hardfork!r}: use one of {', '.join(HARDFORKS)}")
    current = running(data_dir)
    if current is not None:
        raise ChainError(f"the local chain is already running at {current.url} (pid {current.pid})")
    binary = anvil_binary()
    if port is None:
        port = DEFAULT_PORT if _port_free(DEFAULT_PORT) else free_port()
    elif not _port_free(port):
        raise ChainError(f"port {port} on 127.0.0.1 is in use: choose another with --port")
    directory = _dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    state_file = directory / "state.json"
    log = (directory / "anvil.log").open("ab")
    process = subprocess.Popen(
        [
            str(binary),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--chain-id",
            str(CHAIN_ID),
            "--state",
            str(state_file),
            "--state-interval",
            str(int(STATE_INTERVAL)),
            *(["--hardfork", hardfork] if hardfork else []),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    chain = LocalChain(process.pid, port, state_file)
    deadline = time.monotonic() + timeout
    while rpc_answers(chain.url, timeout=0.5) is None:
        if process.poll() is not None:
            raise ChainError(f"anvil exited at start (code {process.returncode}); see {directory / 'anvil.log'}")
        if time.monotonic() > deadline:
            process.kill()
            raise ChainError(f"anvil did not answer on {chain.url} within {timeout:.0f} s")
        time.sleep(0.05)
    _info_file(data_dir).write_text(json.dumps({"pid": chain.pid, "port": port, "state_file": str(state_file)}))
    return chain


def dump_state(url: str, timeout: float = 30.0) -> bytes | None:
    """The node's current state as anvil writes it to its state file, by anvil_dumpState; None if the node did
    not give it. Historical states are left out (we start anvil without --preserve-historical-states): they
    grow the file with every block and nothing here reads old state."""
    try:
        reply = httpx.post(
            url,
            json={"jsonrpc": "2.0", "id": 1, "method": "anvil_dumpState", "params": [False]},
            timeout=timeout,
            verify=_tls(),
        )
        state = gzip.decompress(bytes.fromhex(str(reply.json()["result"]).removeprefix("0x")))
        parsed = json.loads(state)
    except (httpx.HTTPError, ValueError, KeyError, TypeError, OSError, EOFError):
        return None
    return state if isinstance(parsed, dict) and "blocks" in parsed else None


def write_state(state_file: Path, state: bytes) -> None:
    """Replace the state file whole: written beside it, synced, renamed over it (a kill leaves one or the other)."""
    temporary = state_file.with_name(state_file.name + ".tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(state)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, state_file)
    finally:
        temporary.unlink(missing_ok=True)


def persist(data_dir: Path, timeout: float = 30.0) -> bool:
    """Write the running chain's current state to its state file now, instead of within the next interval.

    False if the chain is not running or did not give its state (then its own interval writes it)."""
    chain = running(data_dir)
    if chain is None:
        return False
    state = dump_state(chain.url, timeout)
    if state is None:
        return False
    try:
        write_state(chain.state_file, state)
    except OSError:
        return False
    return True


def persist_or_wait(data_dir: Path) -> None:
    """persist(), or failing that, wait until anvil's own interval has written the state."""
    if not persist(data_dir):
        time.sleep(STATE_INTERVAL + 0.2)


def down(data_dir: Path, timeout: float = 15.0) -> LocalChain | None:
    """Stop the chain cleanly (SIGTERM makes anvil write its state); returns what was stopped, if anything."""
    chain = running(data_dir)
    if chain is None:
        return None
    os.kill(chain.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while process_alive(chain.pid):
        if time.monotonic() > deadline:
            os.kill(chain.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
        with contextlib.suppress(ChildProcessError):  # reap it if it is our child, so no zombie lingers
            os.waitpid(chain.pid, os.WNOHANG)
    _info_file(data_dir).unlink(missing_ok=True)
    return chain
