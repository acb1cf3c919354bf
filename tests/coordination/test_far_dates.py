"""Far dates: whatever date is stored, the ledger plans reminders without crashing (a stage past
the end of the calendar does not exist), and the API and the pages refuse an implausible date
with an error on its field instead of a 500."""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from cases import services
from cases.models import Activity, FollowUpPeriod, Innsatsgruppe
from consent.models import Consent
from consent.services import Flow
from coordination.deadlines import ledger
from coordination.models import (
    Deadline,
    DeadlineRule,
    Plan,
    PlanMeasure,
    PlanReview,
    Reminder,
    ReminderPreference,
)
from coordination.plans import services as plan_services
from coordination.reminders import planning
from core.errors import ApplicationError
from tests.coordination.conftest import Office, at, deadline, deadlines
from tests.coordination.plan_helpers import activate, make_plan, plan_consent
from tests.factories import derived, sync_youth

D = datetime.date.fromisoformat
LAST, FIRST = datetime.date.max, datetime.date.min
FAR = "9999-12-31"  # the date picker's last day


def _activity(office: Office, youth: Any, due: str = "2027-02-01") -> Activity:
    period = FollowUpPeriod.objects.get(youth=youth, service=office.nav, ended_on__isnull=True)
    plan = getattr(period, "activity_plan", None) or services.activity_plan_create(
        actor=office.advisor, youth=youth, service=office.nav
    )
    return derived(
        services.activity_add(
            actor=office.advisor, plan=plan, type="EGEN", title="Søke jobb", deadline=D(due)
        )
    )


def _pending(row: Deadline) -> list[tuple[str, int, datetime.date]]:
    return sorted(
        (r.stage, r.days, ledger.local_day(r.send_after))
        for r in row.reminders.filter(status="PENDING")
    )


# --- The ledger, whatever is stored ------------------------------------------------------------


