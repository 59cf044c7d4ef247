"""CLI basics (issue 10.5): a usage error is a usage error, a configuration problem says so with its own exit code.

Most cases run the real entry point (`cli.main.main`, with its error handling) in this process — fast; two run
the installed `notary` script as a new process, as a user would.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli.main import main
from notary.config import set_explicit_config
from notary.pdf.samples import make_certificates
from tests.conftest import ROOT

NOTARY = str(ROOT / ".venv" / "bin" / "notary")


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[object]:
    """`cli("verify", "--hodler")` runs `notary verify --hodler` in an empty folder with an empty home."""
    for key in list(os.environ):
        if key.startswith("NOTARY_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)

    def run(*args: str) -> Run:
        monkeypatch.setattr("sys.argv", ["notary", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        captured = capsys.readouterr()
        code = exited.value.code
        return Run(code if isinstance(code, int) else 0, captured.out, captured.err)

    yield run
    set_explicit_config(None)


def one_line(run: Run) -> str:
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert "internal error" not in lines[0] and "Traceback" not in run.err
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("verfiy", "x.pdf"), "no such command 'verfiy' in `notary` — did you mean verify?"),
        (("issue", "--hodler", "Lena", "x.pdf"), "no such option --hodler for `notary issue` — did you mean --holder?"),
        (("keys", "lst"), "no such command 'lst' in `notary keys` — did you mean list?"),
        (("registry", "add-isuer"), "did you mean add-issuer?"),
        (("--confgi", "x", "keys", "list"), "did you mean --config?"),
        (("verify", "--xyzzy"), "`notary verify` knows --config, --details, --json, --lang"),
        (("xyzzy",), "commands: chain, demo, issue, journal, keys, registry, relay, revoke, serve, status"),
        (("chain",), "`notary chain` needs a command: down, fund, status, up"),
        (("issue", "--batch-size", "many", "x.pdf"), "Invalid value for '--batch-size'"),
        (("verify", "--lang"), "requires an argument"),
    ],
)
def test_usage_errors_are_one_line_exit_2_with_a_suggestion(cli: object, args: tuple[str, ...], expected: str) -> None:
    run = cli(*args)  # type: ignore[operator]
    assert run.code == 2, run
    line = one_line(run)
    assert line.startswith("error: ") and expected in line, line
    assert "--help`)" in line


def test_no_arguments_prints_help_and_exits_2(cli: object) -> None:
    run = cli()  # type: ignore[operator]
    assert run.code == 2 and "Usage: notary" in run.out and run.err == ""


def test_help_documents_the_exit_codes_and_the_config_rule(cli: object) -> None:
    run = cli("--help")  # type: ignore[operator]
    assert run.code == 0
    text = " ".join(run.out.split())
    for needle in ("Exit codes: 0", "2 usage error", "70 internal error", "78 configuration", "130 interrupted",
                   "~/.config/notary/notary.toml", "never from a notary.toml in the current folder"):  # fmt: skip
        assert needle in text, needle


def test_a_named_config_that_does_not_exist_is_an_error(cli: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTARY_CONFIG", "/nonexistent/notary.toml")
    run = cli("keys", "list")  # type: ignore[operator]
    assert run.code == 78
    assert one_line(run) == "error: the configuration file /nonexistent/notary.toml (from NOTARY_CONFIG) does not exist"
    monkeypatch.delenv("NOTARY_CONFIG")
    run = cli("--config", "elsewhere.toml", "keys", "list")  # type: ignore[operator]
    assert run.code == 78 and "elsewhere.toml (from --config) does not exist" in one_line(run)
    run = cli("verify", "x.pdf", "--config", ".")  # type: ignore[operator]
    assert run.code == 78 and "(from --config) is not a file" in one_line(run)


def test_an_unreadable_or_broken_config_is_named(cli: object, tmp_path: Path) -> None:
    broken = tmp_path / "work" / "notary.toml"
    broken.write_text('chain = "local\nregistry = 1\n')
    run = cli("registry", "info")  # type: ignore[operator]
    assert run.code == 78 and f"cannot parse the configuration file {broken}" in one_line(run)
    broken.write_text("confirmations = -3\n")
    run = cli("registry", "info")  # type: ignore[operator]
    assert run.code == 78
    assert f"bad configuration value for confirmations in {broken}" in one_line(run)


def test_a_missing_notary_toml_says_where_it_looked(cli: object, tmp_path: Path) -> None:
    (tmp_path / "work" / "zeugnis.pdf").write_bytes(next(make_certificates(1, seed=5)))
    for args in (
        ("registry", "info"),
        ("issue", "zeugnis.pdf", "--type", "x", "--title", "T", "--holder", "H"),
        ("revoke", "--batch", "0x" + "00" * 32, "--reason", "fraud"),
    ):
        run = cli(*args)  # type: ignore[operator]
        line = one_line(run)
        assert run.code == 78, (args, line)
        assert "no configuration found" in line and str(tmp_path / "work" / "notary.toml") in line, line
        assert "local chain is not running" not in line
    run = cli("verify", "x.pdf")  # type: ignore[operator]
    line = one_line(run)
    assert run.code == 78 and "no trust list found" in line
    assert str(tmp_path / "home" / ".config" / "notary" / "notary.toml") in line


def test_a_bad_option_value_is_a_usage_error_not_a_config_error(cli: object, tmp_path: Path) -> None:
    (tmp_path / "work" / "notary.toml").write_text('chain = "memory"\n')
    run = cli("registry", "info", "--registry", "0x1234")  # type: ignore[operator]
    assert run.code == 2 and "bad value for --registry" in one_line(run)


def test_the_installed_command_behaves_the_same(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
    env.update(HOME=str(tmp_path), NOTARY_CONFIG=str(tmp_path / "absent.toml"))
    typo = subprocess.run([NOTARY, "verfiy"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert typo.returncode == 2 and "did you mean verify?" in typo.stderr and "internal error" not in typo.stderr
    missing = subprocess.run([NOTARY, "keys", "list"], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=120)  # fmt: skip
    assert missing.returncode == 78 and "absent.toml (from NOTARY_CONFIG) does not exist" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
