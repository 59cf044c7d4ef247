"""eth-tester reports a revert as Python's repr of the data; the repr's own escapes must not fool the parser."""

from __future__ import annotations

import pytest

from notary.chain.reverts import revert_from_exception


class TransactionFailed(Exception):
    """Named like eth-tester's exception, which is all the decoder looks at."""


def _not_allowed(account_hex: str) -> bytes:
    return bytes.fromhex("fba9b02d" + "00" * 12 + account_hex)


@pytest.mark.parametrize(
    "account",
    [
        # Contains 0xab 0x27: repr picks b"..." and writes \xab' inside it, i.e. a second b' after the opener.
        "1c4d84119bab270f7b2fc8b14933da360d17ee39",
        "00000000000000000000000000000000000000aa",
        # Contains both quote bytes: repr picks b'...' and escapes the single quote.
        "22272222222222222222222222222222222222ab",
    ],
)
def test_a_named_error_is_decoded_whatever_quotes_its_bytes_contain(account: str) -> None:
    raw = _not_allowed(account)
    found = revert_from_exception(TransactionFailed(f"execution reverted: {raw!r}"))
    assert found is not None
    assert found.name == "NotAllowedToChangeStatus"
    assert account in str(found)
