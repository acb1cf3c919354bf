"""My day: each section is its own bounded list with its own true total, the due-soon window is
the API's, and the page runs a fixed number of queries however long the lists grow."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from cases import services
from cases.models import ActivityPlan
from consent.models import AccessLogEntry
from coordination.deadlines.selectors import due_soon_days
from tests import factories
from tests.conftest import People, build_people
from tests.factories import derived

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
DAY = datetime.timedelta(days=1)


@pytest.fixture
def travel() -> Iterator[Any]:
    """travel(day) moves the clock to noon in Europe/Oslo on ``day`` until the test ends."""
    travellers: list[Any] = []

    def go(day: datetime.date) -> None:
        for traveller in travellers:
            traveller.stop()
        travellers.clear()
        moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=OSLO)
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()


def _people_with_deadlines(
    travel: Any, today: datetime.date, *, overdue: int, due_soon: int, later: int = 2
) -> People:
    """The named people, set up six weeks before ``today``; the NAV advisor holds activity
    deadlines: ``overdue`` before today, ``due_soon`` from today through the due-soon window,
    and ``later`` just after that window (in neither section)."""
    travel(today - 42 * DAY)
    people = build_people()
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    window = due_soon_days()
    dues = (
        [today - (1 + n % 40) * DAY for n in range(overdue)]
        + [today + (n % (window + 1)) * DAY for n in range(due_soon)]
        + [today + (window + 1 + n) * DAY for n in range(later)]
    )
    for n, due in enumerate(dues):
        services.activity_add(
            actor=people.nav_advisor, plan=plan, type="EGEN", title=f"Aktivitet {n}", deadline=due
        )
    derived()  # once, as a request adding them all would: the ledger derives from the facts
    travel(today)
    return people


def _referrals_to_nav(people: People, n: int) -> None:
    for i in range(n):
        youth = factories.register_youth(
            people.ot_counsellor, people.ot, first_name=f"Henvist{i}", last_name="Lund"
        )
        factories.ot_refers_to_nav(people, youth)
    derived()


def _client(user: Any, language: str = "nb") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _api_count(user: Any, query: str) -> int:
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/deadlines/?{query}")
    assert response.status_code == 200
    count: int = response.json()["count"]
    return count


def _section(content: str, heading_id: str) -> str:
    """The HTML from an element with the id to the end of its list item, heading or section."""
    start = content.index(f'id="{heading_id}"')
    ends = [content.find(tag, start + 1) for tag in ("</li>", "<h3", "</section>")]
    return content[start : min(end for end in ends if end != -1)]


def _work(content: str) -> str:
    """The work list of my deadlines."""
    start = content.index('id="deadlines-heading"')
    return content[start : content.index("</section>", start)]


def _items(section: str) -> int:
    return section.count("<li>Frist ")


def _badge(section: str) -> int:
    found = re.search(r'<span class="badge[^"]*">(\d+)</span>', section)
    assert found, section
    return int(found.group(1))


@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2027, 3, 10),
        datetime.date(2027, 1, 28),  # the due-soon window runs into February
        datetime.date(2027, 3, 1),  # the overdue reach back over the end of February
        datetime.date(2028, 2, 25),  # ... and over a leap day
    ],
)
def test_my_day_shows_each_section_with_its_true_total(travel: Any, today: datetime.date) -> None:
    people = _people_with_deadlines(travel, today, overdue=35, due_soon=13)
    advisor = people.nav_advisor
    # The ledger may add deadlines of its own (the plan's): the API's lists are the truth.
    overdue_total = _api_count(advisor, "scope=mine&state=overdue")
    due_soon_total = _api_count(advisor, "scope=mine&state=due_soon")
    assert _api_count(advisor, "scope=mine&state=overdue&rule=ACTIVITY") == 35
    assert _api_count(advisor, "scope=mine&state=due_soon&rule=ACTIVITY") == 13

    content = _client(advisor).get("/day/").content.decode()

    overdue = _section(content, "overdue-count")
    assert _badge(overdue) == overdue_total
    assert f"Viser 30 av {overdue_total}." in overdue
    assert "/api/v1/deadlines/?scope=mine&amp;state=overdue" in overdue
    due_soon = _section(content, "due-soon-count")
    assert f"Forfaller innen {due_soon_days()} dager" in due_soon
    assert _badge(due_soon) == due_soon_total
    assert "Viser" not in due_soon  # all of them: the overdue list crowds out none
    work = _work(content)
    assert _items(work) == 30 + due_soon_total
    assert work.count('<span class="badge overdue">oversittet</span>') == 30
    # Deadlines after the window are in neither list.
    later = {(today + (due_soon_days() + 1 + n) * DAY).strftime("%d.%m.%Y") for n in range(2)}
    assert not any(day in work for day in later)
    # Grouped: the youth once, the rule once with what fulfils it, each activity's own link.
    assert work.count('class="work-youth"') == 1
    assert work.count("<h4>Frist for aktivitet</h4>") == 1
    assert work.count("Innfridd når aktiviteten er fullført.") == 1
    assert len(set(re.findall(r'href="/activities/([0-9a-f-]+)/edit/"', work))) >= 30

    # The access log holds what was shown: the rows, not the totals.
    logged = AccessLogEntry.objects.filter(actor=advisor, purpose="day-deadlines")
    assert sum(len(entry.items) for entry in logged) == 30 + due_soon_total

    # The manager sees the service's deadlines per advisor, with true counts.
    manager = _client(people.manager).get("/day/").content.decode()
    escalated = manager[manager.index('id="escalated-heading"') :]
    service_overdue = _api_count(people.manager, "scope=service&state=overdue")
    assert service_overdue >= 35
    assert _badge(escalated) == service_overdue
    row = re.search(
        rf"<th scope=\"row\">{advisor.get_full_name()}</th><td>(\d+)</td><td>(\d+)</td>", escalated
    )
    assert row and (int(row[1]), int(row[2])) == (overdue_total, due_soon_total)
    assert f"<h4>{advisor.get_full_name()}</h4>" in escalated
    assert "Endre aktiviteten" in escalated  # each overdue deadline leads to its action
    assert f"Viser 30 av {service_overdue}." in escalated
    assert "/api/v1/deadlines/?scope=service&amp;state=overdue" in escalated


def test_a_short_list_shows_no_more_link_and_an_empty_window_says_so(travel: Any) -> None:
    people = _people_with_deadlines(travel, datetime.date(2027, 3, 10), overdue=2, due_soon=0)
    content = _client(people.nav_advisor).get("/day/").content.decode()
    overdue = _section(content, "overdue-count")
    due_soon = _section(content, "due-soon-count")
    assert _items(_work(content)) == _badge(overdue) + _badge(due_soon)
    assert _badge(overdue) >= 2
    assert "Viser" not in overdue


def test_referrals_waiting_show_their_true_total_and_lead_to_the_inbox(travel: Any) -> None:
    people = _people_with_deadlines(travel, datetime.date(2027, 3, 10), overdue=0, due_soon=0)
    _referrals_to_nav(people, 23)
    content = _client(people.nav_advisor).get("/day/").content.decode()
    waiting = content.split('id="referrals-heading"')[1].split("</section>")[0]
    assert waiting.count("<li><a ") == 20
    assert "Viser 20 av 23." in waiting
    assert "/referrals/?box=inbox&amp;state=open" in waiting
    english = _client(people.nav_advisor, "en").get("/day/").content.decode()
    assert "Showing 20 of 23." in english
    assert f"Due within {due_soon_days()} days" in english


def test_my_day_runs_a_fixed_number_of_queries(travel: Any, count_queries: Any) -> None:
    today = datetime.date(2027, 3, 10)
    people = _people_with_deadlines(travel, today, overdue=2, due_soon=1, later=0)
    _referrals_to_nav(people, 1)
    advisor, manager = _client(people.nav_advisor), _client(people.manager)
    with count_queries() as advisor_few:
        assert advisor.get("/day/").status_code == 200
    with count_queries() as manager_few:
        assert manager.get("/day/").status_code == 200

    plan = ActivityPlan.objects.get(youth=people.youth)
    travel(today - 42 * DAY)
    for n in range(40):  # 32 more overdue, 8 more due soon
        due = today - (1 + n) * DAY if n < 32 else today + (n % 8) * DAY
        services.activity_add(
            actor=people.nav_advisor, plan=plan, type="EGEN", title=f"Mer {n}", deadline=due
        )
    derived()
    _referrals_to_nav(people, 24)
    travel(today)
    assert _api_count(people.nav_advisor, "scope=mine&state=overdue") > 30
    assert _api_count(people.manager, "scope=service&state=overdue") > 30

    with count_queries() as advisor_many:
        content = advisor.get("/day/").content.decode()
    with count_queries() as manager_many:
        assert manager.get("/day/").status_code == 200
    assert "Viser 30 av" in content and "Viser 20 av 25." in content
    assert len(advisor_many.captured_queries) == len(advisor_few.captured_queries)
    assert len(manager_many.captured_queries) == len(manager_few.captured_queries)


@pytest.mark.parametrize(
    ("today", "hour"),
    [
        (datetime.date(2027, 1, 31), 12),  # month end: the window runs into February
        (datetime.date(2027, 4, 30), 12),  # month end of a 30-day month
        (datetime.date(2028, 2, 29), 12),  # leap day
        (datetime.date(2027, 3, 28), 0),  # summer time starts that night (02:00 → 03:00)
        (datetime.date(2027, 3, 28), 23),
        (datetime.date(2027, 10, 31), 0),  # summer time ends that night (03:00 → 02:00)
        (datetime.date(2027, 12, 31), 0),  # just after midnight in Oslo, still the 30th in UTC
    ],
)
def test_due_soon_and_overdue_are_counted_by_the_day_in_oslo(
    travel: Any, today: datetime.date, hour: int
) -> None:
    """Overdue: due before today; due soon: due from today through today plus the window
    (``due_soon_days``); each day is Oslo's, whatever the hour and the clock change."""
    window = due_soon_days()
    people = _people_with_deadlines(travel, today, overdue=0, due_soon=0, later=0)
    plan = ActivityPlan.objects.get(youth=people.youth)
    travel(today - 42 * DAY)
    dues = {
        "yesterday": today - DAY,
        "today": today,
        "last-soon": today + window * DAY,
        "after-window": today + (window + 1) * DAY,
    }
    for title, due in dues.items():
        services.activity_add(
            actor=people.nav_advisor, plan=plan, type="EGEN", title=title, deadline=due
        )
    derived()
    moment = datetime.datetime.combine(today, datetime.time(hour, 30), tzinfo=OSLO)
    with time_machine.travel(moment, tick=False):
        advisor = people.nav_advisor
        assert _api_count(advisor, "scope=mine&state=overdue&rule=ACTIVITY") == 1
        assert _api_count(advisor, "scope=mine&state=due_soon&rule=ACTIVITY") == 2
        content = _client(advisor).get("/day/").content.decode()
        overdue_total = _api_count(advisor, "scope=mine&state=overdue")
        due_soon_total = _api_count(advisor, "scope=mine&state=due_soon")
    assert _badge(_section(content, "overdue-count")) == overdue_total
    assert _badge(_section(content, "due-soon-count")) == due_soon_total
    work = _work(content)
    shown = {day.strftime("%d.%m.%Y"): day for day in dues.values()}
    yesterday, today_text, last_soon, after = shown
    assert f'<strong>{yesterday}</strong> <span class="badge overdue">oversittet' in work
    assert f"<li>Frist {today_text} · " in work  # due today is not overdue
    assert f"<li>Frist {last_soon} · " in work
    assert after not in work


