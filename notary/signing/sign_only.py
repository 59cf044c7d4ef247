"""`notary issue --sign-only OUTBOX`: a school that holds no Ether issues through the city's relayer.

The run is the ordinary, journaled issuance, except that it never sends a transaction: a signed batch the chain
does not have yet is written to OUTBOX (:mod:`notary.signing.signed_batch`) for `notary relay`, and its documents
wait, journaled. Running the same command again after the relayer has anchored them finds each batch on chain,
recorded under the school's address (the signer, not the relayer, is the issuer), and stamps it as usual — the
chain is the judge, as for any resumed run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from notary.core import Batch
from notary.core.hashing import Digest32
from notary.issuance.journal import BatchRow
from notary.issuance.run import Issuance
from notary.signing.signed_batch import SignedBatch, write_signed_batch


class SignOnlyIssuance(Issuance):
    def __init__(self, *args: Any, outbox: Path, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outbox = outbox
        self.waiting: list[Path] = []
        """Files of the batches this run left to the relayer."""

    def _anchor(self, batch: BatchRow) -> None:
        record, _ = self._retrying("reading the batch", lambda: self.registry.batch(batch.root, self.issuer.address))
        if record.anchored:
            super()._anchor(batch)  # relayed meanwhile: confirmations, journal and foreign anchors as usual
            return
        statement = Batch(Digest32(batch.root), batch.count, batch.issued_at)
        signed = SignedBatch(self.domain, self.issuer.address, statement, bytes(batch.signature))
        self.waiting.append(write_signed_batch(self.outbox, signed))
