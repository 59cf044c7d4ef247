"""Units of the web layer: per-block chain cache, rate limiter, language negotiation, upload bounds."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from notary.chain import BatchRecord, DocumentView, State, StatusRecord
from notary.errors import ChainError
from verifier.checks import ChainFacts
from verifier.trust import TrustedEntry
from verifier.web.errors import WebError
from verifier.web.facts_cache import BlockClock, CachedFacts
from verifier.web.i18n import negotiate
from verifier.web.ratelimit import RateLimiter, client_key
from verifier.web.uploads import BodyLimits, OpenUploads, body_chunks

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


def test_open_uploads_per_client_and_in_total() -> None:
    uploads = OpenUploads(per_client=2, total=3)
    uploads.enter("a")
    uploads.enter("a")
    with pytest.raises(WebError) as refused:
        uploads.enter("a")  # one client cannot take every slot...
    assert refused.value.status == 429 and refused.value.headers["Retry-After"]
    uploads.enter("b")  # ...others still get theirs
    with pytest.raises(WebError) as full:
        uploads.enter("c")
    assert full.value.status == 503 and full.value.headers["Retry-After"]
    for client in ("a", "a", "b"):
        uploads.leave(client)
    assert uploads.open == 0 and uploads.by_client == {}


def test_a_client_whose_upload_overran_waits() -> None:
    now = [100.0]
    uploads = OpenUploads(per_client=4, total=10, penalty=10.0, clock=lambda: now[0])
    uploads.enter("a")
    uploads.leave("a")
    uploads.penalise("a")
    with pytest.raises(WebError) as boxed:
        uploads.enter("a")
    assert boxed.value.status == 429 and boxed.value.headers["Retry-After"] == "10"
    uploads.enter("b")  # others are not affected
    now[0] += 10.5
    uploads.enter("a")  # served its time
    assert uploads.boxed == {}


class Trickle:
    """A request whose body arrives in chunks at times set by the test (an injected clock, no real waiting)."""

    def __init__(self, chunks: list[tuple[float, bytes]]) -> None:
        self.now = 0.0
        self._chunks = chunks

    def clock(self) -> float:
        return self.now

    async def stream(self) -> Any:
        for at, chunk in self._chunks:
            self.now = at
            yield chunk


async def _read(trickle: Trickle, limits: BodyLimits) -> bytes:
    body = b""
    async for chunk in body_chunks(trickle, limits, clock=trickle.clock):  # type: ignore[arg-type]
        body += chunk
    return body


def test_body_read_is_cut_below_the_minimum_rate_and_past_the_total_time() -> None:
    limits = BodyLimits(idle_seconds=10, min_rate=1000, max_seconds=60, grace=5)
    fast = Trickle([(0.1, b"x" * 4000), (3.0, b"x" * 8000), (9.0, b"x" * 20_000)])
    assert len(asyncio.run(_read(fast, limits))) == 32_000
    slow_start = Trickle([(1.0, b"x"), (4.9, b"x")])  # slow, but within the grace period
    assert asyncio.run(_read(slow_start, limits)) == b"xx"
    trickling = Trickle([(1.0, b"x" * 100), (6.0, b"x" * 100)])  # 200 bytes in 6 s: far below 1000 B/s
    with pytest.raises(WebError) as slow:
        asyncio.run(_read(trickling, limits))
    assert slow.value.status == 408 and slow.value.headers["Connection"] == "close"
    endless = Trickle([(float(t), b"x" * 100_000) for t in range(0, 120, 5)])  # fast enough, but never ends
    with pytest.raises(WebError):
        asyncio.run(_read(endless, limits))


def test_body_read_is_cut_when_the_client_stalls() -> None:
    class Stalled:
        def clock(self) -> float:
            return 0.0  # the idle wait is a real (tiny) timeout; only the rate check uses this clock

        async def stream(self) -> Any:
            yield b"x" * 10
            await asyncio.Event().wait()  # never sends another byte
            yield b""

    limits = BodyLimits(idle_seconds=0.05, min_rate=0, max_seconds=60)
    with pytest.raises(WebError) as stalled:
        asyncio.run(_read(Stalled(), limits))  # type: ignore[arg-type]
    assert stalled.value.code == "slow-upload"
