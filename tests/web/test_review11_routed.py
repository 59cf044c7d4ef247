"""Issue 11 review findings in files the web engineer does not own, pinned as strict xfails for the lead to
route (remove the marker with the fix). Plain subprocess runs of `notary verify`, no chain needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from notary.pdf.samples import SAMPLE_PUPILS, make_certificate

TRUSTED = (
    '[[trusted]]\nname = "X"\nchain_id = 1\naddress = "0x5FbDB2315678afecb367f032d315d8e9f2ba0aa3"\n'
    'rpc_url = "http://127.0.0.1:1"\n'
)


def _verify(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "cfg" / "notary").mkdir(parents=True, exist_ok=True)
    (tmp_path / "cfg" / "notary" / "notary.toml").write_text(TRUSTED)
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "NOTARY_LANG": "de"}
    env.pop("NOTARY_CONFIG", None)
    command = [sys.executable, "-m", "cli.main", "verify", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


@pytest.mark.parametrize("bad", [["--bogus", "x"], ["--timeout", "0", "f.pdf"]])
def test_json_is_printed_even_for_a_bad_option(tmp_path: Path, bad: list[str]) -> None:
    done = _verify(tmp_path, "--json", *bad)
    assert done.returncode == 2
    assert isinstance(json.loads(done.stdout), dict)  # --help: "Print exactly one JSON object, whatever happens"


def test_german_output_names_the_trust_list_in_german(tmp_path: Path) -> None:
    plain = tmp_path / "zeugnis.pdf"
    plain.write_bytes(make_certificate(SAMPLE_PUPILS[0]))
    done = _verify(tmp_path, str(plain))
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Vertrauensliste" in done.stdout and "user config" not in done.stdout


def test_a_missing_file_is_reported_in_german(tmp_path: Path) -> None:
    done = _verify(tmp_path, str(tmp_path / "fehlt.pdf"))
    assert done.returncode == 2
    assert "no such file" not in done.stderr + done.stdout


def test_a_missing_file_with_json_carries_both_languages(tmp_path: Path) -> None:
    done = _verify(tmp_path, "--json", "--lang", "EN", str(tmp_path / "fehlt.pdf"))
    assert done.returncode == 2
    error = json.loads(done.stdout)
    assert error["error"] == "no-such-file"
    assert "nicht gefunden" in error["message_de"] and "no such file" in error["message_en"]


def test_a_folder_is_reported_in_german(tmp_path: Path) -> None:
    done = _verify(tmp_path, str(tmp_path))
    assert done.returncode == 2
    assert "ist ein Ordner" in done.stderr and "is a folder" not in done.stderr