def test_every_rule_says_what_fulfils_it_and_where() -> None:
    """One place for the words: each rule with an evaluator has what fulfils it and an action a
    page turns into a link."""
    from coordination.deadlines import rules

    assert set(rules.FULFILMENT) == set(rules.EVALUATORS)
    actions = {
        rules.ACTION_HANDOVER,
        rules.ACTION_ACTIVITY_PLAN,
        rules.ACTION_ACTIVITY,
        rules.ACTION_REFERRAL,
        rules.ACTION_CONSENT,
        rules.ACTION_PLAN,
        rules.ACTION_YOUTH_PLANS,
        rules.ACTION_THREAD,
    }
    for fulfilment in rules.FULFILMENT.values():
        assert fulfilment.action in actions
        assert str(fulfilment.text).startswith("Innfridd når")


def test_a_referral_deadline_links_to_the_answer_and_says_what_fulfils_it(travel: Any) -> None:
    today = datetime.date(2027, 3, 10)
    people = _people_with_deadlines(travel, today, overdue=0, due_soon=0)
    _referrals_to_nav(people, 1)
    from coordination.deadlines.selectors import with_plan
    from coordination.models import Deadline
    from coordination.pages import worklist

    deadline = with_plan(Deadline.objects.filter(rule_id="REFERRAL-RESPONSE")).get()
    assert worklist.action_url(deadline) == f"/referrals/{deadline.subject_id}/"
    [group] = worklist.grouped([deadline], today)
    [rule] = group.rules
    assert rule.fulfilment is not None
    assert str(rule.fulfilment.text) == "Innfridd når henvisningen er tatt imot eller avslått."
    assert str(rule.fulfilment.action_label) == "Svar på henvisningen"


