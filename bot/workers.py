"""Worker threads for the answers the bots compute after they acknowledged (Slack, WeCom app, AI bot).

A bot callback is acknowledged at once and answered in the background (BOTS.md S3, W5). The
threads that do that belong to an :class:`AnswerPool`: a ``concurrent.futures.Executor`` (bolt
takes it as its ``listener_executor``) that the server drains when it stops. :func:`drain`
stops taking work, waits a bounded time (``server.drain_timeout_s``) for the answers in flight
and the ones queued behind them, then cancels what has not started and returns. Its threads are
daemon threads, so an answer still running after the bound cannot keep the process alive (a
``ThreadPoolExecutor`` would: the interpreter joins its threads at exit, however long they take).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from concurrent.futures import wait as wait_for
from typing import Any

log = logging.getLogger(__name__)

_Work = tuple[Future, Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class PoolClosed(RuntimeError):
    """Work submitted after the pool began to drain (the server is stopping)."""


class AnswerPool(Executor):
    """Up to ``workers`` daemon threads, started as work arrives; ``drain`` ends them."""

    def __init__(self, workers: int, name: str) -> None:
        self.workers = workers
        self.name = name
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._pending: set[Future] = set()
        self._idle = threading.Semaphore(0)  # released by a thread waiting for work (as ThreadPoolExecutor)
        self._closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise PoolClosed(f"{self.name}: the server is stopping; no new answers are started")
            self._pending.add(future)
            future.add_done_callback(self._forget)
            self._queue.put((future, fn, args, kwargs))
            if not self._idle.acquire(timeout=0) and len(self._threads) < self.workers:
                thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args, kwargs = item
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:  # the caller reads it from the future
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            self._idle.release()

    def in_flight(self) -> int:
        """Answers submitted and not finished (running or queued)."""
        with self._lock:
            return len(self._pending)

    def drain(self, timeout_s: float) -> int:
        """Take no more work; wait up to ``timeout_s`` for what was submitted; cancel what has not
        started by then. Returns how many answers were still running (they are abandoned)."""
        with self._lock:
            self._closed = True
            pending = list(self._pending)
        _, unfinished = wait_for(pending, timeout=None if timeout_s == float("inf") else max(0.0, timeout_s))
        running = [f for f in unfinished if not f.cancel()]
        for _ in self._threads:
            self._queue.put(None)  # each idle thread ends; a busy one ends after its answer
        return len(running)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """The ``Executor`` API: drain without a bound (``wait``) or cancel at once."""
        self.drain(float("inf") if wait and not cancel_futures else 0.0)


def drain(pools: Iterable[AnswerPool], timeout_s: float) -> int:
    """Drain every pool within one shared bound; log and return the answers abandoned."""
    pools = list(pools)
    waiting = sum(p.in_flight() for p in pools)
    if waiting:
        log.info("stopping: waiting up to %g s for %d answer(s) in progress", timeout_s, waiting)
    deadline = time.monotonic() + timeout_s
    abandoned = sum(pool.drain(deadline - time.monotonic()) for pool in pools)
    if abandoned:
        log.warning("stopped with %d answer(s) still running after %g s; their askers get no reply", abandoned, timeout_s)
    return abandoned


def answer_pools(app: Any) -> list[AnswerPool]:
    """The pools of an app (``app.state.answer_pools``) that its lifespan drains; channels add theirs."""
    pools = getattr(app.state, "answer_pools", None)
    if pools is None:
        pools = app.state.answer_pools = []
    return pools
