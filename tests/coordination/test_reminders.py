"""Reminders: stages, recipients, DST, digests over a real SMTP server, claims and the health
check. The full run with Redis, a Celery worker and beat is in test_delivery.py."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection

from cases import services
from cases.models import FollowUpPeriod
from coordination.models import Reminder, ReminderPreference
from coordination.reminders import delivery, planning
from tests.coordination.conftest import Office, at, deadline, deadlines
from tests.factories import derived

D = datetime.date.fromisoformat


def activity_due(office: Office, youth: Any, due: str) -> Any:
    plan = getattr(
        FollowUpPeriod.objects.get(youth=youth, service=office.nav, ended_on__isnull=True),
        "activity_plan",
        None,
    ) or services.activity_plan_create(actor=office.advisor, youth=youth, service=office.nav)
    return derived(
        services.activity_add(
            actor=office.advisor, plan=plan, type="EGEN", title="Søke jobb", deadline=D(due)
        )
    )


def test_stages_7_and_1_days_before_on_the_day_and_escalation_to_the_manager(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    activity_due(office, youth, "2027-02-01")
    rows = {
        (r.stage, r.days, r.recipient_key): r.send_after
        for r in deadline(youth, "ACTIVITY").reminders.all()
    }
    advisor, manager = f"user:{office.advisor.pk}", f"user:{office.manager.pk}"
    assert rows == {
        ("BEFORE", -7, advisor): at("2027-01-25", 7),
        ("BEFORE", -1, advisor): at("2027-01-31", 7),
        ("DUE", 0, advisor): at("2027-02-01", 7),
        ("ESCALATION", 3, manager): at("2027-02-04", 7),
    }


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        ("2027-03-27", 6),  # CET, the day before summer time
        ("2027-03-28", 5),  # summer time starts at 02:00: 07:00 is CEST
        ("2027-10-30", 5),  # CEST, the day before winter time
        ("2027-10-31", 6),  # winter time from 03:00: 07:00 is CET
    ],
)
def test_reminders_go_at_seven_in_oslo_across_dst_changes(day: str, utc_hour: int) -> None:
    moment = planning.send_after(D(day), "IMMEDIATE", at("2027-01-01"))
    assert moment.astimezone(datetime.UTC).hour == utc_hour
    assert moment == at(day, 7)


def test_a_deadline_recorded_late_gets_one_catch_up_reminder(office: Office, travel: Any) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-31", 10)
    activity_due(office, youth, "2027-02-01")
    stages = sorted(
        (r.stage, r.days, r.send_after) for r in deadline(youth, "ACTIVITY").reminders.all()
    )
    # 7 days before has passed; 1 day before is today: sent now, not at 07:00 (already past).
    assert stages == [
        ("BEFORE", -1, at("2027-01-31", 10)),
        ("DUE", 0, at("2027-02-01", 7)),
        ("ESCALATION", 3, at("2027-02-04", 7)),
    ]


def test_daily_digest_waits_for_the_next_morning(office: Office, travel: Any) -> None:
    ReminderPreference.objects.create(user=office.advisor, mode="DAILY")
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-31", 10)
    activity_due(office, youth, "2027-02-01")
    row = deadline(youth, "ACTIVITY").reminders.get(stage="BEFORE")
    assert row.send_after == at("2027-02-01", 7)


def test_reassigning_the_responsible_moves_pending_reminders(office: Office, travel: Any) -> None:
    from tests import factories

    colleague = factories.make_staff(office.nav, username="per.nav", email="per@nav.test")
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    activity_due(office, youth, "2027-02-01")
    period = FollowUpPeriod.objects.get(youth=youth, service=office.nav)
    derived(
        services.period_reassign(
            actor=office.advisor, period=period, version=period.version, responsible=colleague
        )
    )
    pending = deadline(youth, "ACTIVITY").reminders.filter(status="PENDING", stage="BEFORE")
    assert {r.user_id for r in pending} == {colleague.pk}


def _due_reminders(office: Office, travel: Any, count: int) -> Any:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05", 6)
    for _ in range(count):
        activity_due(office, youth, "2027-01-12")
    return youth


def test_one_digest_per_recipient_with_no_names_or_case_content(
    office: Office, travel: Any, smtp: Any
) -> None:
    youth = _due_reminders(office, travel, 3)
    travel("2027-01-05", 8)  # the 7-days-before reminders fell due at 07:00
    claims = delivery.claim_due()
    assert [c.count for c in claims] == [3]
    assert delivery.deliver(claims[0].token) == 3
    [message] = smtp.inbox.messages
    assert message["To"] == "ingrid@nav.test"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "3 × Frist for aktivitet (ACTIVITY) – frist 12.01.2027" in text
    assert "3 × ACTIVITY – due 2027-01-12" in text
    assert "Frist for aktivitet (ACTIVITY)" in html and "12.01.2027" in html
    for body in (text, html):
        assert youth.first_name not in body and youth.last_name not in body
        assert youth.national_id not in body
        assert "Søke jobb" not in body  # the activity's title is case content
        assert "http://localhost:8000/day/" in body
    assert "English" in text and 'lang="en"' in html
    assert set(Reminder.objects.filter(status="SENT").values_list("stage", flat=True)) == {"BEFORE"}


def test_one_claim_gives_each_recipient_a_token_and_the_overdue_line_its_words(
    office: Office, travel: Any, smtp: Any
) -> None:
    _due_reminders(office, travel, 1)
    travel("2027-01-15", 8)  # every stage has fallen due, the escalation to the manager too
    claims = {c.recipient_key: c for c in delivery.claim_due()}
    advisor, manager = f"user:{office.advisor.pk}", f"user:{office.manager.pk}"
    assert set(claims) == {advisor, manager}
    assert claims[advisor].token != claims[manager].token
    assert Reminder.objects.filter(claim_token=claims[manager].token).count() == 1
    assert delivery.deliver(claims[manager].token) == 1
    [message] = smtp.inbox.messages
    assert message["To"] == office.manager.email
    assert "1 frist å følge opp, 1 oversittet" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "1 × Frist for aktivitet (ACTIVITY) – oversittet, frist var 12.01.2027" in text
    assert "1 × ACTIVITY – overdue, was due 2027-01-12" in text
    assert "<strong>oversittet, frist var 12.01.2027</strong>" in html
    assert delivery.deliver(claims[advisor].token) == claims[advisor].count


def test_a_service_recipient_gets_the_digest_at_its_notification_address(
    office: Office, travel: Any, smtp: Any
) -> None:
    _due_reminders(office, travel, 2)
    Reminder.objects.update(user=None, service=office.nav, recipient_key=f"service:{office.nav.pk}")
    travel("2027-01-05", 8)
    [claim] = delivery.claim_due()
    assert delivery.deliver(claim.token) == 2
    [message] = smtp.inbox.messages
    assert message["To"] == office.nav.notification_email


def test_a_recipient_without_an_address_is_recorded_and_not_sent(
    office: Office, travel: Any, smtp: Any
) -> None:
    _due_reminders(office, travel, 1)
    type(office.advisor).objects.filter(pk=office.advisor.pk).update(email="")
    travel("2027-01-05", 8)
    [claim] = delivery.claim_due()
    assert delivery.deliver(claim.token) == 0
    assert smtp.inbox.messages == []
    row = Reminder.objects.get(status="PENDING", send_after__lte=at("2027-01-05", 8))
    assert (row.last_error, row.claim_token) == ("no address", None)


def test_a_delivered_claim_is_not_sent_again(office: Office, travel: Any, smtp: Any) -> None:
    _due_reminders(office, travel, 2)
    travel("2027-01-05", 8)
    [claim] = delivery.claim_due()
    assert delivery.deliver(claim.token) == 2
    assert delivery.deliver(claim.token) == 0  # the task delivered twice
    assert delivery.claim_due() == []
    assert len(smtp.inbox.messages) == 1
    # Sent rows give the token up (out of the claims' index); the Message-ID keeps it.
    sent = Reminder.objects.filter(status="SENT")
    assert set(sent.values_list("claim_token", "message_id")) == {
        (None, f"<digest-{claim.token}@samordna>")
    }


def test_a_cancelled_reminder_revived_within_a_claims_lease_can_be_claimed_at_once(
    office: Office, travel: Any, smtp: Any
) -> None:
    """Reassigned away and back: the advisor's cancelled reminder becomes pending again, free
    of the old claim (whose task found nothing to send), not held back for the lease."""
    from tests import factories

    youth = _due_reminders(office, travel, 1)
    travel("2027-01-05", 8)
    [claim] = delivery.claim_due()
    colleague = factories.make_staff(office.nav, username="per.nav", email="per@nav.test")
    period = FollowUpPeriod.objects.get(youth=youth, service=office.nav)
    for responsible in (colleague, office.advisor):
        period.refresh_from_db()
        derived(
            services.period_reassign(
                actor=office.advisor, period=period, version=period.version, responsible=responsible
            )
        )
        if responsible == colleague:
            assert delivery.deliver(claim.token) == 0  # the advisor's row was cancelled
    [again] = delivery.claim_due()
    assert (again.recipient_key, again.count) == (f"user:{office.advisor.pk}", 1)
    assert delivery.deliver(again.token) == 1
    assert smtp.inbox.messages[0]["To"] == office.advisor.email


def test_an_smtp_outage_keeps_the_rows_pending_and_a_later_claim_sends_them(
    office: Office, travel: Any, smtp: Any, settings: Any
) -> None:
    _due_reminders(office, travel, 2)
    travel("2027-01-05", 8)
    [claim] = delivery.claim_due()
    smtp.stop()
    with pytest.raises(OSError):
        delivery.deliver(claim.token)
    delivery.record_failure(claim.token, ConnectionRefusedError("refused"))
    assert Reminder.objects.filter(status="PENDING", attempts=1).count() == 2
    assert delivery.claim_due() == []  # still claimed within the lease
    smtp.start()
    travel("2027-01-05", 8, settings.REMINDER_CLAIM_LEASE_SECONDS // 60 + 1)
    [again] = delivery.claim_due()
    # Taken over whole, under its own token: whichever task comes first sends it, once, as the
    # same message it would have been (its Message-ID names the token).
    assert (again.token, again.count) == (claim.token, 2)
    assert delivery.deliver(again.token) == 2
    assert delivery.deliver(claim.token) == 0
    assert len(smtp.inbox.reminder_ids()) == 2
    assert smtp.inbox.messages[0]["Message-ID"] == f"<digest-{claim.token}@samordna>"


def test_a_claim_past_its_lease_is_taken_over_apart_from_rows_due_since(
    office: Office, travel: Any, smtp: Any, settings: Any
) -> None:
    """A worker died holding a claim: the claim goes again as the same message, and a reminder
    that fell due since goes in a claim of its own rather than changing that message."""
    youth = _due_reminders(office, travel, 2)
    travel("2027-01-05", 8)
    [claim] = delivery.claim_due()
    activity_due(office, youth, "2027-01-12")  # its reminder falls due while the claim is held
    travel("2027-01-05", 8, settings.REMINDER_CLAIM_LEASE_SECONDS // 60 + 1)
    claims = {c.token: c.count for c in delivery.claim_due()}
    assert claims.pop(claim.token) == 2
    assert list(claims.values()) == [1]
    assert delivery.deliver(claim.token) == 2
    [message] = smtp.inbox.messages
    assert message["Message-ID"] == f"<digest-{claim.token}@samordna>"


def test_health_reports_the_oldest_unsent_due_reminder(
    office: Office, travel: Any, client: Any, settings: Any
) -> None:
    _due_reminders(office, travel, 1)
    travel("2027-01-05", 7, 10)
    body = client.get("/health/").json()
    assert body["status"] == "ok"
    assert body["reminders"]["oldest_unsent_due_seconds"] == 600
    travel("2027-01-05", 8)
    settings.REMINDER_HEALTH_MAX_AGE_SECONDS = 1800
    body = client.get("/health/").json()
    assert (body["status"], body["reminders"]["status"]) == ("degraded", "late")


def _all_stages_due(office: Office, travel: Any) -> dict[str, Any]:
    """One activity due 2027-01-12 with every stage due on the 15th, another not yet due; the
    DUE reminder moved to a counsellor without an address, and a compliance figure for NAV's
    notification address. Returns the rows by name."""
    from coordination.models import ComplianceSnapshot, DeadlineRule

    youth = _due_reminders(office, travel, 1)
    activity_due(office, youth, "2027-03-01")
    due, later = deadlines(youth, "ACTIVITY")
    snapshot = ComplianceSnapshot.objects.create(
        rule=DeadlineRule.objects.get(code="UG-90"),
        service=office.nav,
        day=D("2027-01-05"),
        group_size=10,
        met=8,
        target_percent=90,
    )
    rows = {
        "before_7": due.reminders.get(stage="BEFORE", days=-7),
        "before_1": due.reminders.get(stage="BEFORE", days=-1),
        "due": due.reminders.get(stage="DUE"),
        "escalation": due.reminders.get(stage="ESCALATION"),
        "compliance": Reminder.objects.create(
            snapshot=snapshot,
            stage="COMPLIANCE",
            recipient_key=f"service:{office.nav.pk}",
            service=office.nav,
            send_after=at("2027-01-05", 7),
        ),
    }
    Reminder.objects.filter(pk=rows["due"].pk).update(
        user=office.counsellor, recipient_key=f"user:{office.counsellor.pk}"
    )
    type(office.counsellor).objects.filter(pk=office.counsellor.pk).update(email="")
    assert not later.reminders.filter(send_after__lte=at("2027-01-15", 8)).exists()
    travel("2027-01-15", 8)
    return rows


def test_a_claims_rows_carry_what_its_digest_needs_and_its_recipients_address(
    office: Office, travel: Any
) -> None:
    """Deadlines and a compliance figure; a staff member, a manager, a service and a recipient
    without an address: each claim reads its own rows, in id order, with the recipient's
    address."""
    from django.db import transaction

    rows = _all_stages_due(office, travel)
    claims = {c.recipient_key: c for c in delivery.claim_due()}
    advisor, counsellor = f"user:{office.advisor.pk}", f"user:{office.counsellor.pk}"
    manager, nav = f"user:{office.manager.pk}", f"service:{office.nav.pk}"
    assert {key: c.count for key, c in claims.items()} == {
        advisor: 2,
        counsellor: 1,
        manager: 1,
        nav: 1,
    }
    assert len({c.token for c in claims.values()}) == 4

    def activity(name: str, stage: str, user: Any, address: str) -> delivery.DueRow:
        return delivery.DueRow(
            *(rows[name].pk, stage, "ACTIVITY", "Frist for aktivitet", D("2027-01-12")),
            *(None, None, None, user.pk, None, "EMAIL", "", address),
        )

    with transaction.atomic():
        read = {key: delivery.claimed_rows(c.token) for key, c in claims.items()}
    assert read == {
        advisor: [
            activity("before_7", "BEFORE", office.advisor, "ingrid@nav.test"),
            activity("before_1", "BEFORE", office.advisor, "ingrid@nav.test"),
        ],
        counsellor: [activity("due", "DUE", office.counsellor, "")],
        manager: [activity("escalation", "ESCALATION", office.manager, "hilde@nav.test")],
        nav: [
            delivery.DueRow(
                *(rows["compliance"].pk, "COMPLIANCE", None, None, None),
                *("UG-90", D("2027-01-05"), office.nav.pk, None, office.nav.pk),
                *("EMAIL", "", office.nav.notification_email),
            )
        ],
    }
    assert office.nav.notification_email


def test_a_claim_stamps_the_earliest_due_rows_up_to_its_limit_and_no_row_twice(
    office: Office, travel: Any
) -> None:
    rows = _all_stages_due(office, travel)
    first = delivery.claim_due(limit=2)  # due at 07:00 on the 5th: the oldest
    assert sorted(c.count for c in first) == [1, 1]
    stamped = dict(Reminder.objects.exclude(claim_token=None).values_list("pk", "claim_token"))
    assert set(stamped) == {rows["before_7"].pk, rows["compliance"].pk}
    assert {c.token for c in first} == set(stamped.values())
    rest = delivery.claim_due()
    assert sorted((c.recipient_key, c.count) for c in rest) == sorted(
        [
            (f"user:{office.advisor.pk}", 1),
            (f"user:{office.counsellor.pk}", 1),
            (f"user:{office.manager.pk}", 1),
        ]
    )
    claimed = Reminder.objects.exclude(claim_token=None)
    assert set(claimed.values_list("claimed_at", flat=True)) == {at("2027-01-15", 8)}
    assert claimed.count() == 5
    assert delivery.claim_due() == []  # every due row is claimed, within the lease
    assert not Reminder.objects.filter(claim_token=None, send_after__lte=at("2027-01-15", 8))


def _while_a_worker_sends(row: Reminder, change: Any) -> None:
    """Run ``change`` in another thread while a worker holds ``row`` (as ``deliver`` does
    between reading a claim and marking it sent); the worker then marks it sent and commits."""
    import threading

    from tests.connections import second_connection, waits_for_a_lock

    failures: list[BaseException] = []

    def run() -> None:
        try:
            change()
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connection.close()

    table = Reminder._meta.db_table
    with second_connection() as worker, second_connection(autocommit=True) as watcher:
        worker.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [row.pk])
        thread = threading.Thread(target=run)
        thread.start()
        waited = waits_for_a_lock(watcher, table)
        worker.execute(
            f"UPDATE {table} SET status = 'SENT', sent_at = now(), claim_token = NULL"
            " WHERE id = %s",
            [row.pk],
        )
        worker.commit()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert failures == []
    assert waited, "the change should wait for the worker's row"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_due_day_moving_while_a_worker_sends_leaves_the_sent_reminder_sent(
    office: Office, travel: Any
) -> None:
    """The ledger reads reminders locked: a row a worker is sending is waited for and then read
    as sent, not written back as pending at the new day (it would go out twice)."""
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    activity = activity_due(office, youth, "2027-02-01")
    row = deadline(youth, "ACTIVITY").reminders.get(stage="BEFORE", days=-7)
    _while_a_worker_sends(
        row,
        lambda: derived(
            services.activity_change(
                actor=office.advisor,
                activity=activity,
                version=activity.version,
                values={"deadline": D("2027-03-01")},
            )
        ),
    )
    row.refresh_from_db()
    assert (row.status, row.send_after) == ("SENT", at("2027-01-25", 7))
    moved = deadline(youth, "ACTIVITY").reminders.get(stage="BEFORE", days=-1)
    assert (moved.status, moved.send_after) == ("PENDING", at("2027-02-28", 7))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_digest_choice_made_while_a_worker_sends_leaves_the_sent_reminder_as_sent(
    office: Office, travel: Any
) -> None:
    """Moving someone's pending reminders to the daily digest skips the one being sent."""
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-31", 10)
    activity_due(office, youth, "2027-02-01")
    sending = deadline(youth, "ACTIVITY").reminders.get(stage="BEFORE")  # the catch-up, now
    ReminderPreference.objects.create(user=office.advisor, mode="DAILY")
    others = Reminder.objects.filter(user=office.advisor, status="PENDING").count() - 1
    replanned: list[int] = []
    _while_a_worker_sends(
        sending, lambda: replanned.append(planning.replan_for_user(office.advisor))
    )
    sending.refresh_from_db()
    assert (sending.status, sending.send_after) == ("SENT", at("2027-01-31", 10))
    assert replanned == [others]  # all but the one sent
