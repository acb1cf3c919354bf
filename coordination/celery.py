"""The Celery application. Tasks are discovered in every installed app's ``tasks`` module."""

import os
from typing import Any

from celery import Celery
from celery.concurrency.thread import TaskPool as ThreadPool
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
# Celery's Django fix-up runs Django's system checks when a worker starts; they load the URL
# conf and with it the whole web stack (DRF, the OpenAPI generator, their test helpers): memory
# in each of the worker's processes for code a worker never runs (see docs/performance.md).
# The checks run where the web stack runs: `manage.py migrate` / `check`, the test suite.
os.environ.setdefault("CELERY_SKIP_CHECKS", "true")

app = Celery("samordna")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _wake_the_thread_pool(sender: Any = None, **_: Any) -> None:
    """Threads finish tasks outside the worker's event loop, which then notices the free slot
    (and acknowledges the message) only when its poll times out, ~1 s later: with one message
    prefetched per thread that caps a thread pool at a few tasks a second. A 0.1 s timer wakes
    the loop. https://github.com/celery/celery/issues/6941 (open)."""
    if isinstance(getattr(sender, "pool", None), ThreadPool):
        sender.timer.call_repeatedly(0.1, _noop)


def _noop() -> None:
    return None
