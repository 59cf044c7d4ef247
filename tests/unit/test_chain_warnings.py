"""verify's stderr warnings about chain nodes: German in German mode, with the node's port, never its secrets."""

from __future__ import annotations

import logging

import pytest

from cli.chain_warnings import show_chain_warnings
from verifier import witnesses
from verifier.trust import TrustedEntry

ENTRY = TrustedEntry("X", 1, "0x5FbDB2315678afecb367f032d315d8e9f2ba0aa3", "http://127.0.0.1:8545", False)


@pytest.fixture(autouse=True)
def _restore() -> object:
    logger = logging.getLogger("verifier.witnesses")
    handlers, propagate = list(logger.handlers), logger.propagate
    yield
    logger.handlers[:], logger.propagate = handlers, propagate


def test_a_node_warning_is_german_and_shows_the_port(capsys: pytest.CaptureFixture[str]) -> None:
    show_chain_warnings("de")
    witnesses._note(ENTRY, 1, "http://user:secret@127.0.0.1:8545/key/abc", "cannot reach the chain: ConnectionError")
    err = capsys.readouterr().err
    assert err.startswith("Warnung: Knoten 1 (http://127.0.0.1:8545) von 'X'"), err
    assert "secret" not in err and "/key/abc" not in err and err.count("\n") == 1


def test_in_english_the_warning_stays_english(capsys: pytest.CaptureFixture[str]) -> None:
    show_chain_warnings("en")
    witnesses._note(ENTRY, 2, "https://node.example:8443", "timed out")
    assert capsys.readouterr().err.startswith("warning: witness 2 (https://node.example:8443) of 'X': timed out")
