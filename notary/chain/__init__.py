"""Chain access behind one small interface: the only package that imports web3."""

from notary.chain.connect import MEMORY, connect, fund_dev_account
from notary.chain.records import (
    AdminState,
    AnchorEvent,
    BatchRecord,
    DocumentView,
    IssuerRecord,
    Reason,
    State,
    StatusEvent,
    StatusRecord,
    TxResult,
)
from notary.chain.registry import Registry

__all__ = [
    "MEMORY",
    "AdminState",
    "AnchorEvent",
    "BatchRecord",
    "DocumentView",
    "IssuerRecord",
    "Reason",
    "Registry",
    "State",
    "StatusEvent",
    "StatusRecord",
    "TxResult",
    "connect",
    "fund_dev_account",
]
