"""Reminder delivery with real parts: Redis (Debian's redis-server), a Celery worker process, two
beat processes, an SMTP server (aiosmtpd) and an SMS gateway (``tests.sms_gateway``, LINK
Mobility's API, its own process). The deadline reminders and the notices that something new
waits (e-mail and SMS) go out together. The worker is killed with SIGKILL mid-run and restarted,
the SMTP server is stopped for a while, then the SMS gateway answers 503 and then refuses
connections for a while: no reminder or notice is lost and none is sent twice, and none of the
notices that fell due at night is sent.

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
from cases.models import FollowUpPeriod, StaffRole
from coordination.deadlines import ledger
from coordination.models import NoticeSettings, Reminder
from coordination.reminders import notices
from tests import factories
from tests.factories import derived
from tests.sms_gateway import SmsGatewayServer
from tests.smtp import SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]
ADVISORS, YOUTHS_EACH, ACTIVITIES_EACH = 5, 4, 3
EXPECTED = ADVISORS * YOUTHS_EACH * ACTIVITIES_EACH
# NOTIFIED youths get a message and a notice by e-mail and by SMS; NIGHT more youths' messages
# are derived at night, so their notices wait for the morning (after the run).
NOTIFIED, NIGHT = 10, 4
NOTICES = NOTIFIED * 2

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
            youth = factories.register_youth(advisor, nav)
            plan = services.activity_plan_create(actor=advisor, youth=youth, service=nav)
            for n in range(ACTIVITIES_EACH):
                services.activity_add(
                    actor=advisor,
                    plan=plan,
                    type="EGEN",
                    title=f"Aktivitet {n}",
                    deadline=today,
                )
    derived()  # the youths' deadlines and reminders, in one run of the ledger
    due = set(
        Reminder.objects.filter(status="PENDING", send_after__lte=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    assert len(due) == EXPECTED
    return due


def _ids(names: Any, sep: str = ",") -> list[int]:
    return [int(pk) for pk in str(names or "").split(sep) if pk]


def _quiet_hours_around_now(settings: Any) -> dict[str, str]:
    """The quiet hours (22 to 07 when the run is in the day), moved so that the hour the run
    starts in is not quiet: the run does not depend on the clock."""
    hour = timezone.localtime().hour
    quiet_from, quiet_until = (22, 7) if 7 <= hour < 22 else (24, 7) if hour >= 22 else (22, 0)
    settings.NOTICE_QUIET_FROM, settings.NOTICE_QUIET_UNTIL = quiet_from, quiet_until
    return {"NOTICE_QUIET_FROM": str(quiet_from), "NOTICE_QUIET_UNTIL": str(quiet_until)}


def _next_night(now: datetime.datetime) -> datetime.datetime:
    at = now + datetime.timedelta(hours=1)
    while not notices.is_quiet(at):
        at += datetime.timedelta(hours=1)
    return at


def _notices_due(settings: Any) -> tuple[set[int], set[int]]:
    """NOTIFIED followed youths give an e-mail address and a mobile number; their advisors write
    to them: NOTICES notices due now. NIGHT more youths' messages are derived at night."""
    periods = list(
        FollowUpPeriod.objects.filter(ended_on__isnull=True)
        .select_related("youth")
        .order_by("pk")[:NOTIFIED]
    )
    advisor = periods[0].responsible
    nav = periods[0].service
    night = [derived(factories.register_youth(advisor, nav)) for _n in range(NIGHT)]
    for n, youth in enumerate([p.youth for p in periods] + night):
        NoticeSettings.objects.create(
            youth=youth,
            email=f"ung{n}@example.test",
            mobile=f"+4791{n:06d}",
            email_on=True,
            sms_on=True,
        )
    # Half the messages were written yesterday at noon: their notices go first, before the
    # deadline reminders (due from midnight), where the worker is killed; the other half now:
    # theirs go last, into the outage.
    yesterday_noon = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(12))
    ) - datetime.timedelta(days=1)
    for n, period in enumerate(periods):
        thread = services.thread_start(
            actor=period.responsible,
            youth=period.youth,
            service=period.service,
            kind="YOUTH",
            subject="Møte",
            text="Vi sees tirsdag.",
        )
        services.message_post(actor=period.responsible, thread=thread, text="Ta med CV.")
        if n + 1 == NOTIFIED // 2:
            ledger.derive_changed(now=yesterday_noon)
    ledger.derive_changed(now=timezone.now())
    day = set(Reminder.objects.filter(stage="NOTICE").values_list("pk", flat=True))
    assert len(day) == NOTICES
    for youth in night:
        services.thread_start(
            actor=advisor, youth=youth, service=nav, kind="YOUTH", subject="Møte", text="Hei"
        )
    ledger.derive_changed(now=_next_night(timezone.now()))
    waiting = set(Reminder.objects.filter(stage="NOTICE").values_list("pk", flat=True)) - day
    assert len(waiting) == NIGHT * 2
    return day, waiting


