"""The [signer] table: kinds, paths relative to the file, NOTARY_SIGNER_* on top, the PIN kept out of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from notary.config import ConfigSource, load_settings
from notary.errors import ConfigError
from notary.signing.config import pkcs11_pin, signer_config
from notary.signing.pkcs11_token import DEFAULT_MODULE


def _settings(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "notary.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(source=ConfigSource(path, "--config", (path,)))


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("NOTARY_"):
            monkeypatch.delenv(name)


def test_without_a_signer_table_the_keystore_is_used(tmp_path: Path) -> None:
    assert signer_config(_settings(tmp_path, 'key_file = "k.json"\n')).kind == "keystore"


def test_a_pkcs11_signer_with_its_pin_file_beside_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path, '[signer]\nkind = "pkcs11"\ntoken = "stadt"\nkey_label = "rs"\npin_file = "pin"\n')
    config = signer_config(settings)
    assert (config.kind, config.token, config.key_label, config.module) == ("pkcs11", "stadt", "rs", DEFAULT_MODULE)
    assert config.pin_file == tmp_path / "pin"
    (tmp_path / "pin").write_text("4321\n")
    assert pkcs11_pin(config) == "4321"
    monkeypatch.setenv("NOTARY_PKCS11_PIN", "9999")
    assert pkcs11_pin(config) == "9999"
    monkeypatch.setenv("NOTARY_SIGNER_KEY_LABEL", "other")
    assert signer_config(settings).key_label == "other"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('kind = "hsm"', "kind must be one of keystore, pkcs11, remote, got 'hsm'"),
        ('kind = "pkcs11"\npin = "1234"', "keep the PIN out of notary.toml"),
        ('kind = "remote"\nurll = "x"', "unknown settings urll"),
        ('kind = "remote"\ntimeout = 0', "timeout must be between 0 and 600"),
        ("token = 5", "token must be text"),
    ],
)
def test_bad_signer_tables_are_one_line(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        signer_config(_settings(tmp_path, f"[signer]\n{table}\n"))


def test_a_pkcs11_signer_without_a_pin_says_where_to_put_it(tmp_path: Path) -> None:
    config = signer_config(_settings(tmp_path, '[signer]\nkind = "pkcs11"\ntoken = "t"\nkey_label = "k"\n'))
    with pytest.raises(ConfigError, match="no token PIN: set NOTARY_PKCS11_PIN or \\[signer\\] pin_file"):
        pkcs11_pin(config)