def test_the_youth_page_shows_only_deadlines_of_the_viewers_services(travel: Any) -> None:
    people = _people_with_deadlines(travel, datetime.date(2027, 3, 10), overdue=2, due_soon=1)
    url = f"/youths/{people.youth.pk}/"
    nav = _client(people.nav_advisor).get(url).content.decode()
    assert nav.count("Innfridd når aktiviteten er fullført.") == 1
    assert nav.count('<span class="badge overdue">oversittet</span>') >= 2
    ot = _client(people.ot_counsellor).get(url).content.decode()
    assert "Frist for aktivitet" not in ot
    assert "Ingen åpne frister i tjenestene dine." in ot


def test_the_youth_pages_deadlines_run_a_fixed_number_of_queries(
    travel: Any, count_queries: Any
) -> None:
    today = datetime.date(2027, 3, 10)
    people = _people_with_deadlines(travel, today, overdue=1, due_soon=1, later=0)
    client = _client(people.nav_advisor)
    url = f"/youths/{people.youth.pk}/"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    plan = ActivityPlan.objects.get(youth=people.youth)
    travel(today - 42 * DAY)
    for n in range(30):
        services.activity_add(
            actor=people.nav_advisor,
            plan=plan,
            type="EGEN",
            title=f"Mer {n}",
            deadline=today + (n - 15) * DAY,
        )
    derived()
    travel(today)
    with count_queries() as many:
        content = client.get(url).content.decode()
    assert "Viser 30 av" in content
    assert len(many.captured_queries) == len(few.captured_queries)
