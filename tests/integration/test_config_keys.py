"""Configuration and keystores: bad input gives one clear NotaryError, secrets never leak."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notary.chain.reverts import decode_revert_data, revert_from_exception
from notary.config import load_settings, missing_config_hint, update_config, write_config
from notary.errors import ConfigFileError, KeyStoreError, UsageError
from notary.keys import create_key, list_keys, load_account, resolve_password


def test_toml_and_env_layering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "notary.toml"
    write_config(config, {"chain": "http://127.0.0.1:9999", "registry": "0x" + "ab" * 20, "confirmations": 2})
    monkeypatch.setenv("NOTARY_CONFIG", str(config))
    settings = load_settings()
    assert settings.chain == "http://127.0.0.1:9999" and settings.confirmations == 2
    monkeypatch.setenv("NOTARY_CHAIN", "memory")
    assert load_settings().chain == "memory"
    assert load_settings(chain="local").chain == "local"
    update_config(config, "registry", "0x" + "cd" * 20)
    assert load_settings().registry == "0x" + "cd" * 20


def test_bad_values_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    monkeypatch.setenv("NOTARY_CONFIG", str(empty))
    monkeypatch.setenv("NOTARY_REGISTRY", "0x1234")
    with pytest.raises(ConfigFileError, match="registry in NOTARY_REGISTRY"):
        load_settings()
    monkeypatch.delenv("NOTARY_REGISTRY")
    with pytest.raises(UsageError, match="--registry"):  # a bad option value is the command line's fault
        load_settings(registry="0x1234")
    monkeypatch.setenv("NOTARY_CONFIRMATIONS", "-1")
    with pytest.raises(ConfigFileError, match="confirmations in NOTARY_CONFIRMATIONS"):
        load_settings()
    bad = tmp_path / "bad.toml"
    bad.write_text("chain = [unclosed\n")
    monkeypatch.setenv("NOTARY_CONFIG", str(bad))
    monkeypatch.delenv("NOTARY_CONFIRMATIONS")
    with pytest.raises(ConfigFileError, match=r"cannot parse the configuration file .*bad\.toml"):
        load_settings()


def test_a_named_config_must_exist_and_paths_are_relative_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOTARY_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigFileError, match=r"absent\.toml \(from NOTARY_CONFIG\) does not exist"):
        load_settings()
    monkeypatch.setenv("NOTARY_CONFIG", str(tmp_path))
    with pytest.raises(ConfigFileError, match="is not a file"):
        load_settings()
    monkeypatch.delenv("NOTARY_CONFIG")
    # no file at all: defaults, and the source says where it looked
    settings = load_settings()
    assert settings.source.path is None and settings.source.looked_in == (tmp_path / "notary.toml",)
    assert "no configuration found" in missing_config_hint(settings)
    project = tmp_path / "project"
    project.mkdir()
    write_config(project / "notary.toml", {"data_dir": "state", "key_file": "keys/k.json"})
    monkeypatch.setenv("NOTARY_CONFIG", str(project / "notary.toml"))
    settings = load_settings()
    assert settings.data_path == project / "state" and settings.resolved(settings.key_file) == project / "keys/k.json"
    assert settings.source.how == "NOTARY_CONFIG" and missing_config_hint(settings) == ""


def test_keystore_roundtrip_and_errors(tmp_path: Path) -> None:
    info = create_key(tmp_path, "school", "a long password", kdf_cost=2**10)
    assert (info.path.stat().st_mode & 0o777) == 0o600
    stored = info.path.read_text()
    account = load_account(info.path, "a long password")
    assert account.address == info.address
    assert account.key.hex() not in stored and account.key.hex()[2:] not in stored
    assert [k.address for k in list_keys(tmp_path)] == [info.address]
    with pytest.raises(KeyStoreError, match="wrong password"):
        load_account(info.path, "another password")
    with pytest.raises(KeyStoreError, match="exists already"):
        create_key(tmp_path, "school", "a long password", kdf_cost=2**10)
    with pytest.raises(KeyStoreError, match="at least 8"):
        create_key(tmp_path, "other", "short")
    with pytest.raises(KeyStoreError, match="bad key name"):
        create_key(tmp_path, "../escape", "a long password")
    info.path.write_text(json.dumps({"not": "a keystore"}))
    with pytest.raises(KeyStoreError, match="keystore"):
        load_account(info.path, "a long password")


def test_password_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTARY_KEY_PASSWORD", raising=False)
    secret = tmp_path / "pw"
    secret.write_text("from a file\n")
    assert resolve_password(password_file=secret, prompt="") == "from a file"
    monkeypatch.setenv("NOTARY_KEY_PASSWORD", "from env")
    assert resolve_password(password_file=secret, prompt="") == "from env"
    assert resolve_password(password="explicit", prompt="") == "explicit"
    monkeypatch.delenv("NOTARY_KEY_PASSWORD")
    with pytest.raises(KeyStoreError, match="cannot read the password file"):
        resolve_password(password_file=tmp_path / "missing", prompt="")


def test_revert_decoding_from_both_backends_shapes() -> None:
    from eth_utils.crypto import keccak

    selector = keccak(text="IssuerNotAuthorised(address)")[:4]
    payload = selector + bytes(12) + bytes.fromhex("ab" * 20)
    assert decode_revert_data(payload).name == "IssuerNotAuthorised"

    class TesterFailure(Exception):
        pass

    TesterFailure.__name__ = "TransactionFailed"
    tester = revert_from_exception(TesterFailure(f"execution reverted: {payload!r}"))
    assert tester is not None and tester.name == "IssuerNotAuthorised"

    class RpcFailure(Exception):
        def __init__(self, data: str) -> None:
            super().__init__("execution reverted")
            self.data = data

    anvil = revert_from_exception(RpcFailure("0x" + payload.hex()))
    assert anvil is not None and anvil.name == "IssuerNotAuthorised"
    assert revert_from_exception(ValueError("something else")) is None
    assert decode_revert_data(b"\x12\x34\x56\x78").name == "UnknownError"
    assert decode_revert_data(b"").name == "Reverted"


def test_a_keystore_opened_beside_other_work_gives_the_key_or_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`notary issue` decrypts the keystore in a thread while it lists the inputs (open_signer_soon): the same
    key, and the same one-line errors, out of result() in the caller's thread."""
    from notary.signing.opening import open_signer, open_signer_soon

    monkeypatch.delenv("NOTARY_KEY_PASSWORD", raising=False)
    info = create_key(tmp_path, "school", "a long password", kdf_cost=2**10)
    config = tmp_path / "notary.toml"
    (tmp_path / "pw").write_text("a long password\n")
    write_config(config, {"chain": "memory", "key_file": str(info.path), "key_password_file": "pw"})
    monkeypatch.setenv("NOTARY_CONFIG", str(config))
    settings = load_settings()
    pending = open_signer_soon(settings)
    signer = pending.result(timeout=60)
    assert signer.address == info.address == open_signer(settings).address
    assert signer.describe() == open_signer(settings).describe()

    (tmp_path / "pw").write_text("not the password\n")
    pending = open_signer_soon(load_settings())
    with pytest.raises(KeyStoreError, match="wrong password"):
        pending.result(timeout=60)

    (tmp_path / "pw").unlink()  # no password anywhere and no terminal: said at once, in the caller's thread
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(KeyStoreError):
        open_signer_soon(load_settings())
