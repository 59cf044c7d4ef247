"""Chain answers cached per block, so a busy verifier asks the node once per document and block, not per request.

Correctness rule: a cached answer is never older than the latest block this process has seen. The cache key
contains that block number; when the chain moves on, every key changes and the next request reads afresh.
The latest block is re-read at most every ``poll_seconds`` (one cheap ``eth_blockNumber`` per endpoint),
so a revocation shows within one block plus ``poll_seconds``.

Witnesses (verifier/witnesses.py): with several endpoints per registry, both parts of the key come from the
quorum, never from one node. The facts are those all answering endpoints agreed on (a disagreement raises and
is not cached), and the block is one that ``needed`` endpoints have reached: a single node announcing a block
far in the future cannot freeze the key and so hide a later revocation. Reads for a key that is being fetched wait
for that fetch instead of sending the same calls again (a burst of requests for one document costs one read).

Path independence: the key names the document (root, leaf), not its Merkle path, and the contract's
``included`` answer depends on the path sent with the read. A cached answer therefore never hands one
request's ``included`` to another: a request served from the cache (or from another request's read) gets
``included`` computed from its *own* proof, with the contract's rule (OpenZeppelin ``MerkleProof``: the path
leads from the leaf to the root). Everything else in ChainFacts (anchor, statuses, issuer, transaction)
depends on root and leaf only. Without this, one upload with the genuine root and leaf but a broken path
would make every genuine verification of that document fail until the next block.

A miss (every distinct document) costs one JSON-RPC round trip per endpoint: ``documentStatus`` and
``issuerAt`` in one batch (notary/chain/registry.py ``document_and_issuer``). Nothing that can change is kept
across blocks there either: each endpoint's Registry remembers only a batch's anchor, as a guess for the
``issuerAt`` arguments that is checked against the answer sent with it, and the anchoring transaction hash per
(root, anchoring block), which no later block changes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace

from notary.core import Proof
from notary.errors import ChainError
from verifier.checks import ChainFacts
from verifier.trust import TrustedEntry

FactsReader = Callable[[TrustedEntry, Proof], ChainFacts]
BlockReader = Callable[[TrustedEntry], int]
CacheKey = tuple[int, str, bytes, bytes, int]
WAIT_SECONDS = 15.0  # longer than the witnesses' deadline (8 s): the fetcher either answers or fails by then


class BlockClock:
    """The latest block number per registry, re-read at most every ``poll_seconds``."""

    def __init__(
        self, read_block: BlockReader, poll_seconds: float = 0.5, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._read = read_block
        self._poll = poll_seconds
        self._clock = clock
        self._seen: dict[tuple[int, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def latest(self, entry: TrustedEntry) -> int:
        """Raises ChainError when the node cannot be reached (and nothing recent enough is known)."""
        key = (entry.chain_id, entry.address.lower())
        now = self._clock()
        with self._lock:
            known = self._seen.get(key)
        if known is not None and now - known[0] < self._poll:
            return known[1]
        number = self._read(entry)
        with self._lock:
            previous = self._seen.get(key)
            # never step backwards: a lagging node behind a load balancer must not make answers older
            if previous is not None and previous[1] > number:
                number = previous[1]
            self._seen[key] = (now, number)
        return number


class CachedFacts:
    """A ``facts_reader`` for :class:`verifier.pipeline.Verifier` that caches ChainFacts by
    (chain id, registry, root, leaf, latest block); ``included`` is always that of the caller's own proof."""

    def __init__(self, read_facts: FactsReader, clock: BlockClock, max_entries: int = 20_000) -> None:
        self._read_facts = read_facts
        self.clock = clock
        self._max = max_entries
        self._entries: OrderedDict[CacheKey, ChainFacts] = OrderedDict()
        self._pending: dict[CacheKey, Future[ChainFacts]] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __call__(self, entry: TrustedEntry, proof: Proof) -> ChainFacts:
        if self._max == 0:
            return self._read_facts(entry, proof)
        block = self.clock.latest(entry)
        key: CacheKey = (entry.chain_id, entry.address.lower(), bytes(proof.root), bytes(proof.leaf()), block)
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return _own_inclusion(cached, proof)
            waiting = self._pending.get(key)
            if waiting is None:
                mine: Future[ChainFacts] = Future()
                self._pending[key] = mine
                self.misses += 1
        if waiting is not None:
            try:
                return _own_inclusion(waiting.result(timeout=WAIT_SECONDS), proof)
            except ChainError:
                raise  # the fetcher's answer ("unreachable") is the right answer here too
            except BaseException:
                return self._read_facts(entry, proof)  # the fetcher was cut off or failed oddly: read ourselves
        try:
            facts = self._read_facts(entry, proof)
        except BaseException as exc:
            with self._lock:
                del self._pending[key]
            mine.set_exception(exc)
            raise
        with self._lock:
            del self._pending[key]
            self._entries[key] = facts
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        mine.set_result(facts)
        return facts  # read with this very proof: the contract's own ``included``


def _own_inclusion(facts: ChainFacts, proof: Proof) -> ChainFacts:
    """``facts`` (read with some proof of the same root and leaf) with ``included`` judged for ``proof``."""
    included = proof.root_matches()
    if facts.view.included == included:
        return facts
    return replace(facts, view=replace(facts.view, included=included))
