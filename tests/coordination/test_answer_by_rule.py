"""ANSWER-BY: a message that needs an answer by a day is a deadline, met when the other side
answers in the thread, gone when the thread's service no longer follows the youth. At a month's
end, on a leap day and across the change to summer time."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cases import portal, services
from cases.models import FactChange, FollowUpPeriod, Message, ThreadKind
from consent.categories import Category
from coordination.models import Deadline, SubjectType
from coordination.pages import worklist
from tests import factories
from tests.coordination.conftest import Office, at, deadline
from tests.factories import derived, sync_youth

D = datetime.date.fromisoformat
pytestmark = pytest.mark.django_db


def _youth_account(youth: Any) -> Any:
    return portal.account_create(youth=youth, username="emma", password="x-123456").user


def _reminders(row: Deadline) -> set[tuple[str, int, str, datetime.datetime]]:
    return {
        (r.stage, r.days, r.recipient_key, r.send_after)
        for r in row.reminders.filter(status="PENDING")
    }


def test_answer_by_the_youths_question_goes_to_the_contact_person_at_the_months_end(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2005-05-05", on="2027-01-04")
    emma = _youth_account(youth)
    travel("2027-01-29", 15)
    thread = derived(
        services.thread_start(
            actor=emma,
            youth=youth,
            service=office.nav,
            kind=ThreadKind.YOUTH,
            subject="Kurs",
            text="Kan jeg begynne på kurset i februar?",
            answer_by=D("2027-01-31"),
        )
    )
    asked = thread.messages.get()
    row = deadline(youth, "ANSWER-BY")
    assert (row.subject_type, row.subject_id) == (SubjectType.MESSAGE, asked.pk)
    assert (row.due_on, row.status, row.service, row.staff) == (
        D("2027-01-31"),
        "OPEN",
        office.nav,
        office.advisor,
    )
    assert row.category == Category.WORK_AND_WELFARE
    # Min dag links the deadline to the youth page's threads.
    assert worklist.action_url(row) == f"/youths/{youth.pk}/#threads"
    user = f"user:{office.advisor.pk}"
    assert _reminders(row) == {
        ("BEFORE", -7, user, at("2027-01-29", 15)),  # passed: one catch-up, at once
        ("BEFORE", -1, user, at("2027-01-30", 7)),
        ("DUE", 0, user, at("2027-01-31", 7)),
        ("ESCALATION", 3, f"user:{office.manager.pk}", at("2027-02-03", 7)),
    }
    # The youth writing again is no answer; the contact person's answer late on the last day is.
    travel("2027-01-30", 9)
    derived(services.message_post(actor=emma, thread=thread, text="Hallo?"))
    assert deadline(youth, "ANSWER-BY").status == "OPEN"
    travel("2027-01-31", 23, 30)
    derived(services.message_post(actor=office.advisor, thread=thread, text="Ja, fra 1. februar."))
    row.refresh_from_db()
    assert (row.status, row.closed_at is not None) == ("MET", True)
    assert not row.reminders.filter(status="PENDING").exists()
    # Idempotent: the nightly repair changes nothing.
    travel("2027-02-01", 2, 15)
    from coordination.deadlines import ledger

    assert sync_youth(youth.pk) == ledger.SyncResult()


def test_answer_by_between_services_is_met_by_another_service_on_a_leap_day(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2006-02-28", on="2028-02-01")
    factories.follow(office.counsellor, office.ot, youth)
    colleague = factories.make_staff(office.nav, username="per.nav")
    travel("2028-02-27", 10)
    thread = derived(
        services.thread_start(
            actor=office.advisor,
            youth=youth,
            service=office.nav,
            kind=ThreadKind.STAFF,
            category=Category.GENERAL,
            subject="Skoleplass",
            text="Har hun fått skoleplass til høsten?",
            answer_by=D("2028-02-29"),
        )
    )
    row = deadline(youth, "ANSWER-BY")
    # NAV's own question to the other services: the one who asked follows it up.
    assert (row.due_on, row.service, row.staff) == (D("2028-02-29"), office.nav, office.advisor)
    # A colleague in NAV writing is no answer from another service.
    derived(services.message_post(actor=colleague, thread=thread, text="Jeg følger med."))
    assert deadline(youth, "ANSWER-BY").status == "OPEN"
    travel("2028-02-29", 16)
    answer = derived(
        services.message_post(
            actor=office.counsellor,
            thread=thread,
            text="Ikke ennå. Kan dere svare på søknaden om tiltak?",
            answer_by=D("2028-03-01"),
        )
    )
    rows = {d.subject_id: d for d in Deadline.objects.filter(youth=youth, rule_id="ANSWER-BY")}
    assert rows[thread.messages.earliest("created_at").pk].status == "MET"
    # OT asks NAV: NAV's deadline, to its notification address.
    theirs = rows[answer.pk]
    assert (theirs.due_on, theirs.service, theirs.staff) == (D("2028-03-01"), office.nav, None)
    assert ("DUE", 0, f"service:{office.nav.pk}", at("2028-03-01", 7)) in _reminders(theirs)
    travel("2028-03-02", 9)
    derived(services.message_post(actor=colleague, thread=thread, text="Svar kommer."))
    theirs.refresh_from_db()
    assert theirs.status == "MISSED" and theirs.fulfilled_at is not None


def test_answer_by_from_the_contact_person_is_met_by_the_youth_across_summer_time(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2004-10-10", on="2027-03-01")
    emma = _youth_account(youth)
    travel("2027-03-20", 11)
    thread = derived(
        services.thread_start(
            actor=office.advisor,
            youth=youth,
            service=office.nav,
            kind=ThreadKind.YOUTH,
            subject="Møte",
            text="Passer det med møte mandag 29. mars?",
            answer_by=D("2027-03-28"),  # the clocks go forward that night
        )
    )
    row = deadline(youth, "ANSWER-BY")
    assert (row.due_on, row.staff) == (D("2027-03-28"), office.advisor)
    due = row.reminders.get(stage="DUE")
    # 07:00 in Oslo on the day of the change is 05:00 UTC (summer time), the day before 06:00.
    assert due.send_after == at("2027-03-28", 7)
    assert due.send_after.astimezone(datetime.UTC).hour == 5
    assert row.reminders.get(stage="BEFORE", days=-1).send_after.astimezone(datetime.UTC).hour == 6
    # Another staff message is no answer; the youth's is.
    derived(services.message_post(actor=office.advisor, thread=thread, text="Svar gjerne."))
    assert deadline(youth, "ANSWER-BY").status == "OPEN"
    travel("2027-03-28", 1, 30)
    derived(services.message_post(actor=emma, thread=thread, text="Det passer."))
    assert deadline(youth, "ANSWER-BY").status == "MET"


def test_answer_by_falls_away_when_the_threads_service_stops_following_the_youth(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2004-01-31", on="2027-01-04")
    travel("2027-01-28", 10)
    derived(
        services.thread_start(
            actor=office.advisor,
            youth=youth,
            service=office.nav,
            kind=ThreadKind.YOUTH,
            subject="Papirer",
            text="Kan du sende meg attesten?",
            answer_by=D("2027-02-28"),
        )
    )
    assert deadline(youth, "ANSWER-BY").status == "OPEN"
    period = FollowUpPeriod.objects.get(youth=youth, service=office.nav, ended_on__isnull=True)
    derived(
        services.period_close(
            actor=office.advisor, period=period, version=period.version, end_reason="Flyttet"
        )
    )
    row = deadline(youth, "ANSWER-BY")
    assert (row.status, row.closed_at is not None) == ("CANCELLED", True)
    assert not row.reminders.filter(status="PENDING").exists()


def test_a_message_posted_is_a_fact_change_of_the_youth(office: Office, travel: Any) -> None:
    youth = office.youth("2004-01-31", on="2027-01-04")
    travel("2027-01-05", 10)
    services.thread_start(
        actor=office.advisor,
        youth=youth,
        service=office.nav,
        kind=ThreadKind.YOUTH,
        subject="Hei",
        text="Hei!",
    )
    assert FactChange.objects.filter(youth=youth, fact="message.posted").count() == 1
    assert Message.objects.filter(thread__youth=youth).count() == 1
    # Without an answer asked for there is no deadline.
    derived()
    assert not Deadline.objects.filter(youth=youth, rule_id="ANSWER-BY").exists()
