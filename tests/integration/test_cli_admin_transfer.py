"""`notary registry admin-transfer begin|accept|cancel|show` end to end on a real anvil the CLI manages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notary import localchain
from notary.chain import connect
from notary.chain.registry import DEFAULT_ADMIN_DELAY
from tests.chaintools import advance_time
from tests.integration.test_cli_admin import run

pytestmark = pytest.mark.anvil


def test_admin_hand_over_walkthrough(tmp_path: Path) -> None:
    port = localchain.free_port()
    run(tmp_path, "chain", "up", "--port", str(port))
    try:
        admin = json.loads(run(tmp_path, "keys", "new", "admin", "--json").stdout)
        heir = json.loads(run(tmp_path, "keys", "new", "heir", "--json").stdout)
        (tmp_path / "notary.toml").write_text('key_file = ".notary/keys/admin.json"\n')
        deployed = json.loads(run(tmp_path, "registry", "deploy", "--json").stdout)
        assert deployed["admin_delay"] == DEFAULT_ADMIN_DELAY

        shown = json.loads(run(tmp_path, "registry", "admin-transfer", "show", "--json").stdout)
        assert shown == {"admin": admin["address"], "pending": None, "accept_after": None, "delay": DEFAULT_ADMIN_DELAY}

        begun = run(tmp_path, "registry", "admin-transfer", "begin", heir["address"])
        assert heir["address"] in begun.stdout and "may accept" in begun.stdout
        heir_key = ["--key-file", heir["path"]]
        early = run(tmp_path, "registry", "admin-transfer", "accept", *heir_key, ok=False)
        assert early.returncode == 1 and "AccessControlEnforcedDefaultAdminDelay" in early.stderr
        assert "Traceback" not in early.stderr and len(early.stderr.strip().splitlines()) == 1
        run(tmp_path, "registry", "admin-transfer", "cancel")
        assert json.loads(run(tmp_path, "registry", "admin-transfer", "show", "--json").stdout)["pending"] is None

        run(tmp_path, "registry", "admin-transfer", "begin", heir["address"])
        pending = json.loads(run(tmp_path, "registry", "admin-transfer", "show", "--json").stdout)
        assert pending["pending"] == heir["address"] and pending["accept_after"]
        advance_time(connect(f"http://127.0.0.1:{port}"), DEFAULT_ADMIN_DELAY + 60)
        run(tmp_path, "registry", "admin-transfer", "accept", *heir_key)
        shown = json.loads(run(tmp_path, "registry", "admin-transfer", "show", "--json").stdout)
        assert shown["admin"] == heir["address"]

        school = json.loads(run(tmp_path, "keys", "new", "school", "--json").stdout)
        refused = run(tmp_path, "registry", "add-issuer", school["address"], "--name", "Schule", ok=False)
        assert refused.returncode == 1 and "AccessControlUnauthorizedAccount" in refused.stderr
        added = run(tmp_path, "registry", "add-issuer", school["address"], "--name", "Schule", *heir_key)
        assert "authorised from block" in added.stdout
    finally:
        run(tmp_path, "chain", "down", ok=False)
