"""UG-2023 through the API: met by a contact person, whoever it is later; youths who enter the
group by a later decision, a later birthday or the guarantee's start are picked up."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cases import services
from cases.models import FollowUpPeriod, Innsatsgruppe
from coordination.deadlines import ledger
from tests import factories
from tests.coordination.conftest import Office, at

SIT = Innsatsgruppe.SITUASJONSBESTEMT_INNSATS
SPES = Innsatsgruppe.SPESIELT_TILPASSET_INNSATS
STD = Innsatsgruppe.STANDARD_INNSATS


def _decide(client: Any, office: Office, youth: Any, group: str, on: str) -> None:
    response = client.post(
        f"/api/v1/youths/{youth.pk}/decisions/",
        {
            "service": str(office.nav.pk),
            "innsatsgruppe": group,
            "main_goal": "SKAFFE_ARBEID",
            "decided_on": on,
        },
        format="json",
    )
    assert response.status_code == 201, response.content


def _reassign(client: Any, office: Office, youth: Any, username: str) -> None:
    period = FollowUpPeriod.objects.get(youth=youth, service=office.nav, ended_on__isnull=True)
    response = client.post(
        f"/api/v1/follow-up-periods/{period.pk}/reassign/",
        {"responsible": username, "version": period.version},
        format="json",
    )
    assert response.status_code == 200, response.content


def _ug(client: Any, youth: Any) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/deadlines/",
        {"scope": "service", "state": "all", "rule": "UG-2023", "youth": str(youth.pk)},
    )
    assert response.status_code == 200, response.content
    return [
        {"due_on": d["due_on"], "status": d["status"], "staff": (d["staff"] or {}).get("username")}
        for d in response.json()["results"]
    ]


def test_ug_2023_once_met_stays_met_when_the_contact_person_is_reassigned(
    office: Office, client_for: Any, travel: Any
) -> None:
    factories.make_staff(office.nav, username="per.nav")
    youth = office.youth("2005-03-03", on="2027-01-04")  # the advisor is the contact person
    client = client_for(office.advisor)
    travel("2027-01-05")
    _decide(client, office, youth, SIT, "2027-01-05")
    met = {"due_on": "2027-01-19", "status": "MET", "staff": "ingrid.nav"}
    assert _ug(client, youth) == [met]
    travel("2027-02-15")  # long after the due day: another advisor takes over
    _reassign(client, office, youth, "per.nav")
    assert _ug(client, youth) == [{**met, "staff": "per.nav"}]
    travel("2027-02-16")
    ledger.sweep()
    assert _ug(client, youth) == [{**met, "staff": "per.nav"}]


def test_ug_2023_a_contact_person_named_after_the_due_day_is_a_miss(
    office: Office, client_for: Any, travel: Any, settings: Any
) -> None:
    settings.DEADLINE_UG_CONTACT_PERSON_DAYS = 10
    youth = office.youth("2005-03-03", on="2027-01-04")
    period = FollowUpPeriod.objects.get(youth=youth, service=office.nav)
    factories.derived(
        services.period_reassign(
            actor=office.advisor, period=period, version=period.version, responsible=None
        )
    )
    client = client_for(office.manager)
    travel("2027-01-05")
    _decide(client, office, youth, SPES, "2027-01-05")
    assert _ug(client, youth) == [{"due_on": "2027-01-15", "status": "OPEN", "staff": None}]
    travel("2027-01-16")
    _reassign(client, office, youth, "ingrid.nav")
    assert _ug(client, youth) == [
        {"due_on": "2027-01-15", "status": "MISSED", "staff": "ingrid.nav"}
    ]


@pytest.mark.parametrize(
    ("birth", "birthday", "due_on"),
    [
        ("2011-03-31", "2027-03-31", "2027-04-14"),  # a month's end
        ("2011-12-31", "2027-12-31", "2028-01-14"),  # over the year end
        ("2012-02-29", "2028-02-29", "2028-03-14"),  # born on a leap day, 16 on a leap day
    ],
)
def test_ug_2023_picks_up_a_youth_in_the_group_on_the_16th_birthday(
    office: Office,
    client_for: Any,
    travel: Any,
    birth: str,
    birthday: str,
    due_on: str,
) -> None:
    youth = office.youth(birth, on="2027-01-04")
    client = client_for(office.advisor)
    travel("2027-01-05")
    _decide(client, office, youth, SIT, "2027-01-05")  # 15: not yet in the guarantee
    assert _ug(client, youth) == []
    day_before = (datetime.date.fromisoformat(birthday) - datetime.timedelta(days=1)).isoformat()
    ledger.sweep(now=at(day_before, 23, 59))
    assert _ug(client, youth) == []
    # Nothing about the youth changes on the birthday: the nightly sweep finds them.
    ledger.sweep(now=at(birthday, 2, 15))
    travel(birthday, 9)
    assert _ug(client, youth) == [{"due_on": due_on, "status": "MET", "staff": "ingrid.nav"}]


def test_ug_2023_picks_up_a_youth_who_enters_the_group_by_a_later_decision(
    office: Office, client_for: Any, travel: Any
) -> None:
    youth = office.youth("2004-06-30", on="2027-01-04")
    client = client_for(office.advisor)
    travel("2027-01-05")
    _decide(client, office, youth, STD, "2027-01-05")
    assert _ug(client, youth) == []
    travel("2027-05-31")
    _decide(client, office, youth, SPES, "2027-05-31")
    assert _ug(client, youth) == [{"due_on": "2027-06-14", "status": "MET", "staff": "ingrid.nav"}]


def test_ug_2023_a_decision_at_15_counts_from_16_even_after_a_second_decision_in_the_group(
    office: Office, client_for: Any, travel: Any
) -> None:
    youth = office.youth("2011-05-20", on="2027-01-04")
    client = client_for(office.advisor)
    travel("2027-01-05")
    _decide(client, office, youth, SIT, "2027-01-05")
    travel("2027-06-01")
    _decide(client, office, youth, SPES, "2027-06-01")  # same run: the clock is the birthday's
    assert _ug(client, youth) == [{"due_on": "2027-06-03", "status": "MET", "staff": "ingrid.nav"}]


def test_ug_2023_a_youth_leaving_the_group_before_16_is_never_in_it(
    office: Office, client_for: Any, travel: Any
) -> None:
    youth = office.youth("2011-05-20", on="2027-01-04")
    client = client_for(office.advisor)
    travel("2027-01-05")
    _decide(client, office, youth, SIT, "2027-01-05")
    travel("2027-05-19")
    _decide(client, office, youth, STD, "2027-05-19")
    ledger.sweep(now=at("2027-05-21"))
    travel("2027-05-21")
    assert _ug(client, youth) == []


def test_ug_2023_picks_up_a_youth_already_in_the_group_when_it_came_into_force(
    office: Office, client_for: Any, travel: Any
) -> None:
    youth = office.youth("2003-01-01", on="2023-06-01")
    client = client_for(office.advisor)
    travel("2023-06-30")
    _decide(client, office, youth, SIT, "2023-06-30")
    assert _ug(client, youth) == []
    ledger.sweep(now=at("2023-07-01", 2, 15))
    travel("2023-07-01")
    assert _ug(client, youth) == [{"due_on": "2023-07-15", "status": "MET", "staff": "ingrid.nav"}]


def test_ug_2023_a_youth_turning_30_on_the_entry_day_is_not_picked_up(
    office: Office, client_for: Any, travel: Any
) -> None:
    """Born 29 February 1996: the 30th birthday in 2026 (no leap day) is 1 March."""
    youth = office.youth("1996-02-29", on="2026-02-02")
    client = client_for(office.advisor)
    travel("2026-02-28")
    _decide(client, office, youth, SIT, "2026-02-28")  # still 29
    assert [d["status"] for d in _ug(client, youth)] == ["MET"]
    youth_30 = office.youth("1996-02-29", on="2026-02-02")
    travel("2026-03-01")
    _decide(client, office, youth_30, SIT, "2026-03-01")  # 30 today
    assert _ug(client, youth_30) == []
