"""The compliance page: the rules in words, the curve from the ledger, each figure opening the
youths behind it through the access gate (logged), CSV, and what it refuses."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from cases import services
from cases.models import AddressProtection, Innsatsgruppe, ServiceKind, Youth
from consent.models import AccessLogEntry
from coordination.deadlines import ledger
from coordination.deadlines.rules import FULFILMENT
from coordination.models import Deadline, DeadlineRule
from tests import factories
from tests.coordination.conftest import Office, at
from tests.factories import derived

SIT = Innsatsgruppe.SITUASJONSBESTEMT_INNSATS
SPES = Innsatsgruppe.SPESIELT_TILPASSET_INNSATS
PAGE = "/reports/youth-guarantee/"
YOUTHS = "/reports/youth-guarantee/youths/"


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    client.force_login(user)
    return client


def _approve(office: Office, youth: Youth, day: str) -> None:
    with time_machine.travel(at(day, 11), tick=False):
        plan = services.activity_plan_create(actor=office.advisor, youth=youth, service=office.nav)
        derived(
            services.activity_plan_approve(actor=office.advisor, plan=plan, version=plan.version)
        )


def _group(office: Office) -> dict[str, Youth]:
    """Four youths in UG-90's group from 5 January 2027 (two with their plan approved later,
    one on 20 January and one on 1 February) and two 20-24 in UG-PLAN-1M's (one met, one
    missed by 5 February)."""
    youths = {}
    for name, born in [("Aas", "2000-01-10"), ("Berg", "2000-02-10"), ("Dahl", "2000-03-10")]:
        youths[name] = office.youth(born, on="2027-01-04")
        youths[name].last_name = name
        youths[name].save(update_fields=["last_name"])
        office.decide(youths[name], SPES, on="2027-01-05")
    _approve(office, youths["Aas"], "2027-01-20")
    _approve(office, youths["Berg"], "2027-02-01")
    for name, born in [("Eik", "2005-01-01"), ("Foss", "2005-02-02")]:
        youths[name] = office.youth(born, on="2027-01-04")
        youths[name].last_name = name
        youths[name].save(update_fields=["last_name"])
        office.decide(youths[name], SIT, on="2027-01-05")
    _approve(office, youths["Eik"], "2027-01-25")
    return youths


def _query(office: Office, **extra: str) -> dict[str, str]:
    return {"service": str(office.nav.pk), "start": "2027-01-01", "end": "2027-02-10", **extra}


def test_the_page_explains_the_rules_and_draws_the_curve_from_the_ledger(
    office: Office, travel: Any
) -> None:
    _group(office)
    travel("2027-02-10")
    ledger.sweep()
    response = _client(office.manager).get(PAGE, _query(office))
    assert response.status_code == 200
    content = response.content.decode()
    for code in ("UG-90", "UG-PLAN-1M", "UG-2023"):
        rule = DeadlineRule.objects.get(code=code)
        assert f'id="rule-{code}"' in content and rule.name in content
        assert rule.description.split(".")[0] in content and rule.source in content
    assert str(FULFILMENT["UG-PLAN-1M"].text) in content
    # One row per day from 1 January to 10 February; the figures, Norwegian style.
    days = re.findall(r"<tr><td>(\d\d\.\d\d\.2027)</td><td>(\d+)</td><td>(\d+)</td>", content)
    assert len(days) == 41
    assert days[0] == ("01.01.2027", "0", "0")
    assert ("19.01.2027", "3", "0") in days and ("20.01.2027", "3", "1") in days
    assert days[-1] == ("10.02.2027", "3", "2")
    assert "66,7 %" in content
    # A line is drawn through the days with a group (from 5 January), and the legend names
    # the line and the target only.
    line = re.search(r'<polyline class="series" points="([^"]+)"', content)
    assert line is not None and len(line.group(1).split(" ")) == 37
    assert 'class="point"' not in content  # more than a month of days: the line alone
    assert "Heltrukken linje" in content and "Stiplet linje: målet, 90 %" in content
    assert "Punkt:" not in content


def test_one_day_is_a_point_and_the_legend_says_so(office: Office, travel: Any) -> None:
    _group(office)
    travel("2027-02-10")
    content = (
        _client(office.manager)
        .get(PAGE, _query(office, start="2027-02-10", end="2027-02-10"))
        .content.decode()
    )
    assert content.count('class="point"') == 1 and 'class="series"' not in content
    assert "Punkt: andelen" in content and "Heltrukken linje" not in content


def test_the_figures_as_csv(office: Office, travel: Any) -> None:
    _group(office)
    travel("2027-02-10")
    ledger.sweep()
    response = _client(office.manager).get(PAGE, _query(office, download="csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    plan_1m = next(r for r in rows if r and r[0] == "UG-PLAN-1M")
    assert plan_1m[3:7] == ["2", "1", "1", "0"]
    ug90 = [r for r in rows if r and r[0] == "UG-90" and r[1] != "dato / day"]
    assert len(ug90) == 41 and ug90[-1][1:4] == ["2027-02-10", "3", "2"]


def _links(content: str) -> dict[tuple[str, str], str]:
    found = {}
    for href in re.findall(r'href="(/reports/youth-guarantee/youths/\?[^"]+)"', content):
        href = href.replace("&amp;", "&")
        rule = re.search(r"rule=([^&]+)", href)
        status = re.search(r"status=([^&]+)", href)
        assert rule and status
        found[(rule.group(1), status.group(1))] = href
    return found


def test_each_figure_opens_its_youths_logged(office: Office, travel: Any) -> None:
    youths = _group(office)
    travel("2027-02-10")
    ledger.sweep()
    client = _client(office.manager)
    links = _links(client.get(PAGE, _query(office)).content.decode())
    assert set(links) == {
        ("UG-90", "group"),
        ("UG-90", "met"),
        ("UG-90", "not_met"),
        *((rule, s) for rule in ("UG-PLAN-1M", "UG-2023") for s in ("MET", "MISSED", "OPEN")),
    }
    for href in links.values():  # ids and dates only
        for youth in youths.values():
            assert youth.national_id not in href and str(youth.pk) not in href

    def names(key: tuple[str, str]) -> list[str]:
        response = client.get(links[key])
        assert response.status_code == 200
        return re.findall(r">(\w+), Emma</a>", response.content.decode())

    AccessLogEntry.objects.all().delete()
    assert names(("UG-90", "group")) == ["Aas", "Berg", "Dahl"]
    assert names(("UG-90", "met")) == ["Aas", "Berg"]
    assert names(("UG-90", "not_met")) == ["Dahl"]
    assert names(("UG-PLAN-1M", "MET")) == ["Eik"]
    assert names(("UG-PLAN-1M", "MISSED")) == ["Foss"]
    logged = AccessLogEntry.objects.filter(actor=office.manager, granted=True)
    assert (
        sorted((e.subject_id, e.purpose) for e in logged if e.subject_id == youths["Dahl"].pk)
        == [(youths["Dahl"].pk, "compliance-youths")] * 2
    )  # the group, and not met
    assert {e.subject_id for e in logged} == {y.pk for y in youths.values()}
    foss = logged.get(subject_id=youths["Foss"].pk)
    assert [i["type"] for i in foss.items] == ["deadline"]
    dahl = logged.filter(subject_id=youths["Dahl"].pk).first()
    assert dahl is not None and [i["type"] for i in dahl.items] == ["period", "decision"]


def test_a_figures_youths_as_csv_are_logged_and_carry_no_identity_number(
    office: Office, travel: Any
) -> None:
    youths = _group(office)
    travel("2027-02-10")
    client = _client(office.manager)
    response = client.get(YOUTHS, _query(office, rule="UG-90", status="group", download="csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["Aas, Emma", "Berg, Emma", "Dahl, Emma"]
    assert rows[1][3] == "2027-01-20" and rows[3][3] == ""
    for youth in youths.values():
        assert youth.national_id not in text
    downloads = AccessLogEntry.objects.filter(purpose="compliance-youths-download")
    assert {e.subject_id for e in downloads} == {youths[n].pk for n in ("Aas", "Berg", "Dahl")}


def test_a_protected_youth_is_listed_only_to_who_is_cleared(office: Office, travel: Any) -> None:
    youths = _group(office)
    clearances = {name: True for name in services.CLEARANCE_FIELDS}
    services.membership_clearances_set(
        actor=office.manager, service=office.nav, user=office.manager, **clearances
    )
    dahl = Youth.objects.get(pk=youths["Dahl"].pk)
    derived(
        services.youth_protection_set(
            actor=office.manager,
            youth=dahl,
            version=dahl.version,
            address_protection=AddressProtection.UGRADERT,
            shielded=True,
        )
    )
    travel("2027-02-10")
    query = _query(office, rule="UG-90", status="group")
    advisor = _client(office.advisor).get(YOUTHS, query).content.decode()
    manager = _client(office.manager).get(YOUTHS, query).content.decode()
    assert "Dahl" not in advisor and "Berg, Emma" in advisor
    assert "Dahl, Emma" in manager
    assert not AccessLogEntry.objects.filter(actor=office.advisor, subject_id=dahl.pk).exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"rule": "UG-90", "status": "MET"},  # not a figure of UG-90
        {"rule": "UG-PLAN-1M", "status": "group"},
        {"rule": "UI-8W", "status": "MET"},  # not on the report
        {"rule": "UG-90", "status": "group", "start": "2027-03-01"},  # after the end
        {"rule": "UG-90", "status": "group", "start": "2025-01-01"},  # more than 366 days
        {"rule": "UG-90", "status": "group", "download": "xls"},
        {"rule": "UG-90"},
    ],
)
def test_an_invalid_figure_lists_nothing(office: Office, travel: Any, extra: Any) -> None:
    _group(office)
    travel("2027-02-10")
    response = _client(office.manager).get(YOUTHS, _query(office, **extra))
    assert response.status_code == 400
    assert "Emma" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(purpose__startswith="compliance").exists()


def test_an_invalid_filter_on_the_page_is_a_400(office: Office, travel: Any) -> None:
    travel("2027-02-10")
    client = _client(office.manager)
    assert client.get(PAGE, _query(office, start="2025-01-01")).status_code == 400
    assert client.get(PAGE, _query(office, download="pdf")).status_code == 400
    other = factories.make_service(ServiceKind.NAV, "NAV Bamble")
    assert client.get(PAGE, _query(office, service=str(other.pk))).status_code == 400
    assert (
        client.get(
            YOUTHS, _query(office, service=str(other.pk), rule="UG-90", status="met")
        ).status_code
        == 400
    )


def test_staff_of_no_nav_office_are_refused(office: Office, travel: Any) -> None:
    travel("2027-02-10")
    client = _client(office.counsellor)
    assert client.get(PAGE).status_code == 403
    assert client.get(YOUTHS, _query(office, rule="UG-90", status="group")).status_code == 403


def test_query_counts_do_not_grow_with_the_youths(
    office: Office, travel: Any, count_queries: Any
) -> None:
    first = office.youth("2001-05-05", on="2027-01-04")
    office.decide(first, SPES, on="2027-01-05")
    travel("2027-02-10")
    ledger.sweep()
    client = _client(office.manager)
    figure = _query(office, rule="UG-90", status="group")
    status = Deadline.objects.get(youth=first, rule_id="UG-2023").status
    deadline = _query(office, rule="UG-2023", status=status, end="2027-03-31")

    def counts() -> list[int]:
        found = []
        for path, query in [(PAGE, _query(office)), (YOUTHS, figure), (YOUTHS, deadline)]:
            with count_queries() as queries:
                response = client.get(path, query)
            assert response.status_code == 200
            assert path == PAGE or "Emma" in response.content.decode()  # youths listed
            found.append(len(queries))
        return found

    few = counts()
    for n in range(5):
        youth = office.youth(f"2001-06-{n + 1:02d}", on="2027-01-04")
        office.decide(youth, SPES, on="2027-01-05")
        if n % 2:
            _approve(office, youth, "2027-01-20")
    travel("2027-02-10")
    ledger.sweep()
    assert counts() == few
    assert few == [15, 9, 8]


def test_a_youth_with_earlier_decisions_is_listed_once_with_the_current_one(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2001-05-05", on="2027-01-04")
    office.decide(youth, SIT, on="2027-01-05")
    current = office.decide(youth, SPES, on="2027-01-10")
    travel("2027-02-10")
    response = _client(office.manager).get(YOUTHS, _query(office, rule="UG-90", status="group"))
    assert response.content.decode().count("Emma</a>") == 1
    entry = AccessLogEntry.objects.get(actor=office.manager, purpose="compliance-youths")
    assert [i["id"] for i in entry.items if i["type"] == "decision"] == [str(current.pk)]
