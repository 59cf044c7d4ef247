"""Units of the web layer: per-block chain cache, rate limiter, language negotiation, bounded runner."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Any

import pytest

from notary.chain import BatchRecord, DocumentView, State, StatusRecord
from notary.errors import ChainError
from verifier.checks import ChainFacts
from verifier.trust import TrustedEntry
from verifier.web.facts_cache import BlockClock, CachedFacts
from verifier.web.i18n import negotiate
from verifier.web.ratelimit import RateLimiter, client_key
from verifier.web.runner import Busy, TimedOut, VerifyRunner

ENTRY = TrustedEntry("R", 1, "0x" + "11" * 20, "http://x", True)


class FakeProof:
    def __init__(self, root: bytes, leaf: bytes, path_ok: bool = True) -> None:
        self.root, self._leaf, self.path_ok = root, leaf, path_ok

    def leaf(self) -> bytes:
        return self._leaf

    def root_matches(self) -> bool:
        return self.path_ok


class Chain:
    def __init__(self) -> None:
        self.block = 10
        self.block_reads = 0
        self.fact_reads = 0

    def read_block(self, entry: TrustedEntry) -> int:
        self.block_reads += 1
        return self.block

    def read_facts(self, entry: TrustedEntry, proof: Any) -> ChainFacts:
        self.fact_reads += 1
        return facts_at(self.block, included=proof.root_matches())


def facts_at(block: int, *, included: bool = True) -> ChainFacts:
    """What the contract answers: ``included`` depends on the Merkle path sent, the rest on root and leaf."""
    active = StatusRecord(State.ACTIVE, 0, 0, 0)
    batch = BatchRecord(b"r" * 32, "0x" + "22" * 20, 3, block, 1_700_000_000)
    return ChainFacts(1, DocumentView(included, batch, active, active), None, None)


def test_cache_reads_once_per_document_and_block() -> None:
    chain, now = Chain(), [0.0]
    cache: Any = CachedFacts(chain.read_facts, BlockClock(chain.read_block, 0.5, clock=lambda: now[0]))
    doc = FakeProof(b"r" * 32, b"l" * 32)
    assert cache(ENTRY, doc) == facts_at(10)
    assert cache(ENTRY, doc) == facts_at(10)
    assert (chain.fact_reads, chain.block_reads) == (1, 1)
    cache(ENTRY, FakeProof(b"r" * 32, b"m" * 32))
    assert chain.fact_reads == 2
    chain.block = 11
    assert cache(ENTRY, doc) == facts_at(10)  # within the poll interval
    now[0] = 0.6
    assert cache(ENTRY, doc) == facts_at(11)  # a new block: read afresh
    assert chain.block_reads == 2


def test_cached_inclusion_is_judged_per_proof_not_per_document() -> None:
    """Review finding: a broken Merkle path with the genuine root and leaf must not poison the cache."""
    chain = Chain()
    cache: Any = CachedFacts(chain.read_facts, BlockClock(chain.read_block, 10))
    genuine = FakeProof(b"r" * 32, b"l" * 32)
    forged = FakeProof(b"r" * 32, b"l" * 32, path_ok=False)  # same root and leaf, one sibling changed
    assert cache(ENTRY, forged).view.included is False  # read from the chain with the forged path
    assert cache(ENTRY, genuine).view.included is True  # same block, served from the cache
    assert cache(ENTRY, forged).view.included is False
    assert chain.fact_reads == 1 and cache.hits == 2
    # the other way round: a genuine read first must not lend its inclusion to a forged path
    other: Any = CachedFacts(chain.read_facts, BlockClock(chain.read_block, 10))
    assert other(ENTRY, genuine).view.included is True
    assert other(ENTRY, forged).view.included is False


def test_waiters_judge_inclusion_with_their_own_proof() -> None:
    chain = Chain()
    gate = threading.Event()

    def slow(entry: TrustedEntry, proof: Any) -> ChainFacts:
        gate.wait(5)
        return chain.read_facts(entry, proof)

    cache: Any = CachedFacts(slow, BlockClock(chain.read_block, 10))
    forged = FakeProof(b"r" * 32, b"l" * 32, path_ok=False)
    genuine = FakeProof(b"r" * 32, b"l" * 32)
    answers: dict[str, bool] = {}
    fetcher = threading.Thread(target=lambda: answers.update(forged=cache(ENTRY, forged).view.included))
    fetcher.start()
    time.sleep(0.1)  # the forged read is in flight; the genuine request waits for it
    waiter = threading.Thread(target=lambda: answers.update(genuine=cache(ENTRY, genuine).view.included))
    waiter.start()
    time.sleep(0.1)
    gate.set()
    fetcher.join(5)
    waiter.join(5)
    assert answers == {"forged": False, "genuine": True} and chain.fact_reads == 1


def test_block_clock_never_steps_back() -> None:
    chain = Chain()
    clock = BlockClock(chain.read_block, 0)
    assert clock.latest(ENTRY) == 10
    chain.block = 9  # a lagging node behind a load balancer
    assert clock.latest(ENTRY) == 10


def test_cache_coalesces_concurrent_reads_and_passes_chain_errors() -> None:
    chain = Chain()
    gate = threading.Event()

    def slow(entry: TrustedEntry, proof: Any) -> Any:
        gate.wait(5)
        return chain.read_facts(entry, proof)

    cache: Any = CachedFacts(slow, BlockClock(chain.read_block, 10))
    doc = FakeProof(b"r" * 32, b"l" * 32)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(cache(ENTRY, doc))) for _ in range(5)]
    for thread in threads:
        thread.start()
    time.sleep(0.1)
    gate.set()
    for thread in threads:
        thread.join(5)
    assert len(results) == 5 and chain.fact_reads == 1

    def down(entry: TrustedEntry, proof: Any) -> Any:
        raise ChainError("unreachable")

    with pytest.raises(ChainError):
        CachedFacts(down, BlockClock(chain.read_block, 10))(ENTRY, doc)  # type: ignore[arg-type]


def test_rate_limiter_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    assert limiter.take("a") == pytest.approx(1.0)
    assert limiter.take("b") == 0  # per client
    now[0] = 1.0
    assert limiter.take("a") == 0
    assert RateLimiter(0, 1).take("a") == 0  # switched off


def test_client_key_groups_ipv6_by_64() -> None:
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff") == "2001:db8::/64"
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_key("192.0.2.1") == "192.0.2.1"
    assert client_key(None) == "unknown"


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        (None, None, "de"),
        ("en", "de", "en"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "en;q=0.4, de;q=0.8", "de"),
        (None, "fr, es", "de"),
        (None, "en;q=0", "de"),
        (None, "en;q=abc", "de"),
        ("xx", "en", "en"),
    ],
)
def test_negotiate(query: str | None, header: str | None, expected: str) -> None:
    assert negotiate(query, header) == expected


def test_runner_bounds_time_and_queue() -> None:
    async def scenario() -> None:
        runner = VerifyRunner(threads=1, queue_size=0, timeout=0.2, queue_wait=0.1)
        assert await runner.run(lambda: 42) == 42
        with pytest.raises(ValueError):
            await runner.run(lambda: int("x"))

        def spin() -> None:
            while True:
                pass

        first = asyncio.ensure_future(runner.run(spin))
        await asyncio.sleep(0.02)
        with pytest.raises(Busy):  # the one slot is taken
            await runner.run(lambda: 1)
        with pytest.raises(TimedOut):
            await first
        assert await runner.run(lambda: 7) == 7  # the thread was freed by the cut-off
        runner.close()

    asyncio.run(scenario())


def test_runner_keeps_the_slot_and_the_upload_until_uninterruptible_work_ends() -> None:
    """Review finding: C code (PIL, zxing) ignores the cut-off; its slot must not be handed out meanwhile."""
    from verifier.web.uploads import ByteBudget

    async def scenario() -> None:
        runner = VerifyRunner(threads=1, queue_size=1, timeout=0.2, queue_wait=0.1)
        budget = ByteBudget(1000)
        ticket = budget.ticket()
        ticket.take(600)
        release = threading.Event()
        with pytest.raises(TimedOut):
            await runner.run(lambda: release.wait(5), keep=ticket.keep)  # a C call: the cut-off cannot land
        ticket.release()  # the request ends...
        assert budget.used == 600 and runner.lingering == 1  # ...but the thread still holds the upload
        queued = asyncio.ensure_future(runner.run(lambda: 1))  # the one queue place is still free
        await asyncio.sleep(0.01)
        with pytest.raises(Busy):  # but nothing more: the abandoned job still counts
            await runner.run(lambda: 2)
        release.set()
        assert await queued == 1
        assert runner.lingering == 0 and budget.used == 0
        assert await runner.run(lambda: 7) == 7
        runner.close()

    asyncio.run(scenario())


def test_runner_keeps_the_slot_of_a_cancelled_request() -> None:
    async def scenario() -> None:
        runner = VerifyRunner(threads=1, queue_size=0, timeout=5, queue_wait=0.1)
        release = threading.Event()
        first = asyncio.ensure_future(runner.run(lambda: release.wait(5)))
        await asyncio.sleep(0.05)
        first.cancel()  # the client went away
        with pytest.raises(asyncio.CancelledError):
            await first
        assert runner.lingering == 1
        with pytest.raises(Busy):
            await runner.run(lambda: 1)
        release.set()
        await asyncio.sleep(0.1)
        assert runner.lingering == 0 and await runner.run(lambda: 3) == 3
        runner.close()

    asyncio.run(scenario())


def test_runner_survives_cut_offs_landing_at_any_moment() -> None:
    """A cut-off may land while the worker is handing the job over: the slot must come back regardless."""

    async def scenario() -> None:
        runner = VerifyRunner(threads=2, queue_size=0, timeout=0.01, queue_wait=1)

        def busy_python() -> int:
            deadline = time.monotonic() + 0.012
            while time.monotonic() < deadline:
                pass
            return 1

        for _ in range(80):
            with contextlib.suppress(TimedOut):
                await asyncio.gather(runner.run(busy_python), runner.run(busy_python))
        await asyncio.sleep(0.2)
        assert runner.lingering == 0
        assert list(await asyncio.gather(runner.run(lambda: 1), runner.run(lambda: 2))) == [1, 2]
        runner.close()

    asyncio.run(scenario())
