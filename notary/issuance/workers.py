"""The issuing process's worker processes, one pool of one process each, so that a document's stamping can go to
the process that prepared it: that process still holds the original it read, hashed and parsed
(``documents._HELD``), and stamps it without reading, hashing or parsing it again.

Work is balanced all the same: each process takes its own documents first and, once it has none left, those of
a busier one (which then reads the file again — a cache miss, never a different result).
"""

from __future__ import annotations

import gc
import itertools
import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from functools import partial
from multiprocessing import get_context
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _run_chunk(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [fn(item) for item in items]


def _starred(fn: Callable[..., R], args: tuple[Any, ...]) -> R:
    return fn(*args)


class Workers(Executor):
    """``count`` worker processes (forked), usable as any Executor, plus :meth:`map_keyed`."""

    def __init__(self, count: int) -> None:
        context = get_context("fork")
        self._pools = [ProcessPoolExecutor(1, mp_context=context) for _ in range(max(1, count))]
        # fork the processes now, from this thread, not later from a feeding thread (the pools' own helper
        # threads, started with the first fork, hold no lock a later child uses). Frozen for the fork: in the
        # children everything this process holds is out of the collector's reach, so their full collections
        # skip it (each took ~0.1 s over the CLI's heap) and leave its pages shared; this process unfreezes. The
        # children never do: a cycle among what they inherited is never collected there (they live for one run).
        gc.freeze()
        try:
            for started in [pool.submit(int) for pool in self._pools]:
                started.result()
        finally:
            gc.unfreeze()
        self._where: dict[Hashable, int] = {}  # key -> the process that last ran (and remembers) its item
        self._turn = itertools.count()

    @property
    def count(self) -> int:
        return len(self._pools)

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        return self._pools[next(self._turn) % len(self._pools)].submit(fn, *args, **kwargs)

    def map(
        self, fn: Callable[..., R], *iterables: Iterable[Any], timeout: float | None = None, chunksize: int = 1
    ) -> Iterator[R]:
        items = list(zip(*iterables, strict=False))
        return self.map_keyed(partial(_starred, fn), items, [None] * len(items), chunksize=chunksize, depth=None)

    def map_keyed(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        keys: Sequence[Hashable],
        *,
        chunksize: int,
        depth: int | None,
        remember: bool = False,
    ) -> Iterator[R]:
        """``fn`` over ``items``, results in order. An item whose key a process remembers goes to that process
        (unless another one runs out of work first); the others are spread evenly. ``remember``: each process
        remembers the keys of the items it ran (else they are forgotten). ``depth``: chunks in flight per
        process (None: all at once), so that idle processes can take over the rest."""
        count = len(self._pools)
        queues: list[deque[list[int]]] = [deque() for _ in range(count)]
        assigned: list[list[int]] = [[] for _ in range(count)]
        unplaced: list[int] = []
        for position, key in enumerate(keys):
            where = self._where.get(key) if key is not None else None
            (assigned[where] if where is not None else unplaced).append(position)
        for position in unplaced:  # to the process with the fewest items
            min(assigned, key=len).append(position)
        for index, positions in enumerate(assigned):
            queues[index].extend(positions[i : i + max(1, chunksize)] for i in range(0, len(positions), chunksize))
        return self._dispatch(fn, items, keys, queues, depth, remember)

    def _dispatch(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        keys: Sequence[Hashable],
        queues: list[deque[list[int]]],
        depth: int | None,
        remember: bool,
    ) -> Iterator[R]:
        """Feed the processes from a thread of its own, so that they get their next chunks while the caller is
        busy elsewhere (anchoring the next batch, say) rather than only while it waits for a result."""
        results: dict[int, R] = {}
        failed: list[BaseException] = []
        flying: dict[Future[list[R]], tuple[int, list[int]]] = {}
        busy = [0] * len(self._pools)
        ready = threading.Condition()
        stop = threading.Event()

        def top_up() -> None:
            for index, pool in enumerate(self._pools):
                while depth is None or busy[index] < depth:
                    chunk = self._next_chunk(queues, index, steal=depth is not None)
                    if chunk is None:
                        break
                    future = pool.submit(_run_chunk, fn, [items[p] for p in chunk])
                    with ready:
                        flying[future] = (index, chunk)
                    busy[index] += 1

        def settle(future: Future[list[R]]) -> None:
            with ready:
                index, chunk = flying.pop(future)
            busy[index] -= 1
            values = future.result()
            for position in chunk:
                key = keys[position]
                if key is None:
                    continue
                if remember:
                    self._where[key] = index
                else:
                    self._where.pop(key, None)
            with ready:
                results.update(zip(chunk, values, strict=True))
                ready.notify_all()

        def feed() -> None:
            try:
                while not stop.is_set():
                    top_up()
                    with ready:
                        pending = list(flying)
                    if not pending:
                        return
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        settle(future)
            except BaseException as exc:  # a worker's error (or a broken pool): raised to the caller
                with ready:
                    failed.append(exc)
                    ready.notify_all()

        def collect() -> Iterator[R]:
            try:
                for position in range(len(items)):
                    with ready:
                        while position not in results and not failed:
                            ready.wait()
                        if position not in results:
                            raise failed[0]
                        value = results.pop(position)
                    yield value
            finally:
                stop.set()
                with ready:
                    pending = list(flying)
                for future in pending:
                    future.cancel()

        # started now, as Executor.map does: the work runs before the first result is asked for
        threading.Thread(target=feed, name="notary-workers-feed", daemon=True).start()
        return collect()

    @staticmethod
    def _next_chunk(queues: list[deque[list[int]]], index: int, *, steal: bool) -> list[int] | None:
        """The process's own next chunk, else (``steal``) the last one of the process with the most left."""
        if queues[index]:
            return queues[index].popleft()
        busiest = max(queues, key=len)
        return busiest.pop() if steal and busiest else None

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        for pool in self._pools:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)
