"""Dialogue on the pages: the threads on the staff youth page and a thread's page, and the
youth's threads with their contact persons on *Min side* (a guardian reads what the page shows
them)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cases import portal, services
from cases.models import Message, Thread
from consent.models import AccessLogEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _youth(people: Any) -> Any:
    return portal.account_create(youth=people.youth, username="emma", password="x-123456").user


def _write(client: Client, people: Any, text: str = "Når er neste møte?") -> Thread:
    response = client.post(
        f"/me/{people.youth.pk}/threads/",
        {"service": str(people.nav.pk), "subject": "Neste møte", "text": text},
    )
    assert response.status_code == 302, response.content[:500]
    return Thread.objects.get(subject="Neste møte")


def test_the_youth_writes_the_advisor_answers_and_the_youth_sees_lest(people: Any) -> None:
    youth = _logged_in(_youth(people))
    page = youth.get(f"/me/{people.youth.pk}/").content.decode()
    assert "Skriv til kontaktpersonen din" in page and "NAV Skien" in page
    thread = _write(youth, people)

    advisor = _logged_in(people.nav_advisor)
    listed = advisor.get(f"/youths/{people.youth.pk}/").content.decode()
    assert "Neste møte" in listed and "1 ulest" in listed
    before = AccessLogEntry.objects.filter(actor=people.nav_advisor, purpose="thread").count()
    shown = advisor.get(f"/threads/{thread.pk}/").content.decode()
    assert "Når er neste møte?" in shown and 'id="answer"' in shown
    assert AccessLogEntry.objects.filter(actor=people.nav_advisor, purpose="thread").count() == (
        before + 1
    )
    answered = advisor.post(f"/threads/{thread.pk}/", {"text": "Tirsdag kl. 10."})
    assert answered.status_code == 302

    own = youth.get(f"/me/{people.youth.pk}/threads/{thread.pk}/").content.decode()
    assert "Tirsdag kl. 10." in own and "lest " in own


def test_an_answer_by_a_past_day_is_a_field_error_on_the_page(people: Any) -> None:
    thread = _write(_logged_in(_youth(people)), people)
    response = _logged_in(people.nav_advisor).post(
        f"/threads/{thread.pk}/", {"text": "Svar meg", "answer_by": "2020-01-01"}
    )
    assert response.status_code == 400
    assert "tilbake i tid" in response.content.decode()
    assert Message.objects.count() == 1


def test_a_colleague_reads_the_thread_but_gets_no_answer_form(people: Any) -> None:
    thread = _write(_logged_in(_youth(people)), people)
    page = _logged_in(people.manager).get(f"/threads/{thread.pk}/").content.decode()
    assert "Når er neste møte?" in page and 'id="answer"' not in page
    assert _logged_in(people.ot_counsellor).get(f"/threads/{thread.pk}/").status_code == 404


def test_a_guardian_reads_but_does_not_write_and_sees_no_health_thread(people: Any) -> None:
    child = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(16), first_name="Sara"
    )
    factories.follow(people.health_nurse, people.health, child)
    own = portal.account_create(youth=child, username="sara", password="x-123456")
    nav = services.thread_start(
        actor=own.user, youth=child, service=people.nav, kind="YOUTH", subject="NAV", text="Hei"
    )
    health = services.thread_start(
        actor=own.user,
        youth=child,
        service=people.health,
        kind="YOUTH",
        subject="Helse",
        text="Hei",
    )
    guardian = factories.parent(people.nav_advisor, child)
    parent = portal.account_create(
        youth=child, username="kari", password="x-123456", guardian=guardian
    ).user
    client = _logged_in(parent)
    page = client.get(f"/me/{child.pk}/").content.decode()
    assert f"/me/{child.pk}/threads/{nav.pk}/" in page
    assert f"/me/{child.pk}/threads/{health.pk}/" not in page
    assert "Skriv til kontaktpersonen din" not in page
    read = client.get(f"/me/{child.pk}/threads/{nav.pk}/").content.decode()
    assert "Hei" in read and 'id="answer"' not in read
    assert client.get(f"/me/{child.pk}/threads/{health.pk}/").status_code == 404
    assert client.post(f"/me/{child.pk}/threads/{nav.pk}/", {"text": "x"}).status_code == 404
    assert client.post(f"/me/{child.pk}/threads/", {"text": "x"}).status_code == 404
    assert not nav.messages.filter(reads__reader=parent).exists()  # a guardian marks nothing


def test_the_pages_have_fixed_query_counts(people: Any, count_queries: Any) -> None:
    youth_user = _youth(people)
    youth = _logged_in(youth_user)
    thread = _write(youth, people)
    services.message_post(actor=people.nav_advisor, thread=thread, text="Svar")  # unread
    advisor = _logged_in(people.nav_advisor)
    urls = [
        (advisor, f"/youths/{people.youth.pk}/"),
        (advisor, f"/threads/{thread.pk}/"),
        (youth, f"/me/{people.youth.pk}/"),
        (youth, f"/me/{people.youth.pk}/threads/{thread.pk}/"),
    ]
    few = []
    for client, url in urls:
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        few.append(len(queries))
    for n in range(6):
        services.message_post(actor=youth_user, thread=thread, text=f"Melding {n}")
        services.message_post(actor=people.nav_advisor, thread=thread, text=f"Svar {n}")
    services.thread_start(
        actor=youth_user,
        youth=people.youth,
        service=people.ot,
        kind="YOUTH",
        subject="OT",
        text="Hei",
    )
    many = []
    for client, url in urls:
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        many.append(len(queries))
    # Marking read is one query for what is unread, one INSERT and one audit entry, however
    # many messages; the youth page's threads are one query and their items one log row (and
    # its deadlines one more: a message posted derives the youth's deadlines); Min side also
    # asks for the consents the services ask the youth for (one query).
    assert many == few == [23, 15, 14, 13]