def test_a_deadline_on_the_calendars_last_day_has_its_reminders_but_no_escalation(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    activity = _activity(office, youth)
    # Stored before dates were held to a window (or written around the services).
    Activity.objects.filter(pk=activity.pk).update(deadline=LAST)
    sync_youth(youth.pk)
    row = deadline(youth, "ACTIVITY")
    assert (row.due_on, row.status) == (LAST, "OPEN")
    assert _pending(row) == [
        ("BEFORE", -7, D("9999-12-24")),
        ("BEFORE", -1, D("9999-12-30")),
        ("DUE", 0, LAST),
    ]


def test_a_deadline_on_the_calendars_first_day_gets_its_one_catch_up(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    activity = _activity(office, youth)
    Activity.objects.filter(pk=activity.pk).update(deadline=FIRST)
    sync_youth(youth.pk)
    row = deadline(youth, "ACTIVITY")
    assert (row.due_on, row.status) == (FIRST, "MISSED")
    # No day before it for the BEFORE stages; the rest were pending and follow it, sent now.
    assert _pending(row) == [("DUE", 0, D("2027-01-05")), ("ESCALATION", 3, D("2027-01-05"))]
    assert row.reminders.get(status="PENDING", stage="ESCALATION").user == office.manager


def test_a_consent_ending_in_the_last_hour_of_the_calendar_is_due_on_its_last_day(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    consent = derived(
        services.consent_give(
            actor=office.advisor,
            youth=youth,
            decision="GIVEN",
            giver="SUBJECT",
            purpose_code="SAMARBEID",
            purpose="Samarbeid NAV og OT",
            method="DIGITAL",
            agreed_text="Jeg samtykker.",
            flows=[
                Flow(
                    categories=["WORK_AND_WELFARE"],
                    from_party=office.nav,
                    to_kind="OT",
                    kind_reason="OT i fylket, når ungdommen meldes dit",
                )
            ],
            valid_until=at("2027-06-30", 23, 59),
        )
    )
    # 23:30 UTC on 31 December 9999 is already year 10000 in Oslo.
    last_hour = datetime.datetime(9999, 12, 31, 23, 30, tzinfo=datetime.UTC)
    Consent.objects.filter(pk=consent.pk).update(valid_until=last_hour)
    sync_youth(youth.pk)
    row = deadline(youth, "CONSENT-EXPIRY")
    assert row.due_on == LAST
    assert [stage for stage, _days, _day in _pending(row)] == ["BEFORE", "BEFORE", "DUE"]


def test_a_plans_review_and_a_measures_end_stored_far_ahead_plan_no_stage_past_the_calendar(
    people: Any,
) -> None:
    plan = activate(people, make_plan(people))
    goal = plan_services.goal_add(actor=people.coordinator, plan=plan, title="Jobb")
    measure = plan_services.measure_add(
        actor=people.coordinator,
        plan=plan,
        goal=goal,
        title="Praksisplass",
        service=people.nav,
        responsible=people.nav_advisor,
        ends_on=datetime.date.today() + datetime.timedelta(days=40),
    )
    Plan.objects.filter(pk=plan.pk).update(next_review_on=LAST)
    PlanMeasure.objects.filter(pk=measure.pk).update(ends_on=LAST)
    sync_youth(people.youth.pk)
    for rule in ("IP-REVIEW", "IP-MEASURE"):
        row = deadline(people.youth, rule)
        assert row.due_on == LAST
        assert not row.reminders.filter(status="PENDING", stage="ESCALATION").exists()


def test_a_review_stored_as_held_on_the_calendars_first_day_is_read_back(people: Any) -> None:
    plan = activate(people, make_plan(people))
    plan.refresh_from_db()
    today = datetime.date.today()
    plan_services.review_record(
        actor=people.coordinator,
        plan=plan,
        version=plan.version,
        held_on=today,
        next_review_on=today + datetime.timedelta(days=60),
    )
    PlanReview.objects.update(held_on=FIRST)
    sync_youth(people.youth.pk)
    sync_youth(people.youth.pk)  # reads back the rows the first sync wrote
    met = deadlines(people.youth, "IP-REVIEW")[0]
    assert met.status == "MET"
    assert met.fulfilled_at == datetime.datetime.min.replace(tzinfo=datetime.UTC)


def test_moving_reminders_to_a_daily_digest_skips_a_day_past_the_calendar(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    _activity(office, youth)
    row = deadline(youth, "ACTIVITY")
    escalation = row.reminders.get(stage="ESCALATION")
    Deadline.objects.filter(pk=row.pk).update(due_on=LAST)  # moved, not yet re-planned
    ReminderPreference.objects.create(user=office.manager, mode="DAILY")
    planning.replan_for_user(office.manager)
    assert Reminder.objects.get(pk=escalation.pk).send_after == escalation.send_after


def test_day_counts_too_large_for_the_calendar_make_no_deadline(
    office: Office, travel: Any, settings: Any
) -> None:
    DeadlineRule.objects.filter(code="UI-8W").update(parameters={"days": 999_999_999})
    DeadlineRule.objects.filter(code="UG-PLAN-1M").update(parameters={"months": 10**6})
    settings.DEADLINE_UG_CONTACT_PERSON_DAYS = 10**12
    youth = office.youth("2005-01-01", on="2027-01-04")
    office.decide(youth, Innsatsgruppe.SITUASJONSBESTEMT_INNSATS, on="2027-01-05")
    travel("2027-01-06")
    sync_youth(youth.pk)
    assert deadlines(youth, "UI-8W") == []
    assert deadlines(youth, "UG-PLAN-1M") == []
    assert deadlines(youth, "UG-2023") == []


# --- Plans: the services hold dates to their windows --------------------------------------------


def test_a_review_date_far_ahead_is_refused_and_the_plan_is_unchanged(people: Any) -> None:
    plan = make_plan(people)
    with pytest.raises(ApplicationError) as refused:
        plan_services.plan_update(
            actor=people.coordinator,
            plan=plan,
            version=plan.version,
            values={"next_review_on": D(FAR), "starts_on": D("1900-01-01")},
        )
    assert set(refused.value.fields) == {"next_review_on", "starts_on"}
    plan.refresh_from_db()
    assert (plan.next_review_on, plan.starts_on, plan.version) == (None, None, 1)


def test_a_plan_with_an_implausible_date_or_consent_end_is_not_made(people: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        make_plan(people, next_review_on=D(FAR))
    assert set(refused.value.fields) == {"next_review_on"}
    consent = plan_consent()
    far_end = datetime.datetime(9999, 12, 31, 12, tzinfo=datetime.UTC)  # noon: a day in Oslo
    with pytest.raises(ApplicationError) as refused:
        plan_services.plan_create(
            actor=people.coordinator,
            youth=people.youth,
            kind="INDIVIDUAL",
            service=people.ot,
            consent=dataclasses.replace(consent, valid_until=far_end),
        )
    assert set(refused.value.fields) == {"valid_until"}
    assert not Plan.objects.exists() and not Consent.objects.exists()


def test_a_measure_keeps_its_old_end_when_its_status_moves_but_a_new_end_is_held_to_the_window(
    people: Any, travel: Any
) -> None:
    travel("2027-01-05", 9)
    plan = activate(people, make_plan(people))
    goal = plan_services.goal_add(actor=people.coordinator, plan=plan, title="Jobb")
    with pytest.raises(ApplicationError) as refused:
        plan_services.measure_add(
            actor=people.coordinator,
            plan=plan,
            goal=goal,
            title="Praksisplass",
            service=people.nav,
            ends_on=D(FAR),
        )
    assert set(refused.value.fields) == {"ends_on"}
    measure = plan_services.measure_add(
        actor=people.coordinator,
        plan=plan,
        goal=goal,
        title="Praksisplass",
        service=people.nav,
        starts_on=D("2027-01-05"),
        ends_on=D("2027-02-01"),
    )
    travel("2028-02-29", 9)  # the end is more than a quarter back now
    measure = plan_services.measure_change(
        actor=people.coordinator,
        measure=measure,
        version=measure.version,
        values={"status": "ONGOING", "ends_on": D("2027-02-01")},
    )
    assert measure.status == "ONGOING"
    with pytest.raises(ApplicationError) as refused:
        plan_services.measure_change(
            actor=people.coordinator,
            measure=measure,
            version=measure.version,
            values={"ends_on": D("2027-02-02")},
        )
    assert set(refused.value.fields) == {"ends_on"}


def test_a_review_held_centuries_ago_or_setting_a_far_next_review_is_refused(
    people: Any,
) -> None:
    plan = activate(people, make_plan(people))
    today = datetime.date.today()
    for held_on, next_review_on, field in [
        (today, D(FAR), "next_review_on"),
        (D("1900-01-01"), today + datetime.timedelta(days=30), "held_on"),
    ]:
        with pytest.raises(ApplicationError) as refused:
            plan_services.review_record(
                actor=people.coordinator,
                plan=plan,
                version=plan.version,
                held_on=held_on,
                next_review_on=next_review_on,
            )
        assert set(refused.value.fields) == {field}
    assert not PlanReview.objects.exists()


# --- Through the API: a 400 on the field, never a 500 ------------------------------------------


def _field_messages(response: Any, field: str) -> list[str]:
    assert response.status_code == 400, response.content
    return [f["message"] for f in response.json()["error"]["fields"][field]]


def test_the_api_refuses_the_last_day_of_the_calendar_as_an_activity_deadline(
    people: Any, client_for: Any
) -> None:
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    url = f"/api/v1/activity-plans/{plan.pk}/activities/"
    body = {"type": "EGEN", "title": "Søke jobber", "deadline": FAR}
    nb = client_for(people.nav_advisor).post(url, body, format="json")
    assert re.fullmatch(
        r"Datoen er for langt fram i tid\. Seneste dato er \d\d\.\d\d\.\d{4}\.",
        _field_messages(nb, "deadline")[0],
    )
    assert nb.json()["error"]["code"] == "date_out_of_range"
    en = client_for(people.nav_advisor, "en").post(url, body, format="json")
    assert _field_messages(en, "deadline")[0].startswith("The date is too far in the future.")
    assert not Activity.objects.exists()
    created = client_for(people.nav_advisor).post(
        url, {**body, "deadline": datetime.date.today().isoformat()}, format="json"
    )
    assert created.status_code == 201
    moved = client_for(people.nav_advisor).patch(
        f"/api/v1/activities/{created.json()['id']}/",
        {"version": 1, "deadline": FAR},
        format="json",
    )
    assert _field_messages(moved, "deadline")
    assert Activity.objects.get().deadline == datetime.date.today()


def test_the_api_refuses_a_consent_ending_on_the_last_day_of_the_calendar(
    people: Any, client_for: Any
) -> None:
    body = {
        "decision": "GIVEN",
        "giver": "SUBJECT",
        "purpose_code": "SAMARBEID",
        "purpose": "Samarbeid",
        "method": "DIGITAL",
        "agreed_text": "Jeg samtykker.",
        "flows": [
            {
                "from_service": str(people.nav.pk),
                "to_service": str(people.ot.pk),
                "categories": ["WORK_AND_WELFARE"],
            }
        ],
    }
    url = f"/api/v1/youths/{people.youth.pk}/consents/"
    client = client_for(people.nav_advisor)
    for valid_until in (f"{FAR}T12:00:00Z", f"{FAR}T23:30:00Z"):  # the second is 10000 in Oslo
        response = client.post(url, {**body, "valid_until": valid_until}, format="json")
        assert _field_messages(response, "valid_until")
    assert not Consent.objects.exists()


def test_the_plan_api_refuses_far_review_and_measure_dates(people: Any, client_for: Any) -> None:
    plan = activate(people, make_plan(people))
    goal = plan_services.goal_add(actor=people.coordinator, plan=plan, title="Jobb")
    plan.refresh_from_db()
    client = client_for(people.coordinator)
    edited = client.patch(
        f"/api/v1/plans/{plan.pk}/",
        {"version": plan.version, "next_review_on": FAR},
        format="json",
    )
    assert _field_messages(edited, "next_review_on")
    measure = client.post(
        f"/api/v1/plans/{plan.pk}/measures/",
        {"goal": str(goal.pk), "title": "Praksis", "service": str(people.nav.pk), "ends_on": FAR},
        format="json",
    )
    assert _field_messages(measure, "ends_on")
    review = client.post(
        f"/api/v1/plans/{plan.pk}/reviews/",
        {
            "version": plan.version,
            "held_on": datetime.date.today().isoformat(),
            "next_review_on": FAR,
        },
        format="json",
    )
    assert _field_messages(review, "next_review_on")
    created = client.post(
        "/api/v1/plans/",
        {
            "youth": str(people.youth.pk),
            "kind": "STAFETTLOGG",
            "service": str(people.ot.pk),
            "next_review_on": FAR,
        },
        format="json",
    )
    assert _field_messages(created, "next_review_on")
    assert not PlanMeasure.objects.exists() and not PlanReview.objects.exists()
    assert Plan.objects.get().next_review_on != LAST


# --- Through the pages: the error at the field -------------------------------------------------


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    client.force_login(user)
    return client


def _field_error(response: Any, field: str) -> str:
    assert response.status_code == 400
    found = re.search(rf'id="id_{field}_error">([^<]*)<', response.content.decode())
    assert found, f"no error at {field}"
    return found.group(1)


def test_the_activity_pages_show_a_far_deadline_at_its_field(people: Any) -> None:
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    client = _client(people.nav_advisor)
    form = {"type": "EGEN", "title": "Søke jobber", "status": "PLANLAGT", "deadline": FAR}
    response = client.post(f"/activity-plans/{plan.pk}/activities/new/", form)
    assert _field_error(response, "deadline").startswith("Datoen er for langt fram i tid.")
    assert not Activity.objects.exists()
    today = datetime.date.today().isoformat()
    assert (
        client.post(
            f"/activity-plans/{plan.pk}/activities/new/", {**form, "deadline": today}
        ).status_code
        == 302
    )
    activity = Activity.objects.get()
    response = client.post(f"/activities/{activity.pk}/edit/", {**form, "version": 1})
    assert _field_error(response, "deadline").startswith("Datoen er for langt fram i tid.")
    activity.refresh_from_db()
    assert (activity.deadline, activity.version) == (datetime.date.today(), 1)


def test_a_deadline_in_1900_is_refused_before_any_escalation_is_planned(people: Any) -> None:
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    response = _client(people.nav_advisor).post(
        f"/activity-plans/{plan.pk}/activities/new/",
        {"type": "EGEN", "title": "Søke jobber", "status": "PLANLAGT", "deadline": "1900-01-01"},
    )
    assert _field_error(response, "deadline").startswith("Datoen er for langt tilbake i tid.")
    assert not Deadline.objects.filter(rule_id="ACTIVITY").exists()
    assert not Reminder.objects.filter(deadline__rule_id="ACTIVITY").exists()
    assert not mail.outbox


def test_the_consent_page_shows_a_far_end_at_its_field(people: Any) -> None:
    response = _client(people.ot_counsellor).post(
        f"/youths/{people.youth.pk}/consents/new/",
        {
            "decision": "GIVEN",
            "giver": "SUBJECT",
            "method": "SIGNED_FORM",
            "flow1_from": str(people.ot.pk),
            "flow1_to": str(people.nav.pk),
            "flow1_categories": ["EDUCATION"],
            "purpose": "OT og NAV samarbeider om skole og arbeid.",
            "agreed_text": "Jeg samtykker.",
            "valid_until": FAR,
        },
    )
    assert _field_error(response, "valid_until").startswith("Datoen er for langt fram i tid.")
    assert not Consent.objects.filter(subject_id=people.youth.pk).exists()


def test_the_plan_page_shows_a_far_next_review_at_its_field(people: Any) -> None:
    plan = activate(people, make_plan(people))
    response = _client(people.coordinator).post(
        f"/plans/{plan.pk}/review/",
        {
            "version": plan.version,
            "held_on": datetime.date.today().isoformat(),
            "next_review_on": FAR,
            "youth_attended": "on",
        },
    )
    assert _field_error(response, "next_review_on").startswith("Datoen er for langt fram i tid.")
    assert not PlanReview.objects.exists()
