"""`notary serve` with a bad web setting: one readable line naming the key and where it was set, exit 78."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from notary.errors import ConfigError

TRUSTED = (
    '[[trusted]]\nname = "X"\nchain_id = 1\naddress = "0x5FbDB2315678afecb367f032d315d8e9f2ba0aa3"\n'
    'rpc_url = "http://127.0.0.1:1"\n'
)


def _serve(tmp_path: Path, web: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[int, str]:
    config = tmp_path / "notary.toml"
    config.write_text(TRUSTED + web)
    # serve exports NOTARY_CONFIG for its worker processes: set it first so monkeypatch restores what was there
    monkeypatch.setenv("NOTARY_CONFIG", str(config))
    monkeypatch.delenv("NOTARY_CONFIG")
    monkeypatch.setenv("NOTARY_WEB_DEMO_FILES", "{}")
    monkeypatch.delenv("NOTARY_WEB_DEMO_FILES")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    done = CliRunner().invoke(app, ["serve", "--config", str(config)])
    # the error reaches cli.main.main(), which prints str(exc) as one line and exits with exc.exit_code
    assert isinstance(done.exception, ConfigError), done.output
    return getattr(done.exception, "exit_code", 1), str(done.exception)


def test_a_bad_operator_value_in_the_file_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = _serve(tmp_path, "[web.operator]\nbogus = 1\n", monkeypatch)
    assert code == 78, output
    assert "\n" not in output
    line = output
    assert "web.operator.bogus" in line and "notary.toml" in line and "NOTARY_WEB_*" not in output
    assert "pydantic" not in output and "For further information" not in output


def test_a_bad_value_from_the_environment_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = _serve(tmp_path, "", monkeypatch, NOTARY_WEB_VERIFY_WORKERS="many")
    assert code == 78, output
    assert "\n" not in output and "NOTARY_WEB_VERIFY_WORKERS" in output
