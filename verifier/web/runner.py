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

C code cannot be interrupted either (PIL, the QR search in zxing-cpp): the cut-off lands when it returns.
So an abandoned job keeps its slot, and whatever the caller asked to keep (the upload's share of the memory
budget), until its thread has really let go of it: abandoned work still counts against capacity, and a
burst of slow uploads meets 503s instead of piling up unseen behind busy threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import queue
import sys
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
        self.on_done: list[Callable[[], None]] = []  # run on the loop once the thread is done with the job

    def execute(self) -> Callable[[], None] | None:
        """In the worker thread: run ``fn``; what to deliver to the awaiting coroutine (None if abandoned)."""
        with self.lock:
            if self.state != _PENDING:
                return None  # abandoned before it started
            self.state = _RUNNING
            self.thread_id = threading.get_ident()
        try:
            value = self.fn()
        except _CutOff:
            return None
        except BaseException as exc:  # handed to the awaiting coroutine, which decides
            error = exc
            return lambda: _set_exception(self.future, error)
        return lambda: _set_result(self.future, value)

    def settle(self, deliver: Callable[[], None] | None) -> None:
        """In the worker thread, after ``execute``: mark the job done and hand over. Safe to repeat when a
        late cut-off interrupts it: once the state is DONE (under the lock) no new cut-off is sent, and the
        one possibly pending is cleared before anything is handed over."""
        with self.lock:
            self.state = _DONE
            _clear_async(threading.get_ident())
            callbacks, self.on_done = self.on_done, []
        for callback in ([deliver] if deliver else []) + callbacks:
            _call_on(self.loop, callback)

    def when_done(self, callbacks: list[Callable[[], None]]) -> bool:
        """Run ``callbacks`` on the loop when the thread is done with the job; False if it already is."""
        with self.lock:
            if self.state == _DONE:
                return False
            self.on_done.extend(callbacks)
            return True

    def cut_off(self) -> bool:
        """Abandon the job; if it is running, raise _CutOff in its thread. True while it may still run."""
        with self.lock:
            if self.state == _PENDING:
                self.state = _DONE
                return False
            if self.state == _DONE:
                return False
            if _interruptible(self.thread_id):
                _async_raise(self.thread_id, _CutOff)
            return True  # not cut now (it may hold a lock): the caller tries again shortly


def _call_on(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    with contextlib.suppress(RuntimeError):  # the loop is closed (shutdown): nobody is left to hand anything to
        loop.call_soon_threadsafe(callback)


def _set_result(future: asyncio.Future[T], value: T) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[T], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


_HOLDS_LOCKS = ("logging", "threading", "queue", "concurrent", "asyncio", "importlib", "contextlib", "warnings",
                "codecs", "encodings", "weakref", "tracemalloc", "selectors", "socket", "ssl", "http", "urllib3",
                "requests", "httpx", "sqlite3")  # fmt: skip


def _interruptible(thread_id: int) -> bool:
    """Never cut a thread off inside code that may hold a Python-level lock: an exception forced in between a
    lock's acquire and its try/finally would leave it held for ever (seen once with logging's lock, freezing
    the whole app). The check and the raise run back to back holding the GIL, and the exception is delivered
    at the thread's next bytecode, so the thread cannot move far in between; if it is in such code now, the
    caller tries again a moment later."""
    frame = sys._current_frames().get(thread_id)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if module == __name__:
            return True  # reached the job's own frame: below it is only the worker loop and the thread machinery
        if module.startswith(_HOLDS_LOCKS):
            return False
        frame = frame.f_back
    return False


def _async_raise(thread_id: int, exc_type: type[BaseException]) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc_type))


def _clear_async(thread_id: int) -> None:
    """Withdraw an exception raised in ``thread_id`` by :func:`_async_raise` and not yet delivered."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)


class VerifyRunner:
    def __init__(self, threads: int, queue_size: int, timeout: float, queue_wait: float) -> None:
        self.timeout = timeout
        self.queue_wait = queue_wait
        self._capacity = threads + queue_size
        self.lingering = 0  # slots held by abandoned jobs whose thread is still busy (touched on the loop only)
        self._slots: asyncio.Semaphore | None = None
        self._jobs: queue.SimpleQueue[_Job[object] | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"verify-{i}", daemon=True) for i in range(threads)]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get()
            except _CutOff:
                continue  # cannot happen after settle() (it withdraws a pending cut-off); harmless anyway
            if job is None:
                return
            deliver = None
            with contextlib.suppress(_CutOff):  # one that landed after fn returned: the caller has gone
                deliver = job.execute()
            while True:
                try:
                    job.settle(deliver)
                    break
                except _CutOff:
                    continue

    async def run(self, fn: Callable[[], T], keep: Callable[[], Callable[[], None]] | None = None) -> T:
        """``fn()`` in a worker thread; Busy if no slot frees up in time, TimedOut past the deadline.

        If the caller stops waiting (deadline, cancellation) while the thread is still busy with ``fn``, the
        slot stays taken until the thread is done, and so does whatever ``keep()`` holds: it returns the
        function that gives it back, which is then called on the loop when the thread is done.
        """
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._capacity)  # created on the serving loop
        slots = self._slots
        try:
            await asyncio.wait_for(slots.acquire(), self.queue_wait)
        except TimeoutError:
            raise Busy() from None
        job: _Job[T] | None = None
        loop = asyncio.get_running_loop()
        try:
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
            raise TimedOut()
        finally:
            if not (job is not None and self._abandon(loop, job, lambda: self._release_lingering(slots), keep)):
                slots.release()

    def _release_lingering(self, slots: asyncio.Semaphore) -> None:
        self.lingering -= 1
        slots.release()

    def _abandon(
        self,
        loop: asyncio.AbstractEventLoop,
        job: _Job[T],
        release: Callable[[], None],
        keep: Callable[[], Callable[[], None]] | None,
    ) -> bool:
        """Cut the job off; True if its thread is still busy, and ``release`` (and what ``keep`` holds) will
        be given back when it is done."""
        if not job.cut_off():
            return False  # finished, or never started
        self._keep_cutting(loop, job)
        callbacks = [release]
        if keep is not None:
            callbacks.append(keep())
        if job.when_done(callbacks):
            self.lingering += 1
            return True
        for callback in callbacks[1:]:  # it finished in the meantime: give back now
            callback()
        return False

    def _keep_cutting(self, loop: asyncio.AbstractEventLoop, job: _Job[T], tries: int = 80) -> None:
        """Keep trying for a while: the thread may be somewhere it must not be cut (see _interruptible), and code
        that swallows BaseException (rare) eats one cut-off."""

        def again(left: int) -> None:
            if left and job.cut_off():
                loop.call_later(0.025, again, left - 1)

        loop.call_later(0.025, again, tries)

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)
