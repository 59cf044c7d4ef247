"""`--help` prints each paragraph as one flowing text: source line breaks must not show up mid-sentence."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app


@pytest.mark.parametrize(
    ("command", "sentence"),
    [
        (["relay"], "that it is signed for this registry and chain, and that its signer is an active issuer"),
        (["issue"], "a key in a PKCS#11 token (HSM) or a remote signer"),
    ],
)
def test_a_later_paragraph_is_not_broken_where_the_source_was(command: list[str], sentence: str) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "240"}, prog_name="notary")
    assert result.exit_code == 0, result.output
    flowing = [" ".join(line.split()) for line in result.output.splitlines()]
    assert any(sentence in line for line in flowing), result.output


def test_the_exit_code_table_keeps_one_code_per_line() -> None:
    result = CliRunner().invoke(app, ["relay", "--help"], env={"COLUMNS": "240"}, prog_name="notary")
    codes = [line.split()[0] for line in result.output.splitlines() if line.strip()[:2] in {"0 ", "1 ", "78"}]
    assert codes == ["0", "1", "78"], result.output
