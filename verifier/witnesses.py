"""More than one witness for the chain: the same facts read from several RPC endpoints, believed only when
enough of them give the identical answer.

Why: a node that answers with the trusted chain id and runs a registry at the trusted address can say anything
(it only has to be a chain of its own). One node operator must not decide a verdict. Rules (docs/witnesses.md):

- every endpoint of a trusted registry is asked, in parallel, each RPC call with a timeout and all of them
  within one total deadline;
- an answer counts only if it came back in time; at least ``entry.needed`` answers are required;
- any two answers that differ make the facts undecidable (:class:`WitnessesDisagree`, shown as ERROR): a
  disagreement means a node is lying, broken or lagging, and a majority vote would let the verifier's own
  guess stand in for evidence. Disagreement can never yield VALID;
- an endpoint on another chain id, or (when the entry pins ``genesis_hash``) with another genesis block, is
  reported as such (WRONG_CHAIN), never outvoted: a reset dev or test chain keeps its chain id, and the same
  deployer key and nonce put a registry at the same address there.

Public messages name witnesses by number, never by URL: endpoint URLs often carry API keys.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from notary.chain import Registry, connect
from notary.chain.registry import chain_call
from notary.core import Proof
from notary.errors import ChainError
from verifier.checks import ChainFacts
from verifier.result import Reason
from verifier.trust import TrustedEntry

T = TypeVar("T")
LOG = logging.getLogger("verifier.witnesses")

RPC_TIMEOUT_SECONDS = 5.0  # one JSON-RPC call to one node
DEADLINE_SECONDS = 8.0  # all witnesses together; a slow node costs this at most, a dead one its connect time
# how long an endpoint's genesis hash is believed without asking again: verifications within it cost no extra RPC,
# and a node that was reset behind the same URL is noticed after at most this long
GENESIS_TTL_SECONDS = 60.0


class WitnessError(ChainError):
    """The witnesses leave the facts undecidable, for ``reason``."""

    reason = Reason.CHAIN_UNREACHABLE


class WitnessesDisagree(WitnessError):
    """Two endpoints of one trusted registry gave different answers: nothing can be decided from them."""

    reason = Reason.WITNESSES_DISAGREE


class WitnessOnWrongChain(WitnessError):
    """An endpoint serves another chain id than the trusted one: misconfigured or lying, never outvoted."""

    reason = Reason.WRONG_CHAIN


@dataclass(frozen=True, slots=True)
class _OtherChain:
    """What an endpoint that is not the trusted chain answers instead of facts."""

    chain_id: int
    genesis_hash: str | None = None  # set when only the genesis block differs (same chain id)


class Witnesses:
    """Reads chain facts for a trusted registry from all its endpoints and returns the agreed answer."""

    def __init__(
        self,
        *,
        rpc_timeout: float = RPC_TIMEOUT_SECONDS,
        deadline: float = DEADLINE_SECONDS,
        max_workers: int = 32,
        read_facts: Callable[[Registry, Proof], ChainFacts] | None = None,
        genesis_ttl: float = GENESIS_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rpc_timeout = rpc_timeout
        self._deadline = deadline
        self._max_workers = max_workers
        self._pool: ThreadPoolExecutor | None = None
        self._registries: dict[tuple[str, str], Registry] = {}
        self._lock = threading.Lock()
        self._read_facts = read_facts
        self._genesis_ttl = genesis_ttl
        self._clock = clock
        self._genesis_seen: dict[str, tuple[str, float]] = {}  # endpoint URL -> (genesis hash, when read)

    def registry(self, url: str, address: str) -> Registry:
        key = (url, address.lower())
        with self._lock:
            if key not in self._registries:
                self._registries[key] = Registry(connect(url, timeout=self._rpc_timeout), address)
            return self._registries[key]

    def facts(self, entry: TrustedEntry, proof: Proof) -> ChainFacts:
        """The facts all answering endpoints agree on; raises ChainError (too few answers), WitnessesDisagree
        or WitnessOnWrongChain. The chain's identity is asked first: another chain's registry proves nothing."""
        read = self._read_facts or _default_read_facts

        def question(url: str, registry: Registry) -> ChainFacts | _OtherChain:
            chain_id = registry.chain_id
            if chain_id != entry.chain_id:
                return _OtherChain(chain_id)
            if entry.genesis_hash is not None:
                genesis = self._genesis(url, registry)
                if genesis != entry.genesis_hash.lower():
                    return _OtherChain(chain_id, genesis)
            return read(registry, proof)

        answers = self._ask(entry, question)
        for number, answer in sorted(answers.items()):
            if isinstance(answer, _OtherChain):
                raise WitnessOnWrongChain(_other_chain(entry, number, answer))
        facts = _agreed(entry, answers, "facts")
        assert not isinstance(facts, _OtherChain)
        return facts

    def block_number(self, entry: TrustedEntry) -> int:
        """A block at least ``needed`` witnesses have reached: one node claiming a far-future block cannot pin
        a cache keyed by block number, and one lagging node does not hold it back."""
        answers = self._ask(entry, lambda _url, registry: registry.block_number())
        _enough(entry, answers)
        return sorted(answers.values(), reverse=True)[entry.needed - 1]

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _genesis(self, url: str, registry: Registry) -> str:
        """The genesis hash of the node behind ``url``, read at most once per ``genesis_ttl``."""
        now = self._clock()
        with self._lock:
            seen = self._genesis_seen.get(url)
        if seen is not None and now - seen[1] < self._genesis_ttl:
            return seen[0]
        block = chain_call("reading the genesis block", lambda: registry.w3.eth.get_block(0))
        found = "0x" + bytes(block["hash"]).hex()
        with self._lock:
            self._genesis_seen[url] = (found, now)
        return found

    # ------------------------------------------------------------------ asking

    def _ask(self, entry: TrustedEntry, question: Callable[[str, Registry], T]) -> dict[int, T]:
        """Answers by witness number (1-based); endpoints that failed or missed the deadline are left out."""
        urls = entry.endpoints
        pool = self._executor()
        futures: dict[Future[T], int] = {}
        for number, url in enumerate(urls, start=1):
            futures[pool.submit(self._one, url, entry.address, question)] = number
        done, pending = wait(futures, timeout=self._deadline)
        for future in pending:
            future.cancel()
        answers: dict[int, T] = {}
        for future, number in futures.items():
            if future not in done:
                _note(entry, number, urls[number - 1], "no answer before the deadline")
                if len(urls) == 1:
                    raise ChainError(f"the chain node gave no answer within {self._deadline:g} s")
                continue
            error = future.exception()
            if error is not None:
                _note(entry, number, urls[number - 1], str(error))
                if len(urls) == 1 and isinstance(error, ChainError):
                    raise error  # one node: its own words say best what went wrong
                continue
            answers[number] = future.result()
        return answers

    def _one(self, url: str, address: str, question: Callable[[str, Registry], T]) -> T:
        return question(url, self.registry(url, address))

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._max_workers, thread_name_prefix="witness")
            return self._pool


def _default_read_facts(registry: Registry, proof: Proof) -> ChainFacts:
    from verifier.pipeline import read_facts  # the pipeline owns what "the facts" are; imported late (cycle)

    return read_facts(registry, proof)


def _other_chain(entry: TrustedEntry, number: int, answer: _OtherChain) -> str:
    node = f"chain node {number} of {len(entry.endpoints)}"
    if answer.genesis_hash is None:
        return f"{node} is on chain {answer.chain_id}, not {entry.chain_id}"
    pinned = entry.genesis_hash or ""
    return (
        f"{node} has chain id {answer.chain_id} but another genesis block, {answer.genesis_hash[:12]}…, not the "
        f"pinned {pinned[:12]}…: the chain was reset or is another chain with the same id"
    )


def _enough(entry: TrustedEntry, answers: dict[int, T]) -> None:
    if len(answers) < entry.needed:
        raise ChainError(f"only {len(answers)} of {len(entry.endpoints)} chain nodes answered, {entry.needed} needed")


def _agreed(entry: TrustedEntry, answers: dict[int, T], what: str) -> T:
    _enough(entry, answers)
    groups: list[tuple[T, list[int]]] = []
    for number, answer in sorted(answers.items()):
        for value, members in groups:
            if value == answer:
                members.append(number)
                break
        else:
            groups.append((answer, [number]))
    if len(groups) > 1:
        sizes = " / ".join(", ".join(str(n) for n in members) for _, members in groups)
        LOG.warning("witnesses of %r disagree about the %s: groups of nodes %s", entry.name, what, sizes)
        raise WitnessesDisagree(f"the chain nodes disagree (nodes {sizes} of {len(entry.endpoints)})")
    return groups[0][0]


def _note(entry: TrustedEntry, number: int, url: str, why: str) -> None:
    # scheme, host and port only: a path, a query or user:password may hold an API key
    parts = urlsplit(url)
    where = parts.netloc.rpartition("@")[2]
    LOG.warning("witness %d (%s://%s) of %r: %s", number, parts.scheme, where, entry.name, why)
