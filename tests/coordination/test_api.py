"""Deadlines, reminder choices and the youth-guarantee report through the API; UG-90."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from rest_framework.test import APIClient

from cases import services
from cases.models import Innsatsgruppe
from consent.models import AccessLogEntry
from coordination.deadlines import compliance, ledger
from coordination.models import ComplianceSnapshot, Reminder
from tests import factories
from tests.coordination.conftest import Office, at
from tests.factories import derived

SIT = Innsatsgruppe.SITUASJONSBESTEMT_INNSATS
SPES = Innsatsgruppe.SPESIELT_TILPASSET_INNSATS


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _activity(office: Office, youth: Any, due: str) -> Any:
    plan = services.activity_plan_create(actor=office.advisor, youth=youth, service=office.nav)
    return derived(
        services.activity_add(
            actor=office.advisor,
            plan=plan,
            type="EGEN",
            title="Søke jobb",
            deadline=datetime.date.fromisoformat(due),
        )
    )


def test_my_deadlines_due_soon_and_overdue(office: Office, travel: Any) -> None:
    soon = office.youth("2003-01-01", on="2027-01-04")
    late = office.youth("2002-02-02", on="2027-01-04")
    travel("2027-01-05")
    _activity(office, soon, "2027-01-10")
    _activity(office, late, "2027-01-06")
    travel("2027-01-08")
    ledger.sweep()
    client = client_for(office.advisor)
    due_soon = client.get("/api/v1/deadlines/?state=due_soon&rule=ACTIVITY").json()["results"]
    overdue = client.get("/api/v1/deadlines/?state=overdue").json()["results"]
    assert [d["youth"]["id"] for d in due_soon] == [str(soon.pk)]
    assert [(d["youth"]["id"], d["status"], d["overdue"]) for d in overdue] == [
        (str(late.pk), "MISSED", True)
    ]
    # The manager has none of their own, but sees the office's.
    manager = client_for(office.manager)
    assert manager.get("/api/v1/deadlines/").json()["count"] == 0
    assert manager.get("/api/v1/deadlines/?scope=service&rule=ACTIVITY").json()["count"] == 2
    row = AccessLogEntry.objects.filter(actor=office.advisor, purpose="deadlines-mine").first()
    assert row is not None
    assert row.items[0]["type"] == "deadline"


def test_deadlines_of_a_youth_no_longer_followed_are_hidden(office: Office, travel: Any) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    activity = _activity(office, youth, "2027-02-01")
    client = client_for(office.advisor)
    assert client.get("/api/v1/deadlines/?rule=ACTIVITY").json()["count"] == 1
    period = activity.plan.period
    derived(
        services.period_close(
            actor=office.advisor, period=period, version=period.version, end_reason="Flyttet"
        )
    )
    assert client.get("/api/v1/deadlines/?state=all").json()["count"] == 0


def test_deadline_list_query_count_is_flat(office: Office, travel: Any, count_queries: Any) -> None:
    travel("2027-01-05")
    client = client_for(office.advisor)
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    _activity(office, youth, "2027-02-01")
    with count_queries() as few:
        assert client.get("/api/v1/deadlines/?scope=service").status_code == 200
    for n in range(8):
        other = office.youth(f"2003-02-{n + 1:02d}", on="2027-01-04")
        travel("2027-01-05")
        _activity(office, other, "2027-02-01")
    with count_queries() as many:
        assert client.get("/api/v1/deadlines/?scope=service").json()["count"] > 10
    assert len(few) == len(many) <= 8


def test_choosing_the_daily_digest_moves_pending_reminders(office: Office, travel: Any) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-25", 10)  # the 7-days-before stage is today, already past 07:00
    _activity(office, youth, "2027-02-01")
    reminder = Reminder.objects.get(
        stage="BEFORE", days=-7, user=office.advisor, deadline__rule_id="ACTIVITY"
    )
    assert reminder.send_after == at("2027-01-25", 10)
    client = client_for(office.advisor)
    response = client.put("/api/v1/me/reminder-preference/", {"mode": "DAILY"}, format="json")
    assert response.status_code == 200
    assert client.get("/api/v1/me/reminder-preference/").json() == {"mode": "DAILY"}
    reminder.refresh_from_db()
    assert reminder.send_after == at("2027-01-26", 7)
    bad = client.put("/api/v1/me/reminder-preference/", {"mode": "WEEKLY"}, format="json")
    assert bad.status_code == 400


def _ug90_group(office: Office, approved: int, without: int) -> None:
    for n in range(approved + without):
        youth = office.youth(f"2000-03-{n + 1:02d}", on="2027-01-04")
        office.decide(youth, SPES, on="2027-01-05")
        if n < approved:
            plan = services.activity_plan_create(
                actor=office.advisor, youth=youth, service=office.nav
            )
            derived(
                services.activity_plan_approve(
                    actor=office.advisor, plan=plan, version=plan.version
                )
            )


def test_ug90_below_90_percent_alerts_the_managers_once_a_day(office: Office, travel: Any) -> None:
    travel("2027-01-06")
    _ug90_group(office, approved=8, without=2)
    other_office = factories.make_service("NAV", "NAV Bamble")
    assert compliance.ug90(other_office).group_size == 0
    figure = compliance.ug90(office.nav)
    assert (figure.group_size, figure.met, figure.percent, figure.below_target) == (
        10,
        8,
        80.0,
        True,
    )
    travel("2027-01-07", 2)
    compliance.snapshot_all()
    compliance.snapshot_all()  # a second run the same night alerts no one again
    alerts = Reminder.objects.filter(stage="COMPLIANCE")
    assert [(a.user_id, a.send_after) for a in alerts] == [(office.manager.pk, at("2027-01-07", 7))]
    assert ComplianceSnapshot.objects.get(service=office.nav).percent == 80.0


def test_ug90_at_90_percent_is_on_target(office: Office, travel: Any) -> None:
    travel("2027-01-06")
    _ug90_group(office, approved=9, without=1)
    assert not compliance.ug90(office.nav).below_target


def test_youth_guarantee_report_json_and_csv(office: Office, travel: Any) -> None:
    met = office.youth("2005-01-01", on="2027-01-04")
    missed = office.youth("2005-02-02", on="2027-01-04")
    office.decide(met, SIT, on="2027-01-05")
    office.decide(missed, SIT, on="2027-01-05")
    travel("2027-01-20")
    plan = services.activity_plan_create(actor=office.advisor, youth=met, service=office.nav)
    derived(services.activity_plan_approve(actor=office.advisor, plan=plan, version=plan.version))
    travel("2027-02-10")
    ledger.sweep()
    compliance.snapshot_all()
    client = client_for(office.manager)
    url = (
        f"/api/v1/reports/youth-guarantee/?service={office.nav.pk}&start=2027-01-01&end=2027-03-01"
    )
    body = client.get(url).json()
    plan_1m = next(r for r in body["deadlines"] if r["rule"] == "UG-PLAN-1M")
    assert (plan_1m["total"], plan_1m["met"], plan_1m["missed"]) == (2, 1, 1)
    assert [s["day"] for s in body["ug90_history"]] == ["2027-02-10"]
    response = client.get(url + "&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "regel / rule"
    assert ["UG-PLAN-1M", "2027-01-01", "2027-03-01", "2", "1", "1", "0", "0"] in rows
    text = response.content.decode("utf-8-sig")
    assert met.last_name not in text and met.national_id not in text


def test_report_bad_range_is_a_400_and_other_offices_a_404(office: Office) -> None:
    client = client_for(office.advisor)
    base = f"/api/v1/reports/youth-guarantee/?service={office.nav.pk}"
    bad = client.get(base + "&start=2027-03-01&end=2027-01-01")
    assert bad.status_code == 400
    assert "start" in bad.json()["error"]["fields"]
    assert client.get(f"/api/v1/reports/youth-guarantee/?service={office.ot.pk}").status_code == 404
    ot_staff = client_for(office.counsellor)
    response = ot_staff.get(f"/api/v1/reports/youth-guarantee/?service={office.ot.pk}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_nav"


def test_deadline_rules_are_listed_with_their_sources(office: Office) -> None:
    rules = client_for(office.advisor).get("/api/v1/deadline-rules/").json()
    codes = {r["code"]: r for r in rules}
    assert {"UG-2023", "UG-PLAN-1M", "UG-90", "UG-U20", "UI-8W", "ACTIVITY"} <= set(codes)
    assert codes["UG-90"]["parameters"]["target_percent"] == 90
    assert codes["UI-8W"]["parameters"]["days"] == 56
