"""The registry admin's key in an HSM: `[admin_signer]` names a PKCS#11 token key that deploys the registry and
authorises an issuer on a real anvil node; the key never leaves the token. admin_key_file still wins."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from typer.testing import CliRunner

from cli.main import app
from notary.chain import Registry, connect, fund_dev_account
from notary.errors import ConfigError
from notary.keys import create_key
from notary.signing.pkcs11_token import forget_sessions, generate_key, open_session
from tests.softhsm import MODULE, PIN, make_token, needs_softhsm

pytestmark = [needs_softhsm, pytest.mark.anvil]


@pytest.fixture(scope="module")
def token_conf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    conf = make_token(tmp_path_factory.mktemp("softhsm"), "city")
    before = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    forget_sessions(MODULE)  # SoftHSM reads its configuration when initialised
    try:
        yield str(conf)
    finally:
        if before is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = before
        forget_sessions(MODULE)


def _office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anvil_url: str, admin_table: str) -> None:
    (tmp_path / "pin").write_text(PIN)
    (tmp_path / "notary.toml").write_text(f'chain = "{anvil_url}"\n\n[admin_signer]\n{admin_table}')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NOTARY_CONFIG", raising=False)
    monkeypatch.delenv("NOTARY_KEY_FILE", raising=False)
    monkeypatch.delenv("NOTARY_ADMIN_KEY_FILE", raising=False)


def _notary(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), prog_name="notary", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_token_key_deploys_the_registry_and_authorises_an_issuer(
    token_conf: str, anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = generate_key(open_session(MODULE, "city", PIN), "city-admin")
    fund_dev_account(connect(anvil_url), admin)  # the token key pays its own gas
    table = f'kind = "pkcs11"\nmodule = "{MODULE}"\ntoken = "city"\nkey_label = "city-admin"\npin_file = "pin"\n'
    _office(tmp_path, monkeypatch, anvil_url, table)

    deployed = json.loads(_notary("registry", "deploy", "--json"))
    assert deployed["admin"] == admin
    school = Account.create().address
    _notary("registry", "add-issuer", school, "--name", "Realschule am Park")

    registry = Registry(connect(anvil_url), deployed["registry"])
    assert registry.issuer(school).name == "Realschule am Park"
    assert registry.admin_state().admin == admin  # the token's key holds the role, nothing else does
    assert not list(tmp_path.rglob("*.json")), "no keystore was written: the key stays in the token"


def test_admin_key_file_wins_over_the_table_and_a_keystore_kind_is_refused(
    token_conf: str, anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _office(tmp_path, monkeypatch, anvil_url, 'kind = "keystore"\n')
    with pytest.raises(ConfigError, match=r"\[admin_signer\] kind = 'keystore' is admin_key_file"):
        CliRunner().invoke(app, ["registry", "deploy"], prog_name="notary", catch_exceptions=False)

    key = create_key(tmp_path / "data", "city-admin", "password", kdf_cost=2)
    (tmp_path / "pw").write_text("password")
    fund_dev_account(connect(anvil_url), key.address)
    text = (tmp_path / "notary.toml").read_text()
    (tmp_path / "notary.toml").write_text(f'admin_key_file = "{key.path}"\nkey_password_file = "pw"\n' + text)
    deployed = json.loads(_notary("registry", "deploy", "--json"))
    assert deployed["admin"] == key.address
