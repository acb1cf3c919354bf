"""Reminder delivery with real parts: Redis (Debian's redis-server), a Celery worker process, two
beat processes and an SMTP server (aiosmtpd). The worker is killed with SIGKILL mid-run and
restarted, the SMTP server is stopped for a while: no reminder is lost and none is sent twice.

The worker and beats are other processes and share the test database (committed rows). The
figures are written to var/delivery.json and printed.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection
from django.utils import timezone

from cases import services
from cases.models import StaffRole
from coordination.models import Reminder
from tests import factories
from tests.factories import derived
from tests.smtp import SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]
ADVISORS, YOUTHS_EACH, ACTIVITIES_EACH = 5, 4, 3
EXPECTED = ADVISORS * YOUTHS_EACH * ACTIVITIES_EACH

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Processes:
    """Child processes in their own process groups, so SIGKILL reaches a worker's children."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM)


def _database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    assert binary, (
        "redis-server is missing: scripts/test installs it (apt-get install redis-server)"
    )
    port = free_port()
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    _wait(lambda: _pings(client), 10, "redis")
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


def _pings(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


def _deadlines_due_today(settings: Any) -> set[int]:
    """EXPECTED activity deadlines due today, ADVISORS recipients: one DUE reminder each."""
    settings.REMINDER_SEND_HOUR = 0  # due from midnight: the run does not depend on the clock
    nav = factories.make_service("NAV", "NAV Grenland")
    factories.make_staff(nav, StaffRole.MANAGER, username="leder.nav", email="leder@nav.test")
    today = datetime.date.today()
    for a in range(ADVISORS):
        advisor = factories.make_staff(nav, username=f"veileder{a}", email=f"v{a}@nav.test")
        for _y in range(YOUTHS_EACH):
            youth = derived(factories.register_youth(advisor, nav))
            plan = services.activity_plan_create(actor=advisor, youth=youth, service=nav)
            for n in range(ACTIVITIES_EACH):
                derived(
                    services.activity_add(
                        actor=advisor,
                        plan=plan,
                        type="EGEN",
                        title=f"Aktivitet {n}",
                        deadline=today,
                    )
                )
    due = set(
        Reminder.objects.filter(status="PENDING", send_after__lte=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    assert len(due) == EXPECTED
    return due


@pytest.mark.slow
def test_no_reminder_lost_or_doubled_through_a_worker_kill_and_an_smtp_outage(
    settings: Any, redis_url: str, tmp_path: Path
) -> None:
    expected_ids = _deadlines_due_today(settings)
    smtp = SmtpServer(delay=0.15)  # a slow MTA: the kill lands while mail is in flight
    smtp.start()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": redis_url,
        "CELERY_VISIBILITY_TIMEOUT": "60",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "3",
        "REMINDER_DISPATCH_SECONDS": "1",
        "REMINDER_BATCH_SIZE": "4",
        "REMINDER_CLAIM_LEASE_SECONDS": "10",
        "REMINDER_RETRY_BASE_SECONDS": "1",
        "REMINDER_RETRY_MAX_SECONDS": "4",
        "DJANGO_ENV": "development",
    }
    logs = ROOT / "var" / "delivery-logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    celery = [sys.executable, "-m", "celery", "-A", "coordination"]
    worker = [*celery, "worker", "-l", "info", "--without-gossip", "--without-mingle"]
    procs = Processes(env, logs)
    sent = lambda: Reminder.objects.filter(pk__in=expected_ids, status="SENT").count()  # noqa: E731
    figures: dict[str, Any] = {"expected": EXPECTED}
    started = time.monotonic()
    try:
        procs.start("worker", *worker, "-n", "w1@%h")
        for n in (1, 2):  # two beats at once
            procs.start(f"beat{n}", *celery, "beat", "-l", "info", "-s", str(tmp_path / f"s{n}"))
        _wait(lambda: sent() >= EXPECTED // 4, 90, "the first quarter to be sent")
        procs.kill("worker")  # SIGKILL, mid-run
        figures["sent_when_worker_killed"] = sent()
        procs.start("worker", *worker, "-n", "w2@%h")
        _wait(lambda: sent() >= EXPECTED // 2, 90, "half to be sent after the restart")
        smtp.stop()
        figures["sent_when_smtp_stopped"] = sent()
        time.sleep(8)
        figures["sent_during_outage"] = sent() - figures["sent_when_smtp_stopped"]
        smtp.start()
        figures["seconds_to_recover_after_outage"] = round(
            _wait(lambda: sent() == EXPECTED, 120, "every reminder to be sent"), 1
        )
    finally:
        procs.stop_all()
        smtp.stop()
    figures["total_seconds"] = round(time.monotonic() - started, 1)
    received = Counter(smtp.inbox.reminder_ids())
    figures["received"] = sum(received.values())
    figures["duplicates"] = sum(n - 1 for n in received.values() if n > 1)
    figures["lost"] = len(expected_ids - set(received))
    figures["messages"] = len(smtp.inbox.messages)
    figures["retried_rows"] = Reminder.objects.filter(attempts__gt=0).count()
    (ROOT / "var" / "delivery.json").write_text(json.dumps(figures, indent=2))
    print("\nreminder delivery:", json.dumps(figures))
    assert set(received) == expected_ids
    assert figures["duplicates"] == 0
    assert figures["lost"] == 0
    assert not Reminder.objects.filter(pk__in=expected_ids).exclude(status="SENT").exists()
