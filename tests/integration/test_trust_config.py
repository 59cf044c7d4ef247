"""`notary verify` trusts the user's own trust list, never a notary.toml that came with the document (issue 15.4).

The attack: an applicant hands over a folder with a certificate anchored on his own registry (genuinely signed,
genuinely anchored) and a notary.toml whose [[trusted]] names that registry "Stadt Mannheim", production = true.
Whoever runs `notary verify` inside that folder must not be told GÜLTIG, and must see which trust list was used.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest
from eth_account import Account

from notary.chain import Registry, connect, fund_dev_account
from notary.config import (
    add_trusted,
    load_trust_settings,
    operator_source,
    set_explicit_config,
    trust_source,
    user_config_file,
    write_config,
)
from notary.errors import ConfigFileError
from tests.cli_inprocess import run_notary
from tests.issuing import issue_samples


def _registry(url: str, name: str) -> tuple[Registry, object]:
    w3 = connect(url)
    admin, issuer = Account.create(), Account.create()
    for account in (admin, issuer):
        fund_dev_account(w3, account.address)
    registry, _ = Registry.deploy(w3, admin)
    registry.add_issuer(admin, issuer.address, name)
    return registry, issuer


def _trusted(registry: Registry, name: str, url: str, production: bool) -> dict[str, object]:
    return {
        "name": name,
        "chain_id": registry.chain_id,
        "address": registry.address,
        "rpc_url": url,
        "production": production,
    }


@pytest.fixture(scope="module")
def planted(anvil_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The applicant's folder (certificate + planted notary.toml) and a user whose own trust list names the city's
    real registry."""
    attacker, impostor = _registry(anvil_url, "Stadt Mannheim")
    genuine, _ = _registry(anvil_url, "Stadt Mannheim – Fachbereich Bildung")
    work = tmp_path_factory.mktemp("trust")
    issued = issue_samples(attacker, impostor, work / "issuing", count=1, seed=77)  # type: ignore[arg-type]
    folder = work / "bewerbung"
    folder.mkdir()
    (folder / "zeugnis.pdf").write_bytes(issued.notarised[0].read_bytes())
    write_config(folder / "notary.toml", {"trusted": [_trusted(attacker, "Stadt Mannheim", anvil_url, True)]})
    home = work / "home"
    user_trust = home / ".config" / "notary" / "notary.toml"
    user_trust.parent.mkdir(parents=True)
    write_config(user_trust, {"trusted": [_trusted(genuine, "Stadt Mannheim (echt)", anvil_url, True)]})
    return {"folder": folder, "home": home, "user_trust": user_trust, "empty_home": work / "empty-home"}


