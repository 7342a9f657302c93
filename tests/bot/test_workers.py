"""The answer pool: answers submitted before a drain are finished, within its bound; nothing after it starts."""

from __future__ import annotations

import threading

import pytest

from bot.workers import AnswerPool, PoolClosed, drain

BOUND_S = 30  # how long a hung wait may take before the test fails; nothing depends on speed


def test_drain_waits_for_running_and_queued_answers() -> None:
    pool = AnswerPool(1, "test")
    gate = threading.Event()
    done: list[str] = []
    first = pool.submit(lambda: (gate.wait(BOUND_S), done.append("first")))
    second = pool.submit(done.append, "second")  # queued behind the first: one worker
    draining = threading.Thread(target=lambda: done.append(f"abandoned={pool.drain(BOUND_S)}"))
    draining.start()
    draining.join(0.2)
    assert draining.is_alive() and done == []
    gate.set()
    draining.join(BOUND_S)
    assert done == ["first", "second", "abandoned=0"]
    assert first.done() and second.done() and pool.in_flight() == 0


def test_after_the_bound_queued_answers_are_cancelled_and_running_ones_counted() -> None:
    pool = AnswerPool(1, "test")
    started, gate = threading.Event(), threading.Event()
    running = pool.submit(lambda: (started.set(), gate.wait(BOUND_S)))
    assert started.wait(BOUND_S)
    queued = pool.submit(print, "never")
    assert pool.drain(0.05) == 1
    assert queued.cancelled() and not running.done()
    gate.set()
    running.result(BOUND_S)


def test_nothing_starts_once_the_pool_drains() -> None:
    pool = AnswerPool(2, "test")
    pool.drain(0)
    with pytest.raises(PoolClosed, match="server is stopping"):
        pool.submit(print, "late")


def test_an_answer_that_fails_reports_through_its_future_and_the_worker_goes_on() -> None:
    pool = AnswerPool(1, "test")
    failed = pool.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failed.result(BOUND_S)
    assert pool.submit(lambda: "next").result(BOUND_S) == "next"
    assert pool.drain(BOUND_S) == 0


def test_threads_are_daemons_so_an_abandoned_answer_cannot_keep_the_process_alive() -> None:
    pool = AnswerPool(3, "test")
    names = [pool.submit(lambda: threading.current_thread()).result(BOUND_S) for _ in range(3)]
    assert all(thread.daemon for thread in names)
    assert {thread.name.rsplit("-", 1)[0] for thread in names} == {"test"}
    pool.drain(BOUND_S)


def test_drain_shares_one_bound_across_pools_and_reports_what_it_gave_up() -> None:
    pools = [AnswerPool(1, "a"), AnswerPool(1, "b")]
    gate, started = threading.Event(), threading.Barrier(3)
    for pool in pools:
        pool.submit(lambda: (started.wait(BOUND_S), gate.wait(BOUND_S)))
    started.wait(BOUND_S)
    assert drain(pools, 0.05) == 2
    gate.set()
