"""What the registry holds, as plain frozen values: the chain adapter reads them, checks receive them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

ZERO_ADDRESS = "0x" + "00" * 20


class State(enum.IntEnum):
    """Status of a batch or document, as the contract stores it (values fixed by the contract)."""

    ACTIVE = 0
    REVOKED = 1
    SUSPENDED = 2


class Reason(enum.IntEnum):
    """Reason codes for revocation and suspension. Stable: add, never renumber (they are stored on chain)."""

    UNSPECIFIED = 0
    SUPERSEDED = 1
    ISSUED_IN_ERROR = 2
    FRAUD = 3
    WITHDRAWN = 4
    KEY_COMPROMISE = 5

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @classmethod
    def from_slug(cls, slug: str) -> Reason:
        for reason in cls:
            if reason.slug == slug:
                return reason
        raise ValueError(slug)


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """The anchor of one batch; ``issuer`` is the zero address when the root was never anchored."""

    root: bytes
    issuer: str
    document_count: int
    block_number: int
    timestamp: int

    @property
    def anchored(self) -> bool:
        return self.issuer != ZERO_ADDRESS


@dataclass(frozen=True, slots=True)
class StatusRecord:
    """A status as it counts. ``ignored``: the stored status was set by the issuer's key at or after its
    compromisedFrom, so it does not count (state is ACTIVE); ``ignored_state``/``ignored_reason`` and
    ``since``/``block_number`` then tell what that key did and when."""

    state: State
    reason: int
    since: int
    block_number: int
    by_authority: bool = False  # set by a revoker or the admin: the issuer can neither lift nor escalate it
    ignored: bool = False
    ignored_state: State = State.ACTIVE
    ignored_reason: int = 0


@dataclass(frozen=True, slots=True)
class DocumentView:
    """One call's worth of what a verifier needs about a document: inclusion, anchor, batch and own status."""

    included: bool
    batch: BatchRecord
    batch_status: StatusRecord
    document_status: StatusRecord


@dataclass(frozen=True, slots=True)
class IssuerRecord:
    """An issuer key's registry entry as judged at one block and time."""

    address: str
    name: str
    authorised_from_block: int
    retired_at_block: int
    compromised_from: int
    registered: bool
    authorised_at_block: bool
    trusted_at_time: bool


@dataclass(frozen=True, slots=True)
class TxResult:
    tx_hash: str
    block_number: int
    gas_used: int


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """One entry of a batch's or document's status history, from the registry's events."""

    root: bytes
    leaf: bytes | None
    state: State
    reason: int
    by: str
    block_number: int
    tx_hash: str
    issuer: str = ZERO_ADDRESS  # whose batch (roots are per issuer)


@dataclass(frozen=True, slots=True)
class AnchorEvent:
    """One BatchAnchored log: which issuer anchored which root, in which block and transaction."""

    issuer: str
    root: bytes
    block_number: int
    tx_hash: str


@dataclass(frozen=True, slots=True)
class AdminState:
    """The registry's admin and a pending two-step hand-over (``pending`` None: none)."""

    admin: str
    pending: str | None
    accept_after: int  # unix time from which ``pending`` may accept (0: nothing pending)
    delay: int  # seconds between beginning and accepting a hand-over