@pytest.mark.slow
def test_no_reminder_lost_or_doubled_through_a_worker_kill_and_an_smtp_outage(
    settings: Any, redis_url: str, tmp_path: Path
) -> None:
    quiet = _quiet_hours_around_now(settings)
    _deadlines_due_today(settings)
    notice_ids, night_ids = _notices_due(settings)
    # The messages are facts too (the answer rule derives the youths' deadlines with them), so
    # every reminder due now is expected, whichever derivation planned it.
    deadline_ids = set(
        Reminder.objects.filter(status="PENDING", send_after__lte=timezone.now())
        .exclude(stage="NOTICE")
        .values_list("pk", flat=True)
    )
    expected_ids = deadline_ids | notice_ids
    expected = len(expected_ids)
    smtp = SmtpServer(delay=0.15)  # a slow MTA: the kill lands while mail is in flight
    smtp.start()
    gateway = SmsGatewayServer(free_port(), tmp_path / "sms.jsonl")
    gateway.delay = 0.1  # a slow gateway, likewise
    gateway.start()
    env = {
        **quiet,
        "SMS_GATEWAY": "coordination.reminders.sms.LinkMobilityGateway",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_USER": gateway.user,
        "SMS_GATEWAY_PASSWORD": gateway.password,
        "SMS_PLATFORM_PARTNER_ID": "4242",
        "SMS_TIMEOUT": "3",
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
    sms_sent = lambda: Reminder.objects.filter(  # noqa: E731
        pk__in=notice_ids, channel="SMS", status="SENT"
    ).count()
    figures: dict[str, Any] = {
        "expected": expected,
        "deadline_reminders": len(deadline_ids),
        "notices": len(notice_ids),
        "night_notices": len(night_ids),
    }
    started = time.monotonic()
    try:
        procs.start("worker", *worker, "-n", "w1@%h")
        for n in (1, 2):  # two beats at once
            procs.start(f"beat{n}", *celery, "beat", "-l", "info", "-s", str(tmp_path / f"s{n}"))
        _wait(lambda: sent() >= NOTICES // 4, 90, "the first notices to be sent")
        procs.kill("worker")  # SIGKILL, mid-run, among the first notices
        figures["sent_when_worker_killed"] = sent()
        procs.start("worker", *worker, "-n", "w2@%h")
        _wait(lambda: sent() >= expected // 2, 90, "half to be sent after the restart")
        smtp.stop()
        gateway.outage(True)  # 503 to every SMS
        figures["sent_when_outage_began"] = sent()
        figures["sms_sent_when_outage_began"] = sms_sent()
        time.sleep(4)
        gateway.stop()  # then connections refused
        time.sleep(3)
        figures["sent_during_outage"] = sent() - figures["sent_when_outage_began"]
        figures["sms_sent_during_outage"] = sms_sent() - figures["sms_sent_when_outage_began"]
        smtp.start()
        gateway.outage(False)
        gateway.start()
        figures["seconds_to_recover_after_outage"] = round(
            _wait(lambda: sent() == expected, 120, "every reminder and notice to be sent"), 1
        )
    finally:
        procs.stop_all()
        smtp.stop()
        gateway.stop()
    figures["total_seconds"] = round(time.monotonic() - started, 1)
    # A message is known by its name: an e-mail by its Message-ID, an SMS by its reference
    # (both name the rows). A call cut between the receiver's acceptance and our commit (the
    # kill, or a gateway answering after our timeout) offers the same message again under the
    # same name: a redelivery, counted apart. A duplicate is a reminder in two different
    # messages.
    offered = [(str(m["Message-ID"]), _ids(m["X-Samordna-Reminders"])) for m in smtp.inbox.messages]
    offered += [(m["refId"], _ids(m["refId"].removeprefix("r"), "-")) for m in gateway.received()]
    messages = dict(offered)
    received = Counter(pk for ids in messages.values() for pk in ids)
    by_sms = [pk for name, ids in messages.items() if not name.startswith("<") for pk in ids]
    figures["received"] = sum(received.values())
    figures["received_by_sms"] = len(by_sms)
    figures["redelivered"] = len(offered) - len(messages)
    figures["duplicates"] = sum(n - 1 for n in received.values() if n > 1)
    figures["lost"] = len(expected_ids - set(received))
    figures["night_notices_sent"] = len(night_ids & set(received))
    figures["messages"] = len(smtp.inbox.messages)
    figures["retried_rows"] = Reminder.objects.filter(attempts__gt=0).count()
    figures["retried_sms_rows"] = Reminder.objects.filter(
        pk__in=notice_ids, channel="SMS", attempts__gt=0
    ).count()
    (ROOT / "var" / "delivery.json").write_text(json.dumps(figures, indent=2))
    print("\nreminder delivery:", json.dumps(figures))
    assert set(received) == expected_ids
    assert figures["duplicates"] == 0
    # Offered twice: at most the messages in flight when the worker was killed, and gateway
    # calls that timed out while the gateway took them.
    assert figures["redelivered"] <= 3
    assert figures["lost"] == 0
    assert figures["night_notices_sent"] == 0
    assert not Reminder.objects.filter(pk__in=expected_ids).exclude(status="SENT").exists()
    assert not Reminder.objects.filter(pk__in=night_ids).exclude(status="PENDING").exists()
    assert all(m["destination"].startswith("+47") for m in gateway.received())
