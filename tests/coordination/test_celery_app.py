"""The Celery app: the worker's pool and the wake-up a thread pool needs."""

from __future__ import annotations

import time
from types import SimpleNamespace

from celery.concurrency.prefork import TaskPool as PreforkPool
from celery.concurrency.thread import TaskPool as ThreadPool
from celery.utils.timer2 import Timer
from django.conf import settings

from coordination import celery


def test_the_worker_runs_threads_in_one_process_by_default() -> None:
    # A prefork pool holds a copy of Django per process; threads share one.
    assert (settings.CELERY_WORKER_POOL, settings.CELERY_WORKER_CONCURRENCY) == ("threads", 4)
    assert celery.app.conf.worker_pool == "threads"


def test_a_thread_pool_gets_the_timer_that_wakes_the_event_loop() -> None:
    timer = Timer()
    try:
        before = time.monotonic()
        celery._wake_the_thread_pool(SimpleNamespace(pool=ThreadPool(limit=1), timer=timer))
        [entry] = timer.queue
        assert before < entry.eta <= time.monotonic() + 0.1  # wakes 0.1 s after it was set
    finally:
        timer.stop()


def test_other_pools_are_left_alone() -> None:
    timer = Timer()
    try:
        celery._wake_the_thread_pool(SimpleNamespace(pool=PreforkPool(limit=1), timer=timer))
        assert timer.queue == []
    finally:
        timer.stop()