def verify(folder: Path, home: Path, *args: str, real: bool = False, **env: str) -> subprocess.CompletedProcess[str]:
    """`notary verify zeugnis.pdf ARGS` in ``folder``: in this process (tests/cli_inprocess.py) unless ``real``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_") and k != "XDG_CONFIG_HOME"}
    clean.update(HOME=str(home), **env)
    result = run_notary(["verify", "zeugnis.pdf", *args], cwd=folder, env=clean, timeout=180, real=real)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.mark.anvil
def test_a_planted_notary_toml_is_not_trusted_without_a_trust_list(planted: dict[str, object]) -> None:
    folder, empty_home = planted["folder"], planted["empty_home"]
    assert isinstance(folder, Path) and isinstance(empty_home, Path)
    result = verify(folder, empty_home)
    assert result.returncode == 78, result
    assert "GÜLTIG" not in result.stdout and "VALID" not in result.stdout
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "no trust list found" in line and str(empty_home / ".config" / "notary" / "notary.toml") in line
    assert "--config ./notary.toml" in line  # says how to opt in on purpose


@pytest.mark.anvil
def test_a_planted_notary_toml_is_not_trusted_and_the_trust_list_is_named(planted: dict[str, object]) -> None:
    folder, home, user_trust = planted["folder"], planted["home"], planted["user_trust"]
    assert isinstance(folder, Path) and isinstance(home, Path)
    text = verify(folder, home, real=True)  # the installed script, run inside the applicant's folder
    assert text.returncode == 1, text
    lines = text.stdout.splitlines()
    assert lines[0] == "UNGÜLTIG"
    assert f"Vertrauensliste: {user_trust} (eigene Konfiguration) — Stadt Mannheim (echt)" in lines
    assert str(folder / "notary.toml") not in text.stdout
    english = verify(folder, home, "--lang", "en", "--json")
    facts = json.loads(english.stdout)
    assert facts["verdict"] == "INVALID"
    assert facts["trust_list"] == {
        "file": str(user_trust),
        "source": "user config",
        "registries": ["Stadt Mannheim (echt)"],
    }
    # a relative XDG_CONFIG_HOME is invalid by the XDG spec: "." must not bring the folder's file back in
    dotted = json.loads(verify(folder, home, "--json", XDG_CONFIG_HOME=".").stdout)
    assert dotted["verdict"] == "INVALID" and dotted["trust_list"]["file"] == str(user_trust)


@pytest.mark.anvil
def test_the_folder_file_is_used_only_when_named(planted: dict[str, object]) -> None:
    folder, home = planted["folder"], planted["home"]
    assert isinstance(folder, Path) and isinstance(home, Path)
    named = json.loads(verify(folder, home, "--json", "--config", "./notary.toml").stdout)
    assert named["verdict"] == "VALID"  # the user asked for it: the attacker's registry is then "trusted"
    assert named["trust_list"]["source"] == "--config"
    assert named["trust_list"]["file"] == str(folder / "notary.toml")
    by_env = verify(folder, home, "--lang", "en", NOTARY_CONFIG="notary.toml")
    assert by_env.returncode == 0 and f"Trust list: {folder / 'notary.toml'} (NOTARY_CONFIG)" in by_env.stdout
    missing = verify(folder, home, "--config", "./nicht-da.toml")
    assert missing.returncode == 78 and "nicht-da.toml (from --config) does not exist" in missing.stderr


def test_source_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTARY_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    set_explicit_config(None)
    (tmp_path / "notary.toml").write_text('chain = "memory"\n')
    # the operator's commands read the folder's file; the verifier does not fall back to it
    assert operator_source().path == tmp_path / "notary.toml"
    with pytest.raises(ConfigFileError, match="no trust list found"):
        trust_source()
    assert user_config_file() == tmp_path / "xdg" / "notary" / "notary.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")
    assert user_config_file() == tmp_path / "home" / ".config" / "notary" / "notary.toml"
    # a file without [[trusted]] is not a trust list
    user = user_config_file()
    user.parent.mkdir(parents=True)
    user.write_text('chain = "memory"\n')
    with pytest.raises(ConfigFileError, match="names no \\[\\[trusted\\]\\] registry"):
        load_trust_settings()
    # the global --config wins over NOTARY_CONFIG, and a command's own --config over both
    other = tmp_path / "other.toml"
    other.write_text("")
    monkeypatch.setenv("NOTARY_CONFIG", str(other))
    assert trust_source().how == "NOTARY_CONFIG"
    try:
        set_explicit_config(tmp_path / "notary.toml")
        assert trust_source().path == tmp_path / "notary.toml" and trust_source().how == "--config"
        assert trust_source(other).path == other
    finally:
        set_explicit_config(None)


def test_add_trusted_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "notary.toml"
    entry = {"name": "Demo", "chain_id": 31337, "address": "0x" + "11" * 20, "rpc_url": "http://a", "production": False}
    add_trusted(path, entry)
    mine = {"name": "Stadt Mannheim", "chain_id": 1, "address": "0x" + "22" * 20, "rpc_url": "https://b"}
    path.write_text(
        path.read_text() + '\n# my own entry\n[[trusted]]\nname = "Stadt Mannheim"\nchain_id = 1\n'
        f'address = "{mine["address"]}"\nrpc_url = "https://b"\n'
    )
    add_trusted(path, {**entry, "rpc_url": "http://c"})
    parsed = tomllib.loads(path.read_text())
    assert [t["name"] for t in parsed["trusted"]] == ["Stadt Mannheim", "Demo"]
    assert parsed["trusted"][1]["rpc_url"] == "http://c"
    assert "# my own entry" in path.read_text()
    path.write_text("not = [toml\n")
    with pytest.raises(ValueError):
        add_trusted(path, entry)


def test_the_trust_line_names_an_environment_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.settings_opts import trust_for_verify

    monkeypatch.delenv("NOTARY_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    entry = {"name": "Stadt A", "chain_id": 1, "address": "0x" + "11" * 20, "rpc_url": "https://a"}
    add_trusted(tmp_path / "notary" / "notary.toml", entry)
    _, used = trust_for_verify()
    assert used.to_json() == {"file": str(tmp_path / "notary" / "notary.toml"), "source": "user config",
                              "registries": ["Stadt A"]}  # fmt: skip
    monkeypatch.setenv("NOTARY_TRUSTED", json.dumps([{**entry, "name": "Stadt B"}]))
    _, used = trust_for_verify()
    assert used.how == "user config + NOTARY_TRUSTED" and used.registries == ["Stadt B"]
    assert used.line("en").endswith("(user config + NOTARY_TRUSTED) — Stadt B")
