"""The `notary` command end to end on a real anvil it manages itself: chain, keys, registry admin."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from notary import localchain
from tests.cli_inprocess import NOTARY, run_notary

pytestmark = pytest.mark.anvil


def run(cwd: Path, *args: str, ok: bool = True, real: bool = False) -> subprocess.CompletedProcess[str]:
    """``notary ARGS`` in ``cwd``: in this process (tests/cli_inprocess.py), or the installed script if ``real``."""
    env = {**os.environ, "NOTARY_KEY_PASSWORD": "correct horse battery"}
    env.pop("NOTARY_REGISTRY", None)
    env.pop("NOTARY_CONFIG", None)  # ./notary.toml in cwd, the operator's folder (a named file must exist)
    result = run_notary(args, cwd=cwd, env=env, timeout=120, real=real)
    if ok:
        assert result.returncode == 0, f"{args}: {result.stderr}"
    return result


def test_admin_walkthrough(tmp_path: Path) -> None:
    port = str(localchain.free_port())
    run(tmp_path, "chain", "up", "--port", port)
    try:
        twice = run(tmp_path, "chain", "up", "--port", port, ok=False, real=True)  # the installed script's line
        assert twice.returncode == 1 and "already running" in twice.stderr
        assert "Traceback" not in twice.stderr

        no_key = run(tmp_path, "registry", "deploy", ok=False)
        assert no_key.returncode == 1 and "notary keys new" in no_key.stderr

        admin = json.loads(run(tmp_path, "keys", "new", "admin", "--json").stdout)
        issuer = json.loads(run(tmp_path, "keys", "new", "school", "--json").stdout)
        listed = run(tmp_path, "keys", "list").stdout
        assert admin["address"] in listed and issuer["address"] in listed
        keystore = Path(admin["path"]).read_text()
        assert "ciphertext" in keystore and "scrypt" in keystore

        (tmp_path / "notary.toml").write_text('key_file = ".notary/keys/admin.json"\n')
        missing = run(tmp_path, "registry", "info", ok=False)
        assert missing.returncode == 1 and "notary registry deploy" in missing.stderr

        deployed = json.loads(run(tmp_path, "registry", "deploy", "--json").stdout)
        assert deployed["chain_id"] == 31337 and deployed["evm_version"] == "cancun"  # probed: anvil runs the newest
        pinned = (tmp_path / "notary.toml").read_text()
        assert deployed["registry"] in pinned and deployed["genesis_hash"] in pinned and "chain_id = 31337" in pinned

        run(tmp_path, "registry", "add-issuer", issuer["address"], "--name", "Realschule am Park")
        info = json.loads(run(tmp_path, "registry", "info", issuer["address"], "--json").stdout)
        assert info["issuer"]["name"] == "Realschule am Park" and info["issuer"]["active"]
        assert info["evm_version"] == "cancun" and info["genesis_hash"] == deployed["genesis_hash"]

        again = run(tmp_path, "registry", "add-issuer", issuer["address"], "--name", "X", ok=False)
        assert again.returncode == 1 and "IssuerAlreadyRegistered" in again.stderr
        assert "Traceback" not in again.stderr

        run(tmp_path, "registry", "retire-issuer", issuer["address"])
        info = json.loads(run(tmp_path, "registry", "info", issuer["address"], "--json").stdout)
        assert not info["issuer"]["active"] and info["issuer"]["retired_at_block"]

        wrong = run(tmp_path, "registry", "info", "--registry", "0x" + "11" * 20, ok=False)
        assert "no registry on chain 31337" in wrong.stderr

        # the chain keeps its state across a clean restart
        run(tmp_path, "chain", "down")
        run(tmp_path, "chain", "up", "--port", port)
        info = json.loads(run(tmp_path, "registry", "info", issuer["address"], "--json").stdout)
        assert info["issuer"]["name"] == "Realschule am Park"
    finally:
        run(tmp_path, "chain", "down", ok=False)


def test_wrong_password_is_one_clear_line(tmp_path: Path) -> None:
    run(tmp_path, "keys", "new", "admin")
    (tmp_path / "notary.toml").write_text('key_file = ".notary/keys/admin.json"\nchain = "memory"\n')
    env_run = subprocess.run(
        [NOTARY, "registry", "deploy"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "NOTARY_KEY_PASSWORD": "not the password",
            "NOTARY_CONFIG": str(tmp_path / "notary.toml"),
        },
    )
    assert env_run.returncode == 1
    assert "wrong password" in env_run.stderr and "Traceback" not in env_run.stderr
    assert len(env_run.stderr.strip().splitlines()) == 1
