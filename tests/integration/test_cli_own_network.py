"""The city office's walk-through with the `notary` command on networks it does not manage: a second client
(ganache, Shanghai, mining on demand, confirmations = 2) and anvil on Paris with zero gas price (keys that hold
nothing). Deploy, add-issuer, issue, verify, revoke, a bulk of 200, serve + POST; then a reset chain.
(The cheaper library-level walk-through runs on each hardfork in test_evm_targets.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx
import pytest
from eth_account import Account

from notary import localchain
from notary.chain import connect, fund_dev_account
from notary.config import load_settings
from notary.errors import ConfigError
from notary.pdf.samples import make_certificates
from tests.chaintools import dev_node, mine
from tests.cli_inprocess import NOTARY, run_notary

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.anvil


@dataclass(frozen=True)
class Network:
    kind: str
    args: tuple[str, ...]
    build: str  # the EVM build deploy must pick by probing
    settings: str  # extra notary.toml lines
    funded: bool  # whether keys need gas money
    confirmations: int = 0


NETWORKS = {
    # a second client: ganache runs Shanghai, mines on demand (blocks come from the producer thread)
    "ganache-shanghai": Network("ganache", ("--chain.chainId", "1337"), "shanghai",
                                "confirmations = 2\nblock_time = 1\n", True, 2),
    # Paris (no PUSH0) with zero gas price: the keys never hold any ether
    "anvil-paris-zero-fee": Network("anvil", ("--hardfork", "paris", "--base-fee", "0", "--gas-price", "0"), "london",
                                    "priority_fee = 0\n", False),
}  # fmt: skip


def notary(
    cwd: Path, *args: str, code: int | None = 0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
    environment.update(NOTARY_CONFIG=str(cwd / "notary.toml"), NOTARY_KEY_PASSWORD=PASSWORD, **(env or {}))
    environment["XDG_CONFIG_HOME"] = str(cwd / "user-config")
    result = run_notary(args, cwd=cwd, env=environment, timeout=300)  # in this process: tests/cli_inprocess.py
    assert "Traceback" not in result.stderr, result.stderr
    if code is not None:
        assert result.returncode == code, f"{args}: rc={result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def _keystore(path: Path) -> str:
    """A keystore v3 file (cheap KDF: this is a test); returns its address."""
    account = Account.create()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(Account.encrypt(account.key, PASSWORD, kdf="pbkdf2", iterations=2)))
    return str(account.address)


@cache
def _certificates(count: int, seed: int) -> tuple[bytes, ...]:
    """Drawn once per module: 200 certificates take ~6 s, and both networks get the same (deterministic) ones."""
    return tuple(make_certificates(count, seed=seed))


def _inputs(folder: Path, count: int, seed: int) -> Path:
    folder.mkdir(parents=True)
    for i, pdf in enumerate(_certificates(count, seed)):
        (folder / f"zeugnis-{i:03d}.pdf").write_bytes(pdf)
    return folder


@contextmanager
def block_producer(url: str, every: float = 0.3) -> Iterator[None]:
    """Blocks keep coming, as on a network with other users; a node that mines on demand has none otherwise."""
    w3, stop = connect(url), threading.Event()

    def produce() -> None:
        while not stop.wait(every):
            mine(w3)

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@contextmanager
def served(cwd: Path) -> Iterator[str]:
    port = localchain.free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
    environment["NOTARY_CONFIG"] = str(cwd / "notary.toml")
    environment["NOTARY_WEB_VERIFY_TIMEOUT_SECONDS"] = "30"  # the 1.5 s default cut genuine checks on a loaded CI box
    server = subprocess.Popen(
        [NOTARY, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
        cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else "serve exited"
            assert time.monotonic() < deadline, "notary serve did not answer"
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(30)


@pytest.mark.parametrize("name", list(NETWORKS))
def test_city_office_walkthrough(name: str, tmp_path: Path) -> None:
    net = NETWORKS[name]
    with dev_node(net.kind, *net.args) as url:
        admin = _keystore(tmp_path / "keys" / "admin.json")
        school = _keystore(tmp_path / "keys" / "school.json")
        (tmp_path / "notary.toml").write_text(f'chain = "{url}"\nkey_file = "keys/admin.json"\n' + net.settings)
        as_school = {"NOTARY_KEY_FILE": str(tmp_path / "keys" / "school.json")}
        if net.funded:
            funded = notary(tmp_path, "chain", "fund", admin).stdout
            assert f"funded {admin}" in funded
        if net.build == "shanghai":  # the cancun build would deploy there and then fail every verification
            refused = notary(tmp_path, "registry", "deploy", env={"NOTARY_EVM_VERSION": "cancun"}, code=1)
            assert "evm_version = cancun needs MCOPY" in refused.stderr and "runs shanghai" in refused.stderr
        with block_producer(url) if net.confirmations else _nothing():
            deployed = json.loads(notary(tmp_path, "registry", "deploy", "--json").stdout)
            assert deployed["evm_version"] == net.build
            config = (tmp_path / "notary.toml").read_text()
            for pinned in ("registry", "chain_id", "genesis_hash", "evm_version"):
                assert f"{pinned} = " in config
            notary(tmp_path, "registry", "add-issuer", school, "--name", "Realschule am Park")
            if net.funded:
                fund_dev_account(connect(url), school)
            with (tmp_path / "notary.toml").open("a") as config_file:  # the verifier's trust list
                config_file.write(
                    f'\n[[trusted]]\nname = "Stadt"\nchain_id = {deployed["chain_id"]}\n'
                    f'address = "{deployed["registry"]}"\nrpc_url = "{url}"\n'
                )

            src = _inputs(tmp_path / "in", 3, seed=7)
            claims = ("--type", "zeugnis", "--title", "Abschlusszeugnis", "--holder", "Lena Müller")
            issued = json.loads(notary(tmp_path, "issue", str(src), "--out", "out", *claims, "--json",
                                       env=as_school).stdout)  # fmt: skip
            assert issued["issued"] == 3
            first, second = tmp_path / "out" / "zeugnis-000.pdf", tmp_path / "out" / "zeugnis-001.pdf"
            assert json.loads(notary(tmp_path, "verify", str(first), "--json").stdout)["verdict"] == "VALID"
            notary(tmp_path, "revoke", "--document", str(second), "--reason", "superseded", env=as_school)
            history = json.loads(notary(tmp_path, "status", str(second), "--json").stdout)
            assert [e["state"] for e in history["history"]] == ["revoked"]

            bulk = _inputs(tmp_path / "bulk", 200, seed=8)
            summary = json.loads(notary(tmp_path, "issue", str(bulk), "--out", "bulk-out", *claims,
                                        "--batch-size", "100", "--json", env=as_school).stdout)  # fmt: skip
            assert summary["issued"] == 200

            last = tmp_path / "bulk-out" / "zeugnis-199.pdf"
            with served(tmp_path) as web:
                for path, verdict in ((first, "VALID"), (second, "REVOKED"), (last, "VALID")):
                    upload = {"file": (path.name, path.read_bytes(), "application/pdf")}
                    answer = httpx.post(f"{web}/api/v1/verify", files=upload, timeout=120)
                    assert answer.status_code == 200 and answer.json()["verdict"] == verdict, answer.text
        if net.confirmations:
            # nobody mines any more: the wait ends in one clear line saying the transaction is on chain
            config = (tmp_path / "notary.toml").read_text()
            hasty = config.replace("block_time = 1", "block_time = 0.1\nreceipt_timeout = 3")
            (tmp_path / "notary.toml").write_text(hasty)
            stuck = notary(tmp_path, "revoke", "--document", str(first), env=as_school, code=1)
            assert "has not got 2 confirmations" in stuck.stderr and "stays on chain" in stuck.stderr
            assert len(stuck.stderr.strip().splitlines()) == 1


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def test_a_reset_chain_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    admin = _keystore(tmp_path / "keys" / "admin.json")
    port = localchain.free_port()
    (tmp_path / "notary.toml").write_text(f'chain = "http://127.0.0.1:{port}"\nkey_file = "keys/admin.json"\n')
    # anvil on the configured port, started twice: a restart without state is a new chain with the same id
    anvil = str(localchain.anvil_binary())

    def start(*args: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([anvil, "--host", "127.0.0.1", "--port", str(port), "--silent", *args])
        while localchain.rpc_answers(f"http://127.0.0.1:{port}", timeout=0.5) is None:
            assert process.poll() is None
            time.sleep(0.1)
        return process

    first = start()
    try:
        notary(tmp_path, "chain", "fund", admin)
        deployed = json.loads(notary(tmp_path, "registry", "deploy", "--json").stdout)
    finally:
        first.terminate()
        first.wait(30)
    # same port, same chain id 31337, a new genesis (a later time; fixed, so a fast machine cannot restart within
    # the same second and get the same genesis): the registry and its anchors are gone
    second = start("--timestamp", str(int(time.time()) + 3600))
    try:
        fund_dev_account(connect(f"http://127.0.0.1:{port}"), admin)
        for args in (("registry", "info"), ("registry", "deploy")):
            refused = notary(tmp_path, *args, code=1)
            assert "wrong chain" in refused.stderr and "another genesis block" in refused.stderr, refused.stderr
        assert connect(f"http://127.0.0.1:{port}").eth.get_transaction_count(admin) == 0  # nothing was sent
        src = _inputs(tmp_path / "in", 1, seed=9)
        refused = notary(tmp_path, "issue", str(src), "--out", "out", "--type", "zeugnis", "--title", "T",
                         "--holder", "H", code=None)  # fmt: skip
        assert refused.returncode != 0 and "wrong chain" in refused.stderr
        assert not list((tmp_path / "out").glob("*.pdf"))
        again = json.loads(notary(tmp_path, "registry", "deploy", "--repin", "--json").stdout)
        assert again["registry"] == deployed["registry"]  # same key and nonce: same address, another chain
        assert again["genesis_hash"] != deployed["genesis_hash"]
        assert again["genesis_hash"] in (tmp_path / "notary.toml").read_text()
    finally:
        second.terminate()
        second.wait(30)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('tx_type = "eip-1559"', "tx_type"),
        ('evm_version = "berlin"', "evm_version"),
        ("gas_price = -1", "gas_price"),
        ("priority_fee = 1.5", "priority_fee"),
        ("log_chunk = 0", "log_chunk"),
        ("receipt_timeout = 0", "receipt_timeout"),
        ('block_time = "soon"', "block_time"),
        ('genesis_hash = "0x1234"', "genesis_hash"),
        ("chain_id = 0", "chain_id"),
        ('estimate_gas = "maybe"', "estimate_gas"),
    ],
)
def test_bad_chain_settings_are_named(line: str, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notary.toml").write_text(f'chain = "memory"\n{line}\n')
    monkeypatch.setenv("NOTARY_CONFIG", str(tmp_path / "notary.toml"))
    with pytest.raises(ConfigError, match=f"bad configuration value for {key}"):
        load_settings()


def test_a_bad_chain_setting_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "notary.toml").write_text('chain = "memory"\ntx_type = "eip-1559"\n')
    result = notary(tmp_path, "registry", "info", code=None)
    assert result.returncode not in (0, 70) and "tx_type" in result.stderr and "legacy" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
