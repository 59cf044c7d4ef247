"""Run verifications off the event loop, bounded in number, waiting time and running time.

Why not a plain ThreadPoolExecutor: a crafted PDF can keep pypdf busy for seconds, and a thread cannot be
killed. Verification is pure Python (pypdf, our PDF code, hashing), so an exception raised *inside* the
worker thread at the deadline (``PyThreadState_SetAsyncExc``) stops it within microseconds. The exception
derives from BaseException, so the pipeline's ``except Exception`` guards let it through. Our own worker
loop swallows a cut-off that lands late, which a ThreadPoolExecutor worker would die of.

Bounds: ``threads`` verifications run at once (memory: threads x upload limit), at most ``queue`` more wait
up to ``queue_wait`` seconds for a slot (then :class:`Busy`, a 503), each runs at most ``timeout`` seconds
(then :class:`TimedOut`). A blocking socket read (a hanging chain node) cannot be interrupted this way;
its own RPC timeout ends it, and the caller gets its answer at the deadline regardless.
"""

from __future__ import annotations

import asyncio
import ctypes
import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_PENDING, _RUNNING, _DONE = range(3)


class Busy(Exception):
    """No verification slot became free in time."""


class TimedOut(Exception):
    """The verification ran past its deadline and was cut off."""


class _CutOff(BaseException):
    """Raised inside a worker thread at the deadline; BaseException so ``except Exception`` cannot eat it."""


class _Job(Generic[T]):
    def __init__(self, fn: Callable[[], T], loop: asyncio.AbstractEventLoop, future: asyncio.Future[T]) -> None:
        self.fn = fn
        self.loop = loop
        self.future = future
        self.state = _PENDING
        self.thread_id = 0
        self.lock = threading.Lock()

    def run(self) -> None:
        with self.lock:
            if self.state != _PENDING:
                return  # abandoned before it started
            self.state = _RUNNING
            self.thread_id = threading.get_ident()
        try:
            value = self.fn()
        except _CutOff:
            self._finish(lambda: None)
            return
        except BaseException as exc:  # handed to the awaiting coroutine, which decides
            error = exc
            self._finish(lambda: _set_exception(self.future, error))
            return
        self._finish(lambda: _set_result(self.future, value))

    def _finish(self, deliver: Callable[[], None]) -> None:
        with self.lock:
            self.state = _DONE
        self.loop.call_soon_threadsafe(deliver)

    def cut_off(self) -> bool:
        """Abandon the job; if it is running, raise _CutOff in its thread. True while it may still run."""
        with self.lock:
            if self.state == _PENDING:
                self.state = _DONE
                return False
            if self.state == _DONE:
                return False
            _async_raise(self.thread_id, _CutOff)
            return True


def _set_result(future: asyncio.Future[T], value: T) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[T], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


def _async_raise(thread_id: int, exc_type: type[BaseException]) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc_type))


class VerifyRunner:
    def __init__(self, threads: int, queue_size: int, timeout: float, queue_wait: float) -> None:
        self.timeout = timeout
        self.queue_wait = queue_wait
        self._capacity = threads + queue_size
        self._slots: asyncio.Semaphore | None = None
        self._jobs: queue.SimpleQueue[_Job[object] | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"verify-{i}", daemon=True) for i in range(threads)]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get()
                if job is None:
                    return
                job.run()
            except _CutOff:
                continue  # a cut-off delivered just after its job finished: harmless here

    async def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` in a worker thread; Busy if no slot frees up in time, TimedOut past the deadline."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._capacity)  # created on the serving loop
        try:
            await asyncio.wait_for(self._slots.acquire(), self.queue_wait)
        except TimeoutError:
            raise Busy() from None
        try:
            loop = asyncio.get_running_loop()
            future: asyncio.Future[T] = loop.create_future()
            job = _Job(fn, loop, future)
            self._jobs.put(job)  # type: ignore[arg-type]
            started = loop.time()
            # the deadline counts from when a thread picks the job up, not from the wait in the queue
            while True:
                done, _ = await asyncio.wait({future}, timeout=self.timeout)
                if done:
                    return future.result()
                if job.state == _PENDING and loop.time() - started < self.queue_wait + self.timeout:
                    continue
                break
            if job.cut_off():
                self._keep_cutting(loop, job)
            raise TimedOut()
        finally:
            self._slots.release()

    def _keep_cutting(self, loop: asyncio.AbstractEventLoop, job: _Job[T], tries: int = 5) -> None:
        """Code that swallows BaseException (rare) eats one cut-off; repeat a few times."""

        def again(left: int) -> None:
            if left and job.cut_off():
                loop.call_later(0.05, again, left - 1)

        loop.call_later(0.05, again, tries)

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)
