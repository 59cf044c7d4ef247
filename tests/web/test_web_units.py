"""Units of the web layer: per-block chain cache, rate limiter, language negotiation, bounded runner."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from notary.errors import ChainError
from verifier.trust import TrustedEntry
from verifier.web.facts_cache import BlockClock, CachedFacts
from verifier.web.i18n import negotiate
from verifier.web.ratelimit import RateLimiter, client_key
from verifier.web.runner import Busy, TimedOut, VerifyRunner

ENTRY = TrustedEntry("R", 1, "0x" + "11" * 20, "http://x", True)


class FakeProof:
    def __init__(self, root: bytes, leaf: bytes) -> None:
        self.root, self._leaf = root, leaf

    def leaf(self) -> bytes:
        return self._leaf


class Chain:
    def __init__(self) -> None:
        self.block = 10
        self.block_reads = 0
        self.fact_reads = 0

    def read_block(self, entry: TrustedEntry) -> int:
        self.block_reads += 1
        return self.block

    def read_facts(self, entry: TrustedEntry, proof: Any) -> Any:
        self.fact_reads += 1
        return ("facts", self.block)


def test_cache_reads_once_per_document_and_block() -> None:
    chain, now = Chain(), [0.0]
    cache: Any = CachedFacts(chain.read_facts, BlockClock(chain.read_block, 0.5, clock=lambda: now[0]))
    doc = FakeProof(b"r" * 32, b"l" * 32)
    assert cache(ENTRY, doc) == ("facts", 10)
    assert cache(ENTRY, doc) == ("facts", 10)
    assert (chain.fact_reads, chain.block_reads) == (1, 1)
    cache(ENTRY, FakeProof(b"r" * 32, b"m" * 32))
    assert chain.fact_reads == 2
    chain.block = 11
    assert cache(ENTRY, doc) == ("facts", 10)  # within the poll interval
    now[0] = 0.6
    assert cache(ENTRY, doc) == ("facts", 11)  # a new block: read afresh
    assert chain.block_reads == 2


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
