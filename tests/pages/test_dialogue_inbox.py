"""*Min dag*: the messages to the viewer's services that wait for an answer, oldest first,
through the access gate, logged, in a fixed number of queries however many."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from cases import portal, selectors, services
from cases.access import viewer_for
from cases.models import Thread, ThreadKind
from consent.categories import Category
from consent.models import AccessLogEntry
from consent.services import Flow
from tests import factories

pytestmark = pytest.mark.django_db


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _waiting(user: Any) -> list[str]:
    return [m.text for m in selectors.awaiting_answer(viewer_for(user))]


def _staff_thread(actor: Any, service: Any, youth: Any, category: str, text: str) -> Thread:
    return services.thread_start(
        actor=actor,
        youth=youth,
        service=service,
        kind=ThreadKind.STAFF,
        category=category,
        subject="Spørsmål",
        text=text,
        answer_by=datetime.date.today() + datetime.timedelta(days=3),
    )


def test_the_inbox_holds_what_waits_for_the_viewers_service_oldest_first(people: Any) -> None:
    emma = portal.account_create(youth=people.youth, username="emma", password="x-123456").user
    factories.follow(people.health_nurse, people.health, people.youth)
    with time_machine.travel(datetime.datetime(2027, 1, 29, 9, tzinfo=datetime.UTC), tick=False):
        youth_thread = services.thread_start(
            actor=emma,
            youth=people.youth,
            service=people.nav,
            kind=ThreadKind.YOUTH,
            subject="Kurs",
            text="Når starter kurset?",
        )
    with time_machine.travel(datetime.datetime(2027, 1, 29, 10, tzinfo=datetime.UTC), tick=False):
        services.message_post(actor=emma, thread=youth_thread, text="Og hvor er det?")
        _staff_thread(
            people.health_nurse, people.health, people.youth, Category.HEALTH, "Helsespørsmål?"
        )
    with time_machine.travel(datetime.datetime(2027, 1, 29, 11, tzinfo=datetime.UTC), tick=False):
        ot_thread = _staff_thread(
            people.ot_counsellor, people.ot, people.youth, Category.GENERAL, "Skoleplass?"
        )
        # OT's own question waits for the others, not for OT.
        assert _waiting(people.ot_counsellor) == []
        # The youth's first message since NAV last wrote, then OT's question; not the health
        # service's question without a consent.
        assert _waiting(people.nav_advisor) == ["Når starter kurset?", "Skoleplass?"]
        assert _waiting(people.manager) == ["Når starter kurset?", "Skoleplass?"]
        page = _logged_in(people.nav_advisor).get("/day/").content.decode()
    assert 'id="waiting-heading"' in page
    assert "Når starter kurset?" not in page  # the subject and the youth, never the text
    assert "Kurs" in page and "Spørsmål" in page and "01.02.2027" in page
    assert page.index(f"/threads/{youth_thread.pk}/") < page.index(f"/threads/{ot_thread.pk}/")
    assert "Helsespørsmål" not in page
    logged = AccessLogEntry.objects.get(actor=people.nav_advisor, purpose="day-messages")
    assert logged.subject_id == people.youth.pk
    assert {(i["type"], i["basis"]) for i in logged.items} == {
        ("thread", "own"),
        ("message", "own"),
        ("thread", "general"),
        ("message", "general"),
    }

    later = datetime.datetime(2027, 1, 30, 9, tzinfo=datetime.UTC)
    with time_machine.travel(later, tick=True):
        # Answered by NAV: gone from NAV's inbox; an answer from NAV's colleague counts for NAV.
        services.message_post(actor=people.nav_advisor, thread=youth_thread, text="Mandag, her.")
        services.message_post(actor=people.manager, thread=ot_thread, text="Ja, fra august.")
        assert _waiting(people.nav_advisor) == []
        # A consent covering health from the health service to NAV opens the health question.
        factories.give_consent(
            people,
            Flow(categories=[Category.HEALTH], from_party=people.health, to_party=people.nav),
        )
        assert _waiting(people.nav_advisor) == ["Helsespørsmål?"]
        # The youth writing again puts the thread back.
        services.message_post(actor=emma, thread=youth_thread, text="Takk!")
        assert _waiting(people.nav_advisor) == ["Helsespørsmål?", "Takk!"]


def test_the_inbox_on_my_day_runs_a_fixed_number_of_queries(
    people: Any, count_queries: Any
) -> None:
    youths = [people.youth]
    advisor = _logged_in(people.nav_advisor)

    def ask(youth: Any) -> None:
        _staff_thread(people.ot_counsellor, people.ot, youth, Category.GENERAL, "Skoleplass?")

    ask(people.youth)
    with count_queries() as few:
        assert advisor.get("/day/").status_code == 200
    for i in range(6):
        youth = factories.register_youth(
            people.nav_advisor, people.nav, first_name=f"Ung{i}", last_name="Lund"
        )
        factories.follow(people.ot_counsellor, people.ot, youth)
        youths.append(youth)
        ask(youth)
        ask(youth)
    with count_queries() as many:
        page = advisor.get("/day/").content.decode()
    assert page.count("Spørsmål</a>") == 13
    assert len(many.captured_queries) == len(few.captured_queries)
    logged = AccessLogEntry.objects.filter(actor=people.nav_advisor, purpose="day-messages")
    assert logged.count() == 1 + 7  # one row per youth each time
