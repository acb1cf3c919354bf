"""Staff start a thread from the youth page and correct their own message on the thread page:
form errors in Norwegian and English, nothing written on a refusal, every look logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cases import portal, services
from cases.models import Message, Thread, ThreadKind
from consent.categories import Category
from consent.models import AccessLogEntry
from core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _logged_in(user: Any, language: str = "nb") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _new(people: Any) -> str:
    return f"/youths/{people.youth.pk}/threads/new/"


def test_a_nurse_starts_a_thread_between_services_in_her_services_category_by_default(
    people: Any,
) -> None:
    factories.follow(people.health_nurse, people.health, people.youth)
    nurse = _logged_in(people.health_nurse)
    youth_page = nurse.get(f"/youths/{people.youth.pk}/").content.decode()
    assert f'href="{_new(people)}"' in youth_page
    page = nurse.get(_new(people))
    assert page.status_code == 200
    assert "Ny samtale om" in page.content.decode()
    english = _logged_in(people.health_nurse, "en").get(_new(people)).content.decode()
    assert "New thread about" in english and "The service&#x27;s own category" in english
    assert AccessLogEntry.objects.filter(
        actor=people.health_nurse, purpose="thread-new", subject=people.youth
    ).exists()
    sent = nurse.post(
        _new(people),
        {
            "kind": "STAFF",
            "service": str(people.health.pk),
            "category": "",
            "subject": "Søvn og skole",
            "text": "Hun sover dårlig.",
        },
    )
    thread = Thread.objects.get(subject="Søvn og skole")
    assert sent.status_code == 302 and sent["Location"] == f"/threads/{thread.pk}/"
    assert (thread.kind, thread.service, thread.category) == (
        ThreadKind.STAFF,
        people.health,
        Category.HEALTH,
    )
    # A category chosen: general, so every service that follows the youth sees it.
    nurse.post(
        _new(people),
        {
            "kind": "STAFF",
            "service": str(people.health.pk),
            "category": "GENERAL",
            "subject": "Møte",
            "text": "Kan vi møtes?",
        },
    )
    assert Thread.objects.get(subject="Møte").category == Category.GENERAL


def test_starting_a_thread_refused_is_a_400_in_norwegian_and_english_without_a_write(
    people: Any,
) -> None:
    before = (Thread.objects.count(), Message.objects.count())
    # The manager of NAV is no contact person of the youth: no thread with the youth.
    for language, words in (("nb", "Du kan ikke starte"), ("en", "You cannot start")):
        response = _logged_in(people.manager, language).post(
            _new(people),
            {
                "kind": "YOUTH",
                "service": str(people.nav.pk),
                "subject": "Hei",
                "text": "Hei fra NAV.",
            },
        )
        assert response.status_code == 400
        assert words in response.content.decode()
    # Empty fields and an answer-by day in the past.
    for language, words in (("nb", "Dette feltet er påkrevd"), ("en", "This field is required")):
        response = _logged_in(people.nav_advisor, language).post(
            _new(people), {"kind": "STAFF", "service": str(people.nav.pk), "subject": ""}
        )
        assert response.status_code == 400 and words in response.content.decode()
    for language, words in (("nb", "tilbake i tid"), ("en", "in the past")):
        response = _logged_in(people.nav_advisor, language).post(
            _new(people),
            {
                "kind": "STAFF",
                "service": str(people.nav.pk),
                "subject": "Frist",
                "text": "Svar før i går.",
                "answer_by": "2020-01-01",
            },
        )
        assert response.status_code == 400 and words in response.content.decode()
    # A service of the viewer's that does not follow the youth is no choice.
    response = _logged_in(people.nav_advisor).post(
        _new(people),
        {"kind": "STAFF", "service": str(people.health.pk), "subject": "X", "text": "Y"},
    )
    assert response.status_code == 400
    assert (Thread.objects.count(), Message.objects.count()) == before
    # The outsider does not reach the youth: 404, logged as refused.
    assert _logged_in(people.outsider).get(_new(people)).status_code == 404
    assert AccessLogEntry.objects.filter(
        actor=people.outsider, subject=people.youth, granted=False, purpose="thread-new"
    ).exists()


def test_the_contact_person_starts_a_thread_with_the_youth(people: Any) -> None:
    portal.account_create(youth=people.youth, username="emma", password="x-123456")
    response = _logged_in(people.nav_advisor).post(
        _new(people),
        {
            "kind": "YOUTH",
            "service": str(people.nav.pk),
            "subject": "Neste møte",
            "text": "Passer tirsdag?",
            "answer_by": "2099-01-05",
        },
    )
    assert response.status_code == 302
    thread = Thread.objects.get(subject="Neste møte")
    assert (thread.kind, thread.category) == (ThreadKind.YOUTH, Category.WORK_AND_WELFARE)
    assert thread.messages.get().answer_by.isoformat() == "2099-01-05"


def test_the_author_corrects_a_message_as_a_new_message_linked_both_ways(people: Any) -> None:
    thread = services.thread_start(
        actor=people.nav_advisor,
        youth=people.youth,
        service=people.nav,
        kind=ThreadKind.STAFF,
        subject="Arbeidstrening",
        text="Hun begynner mandag 3. mars.",
    )
    first = thread.messages.get()
    advisor = _logged_in(people.nav_advisor)
    page = advisor.get(f"/threads/{thread.pk}/").content.decode()
    correct_url = f"/messages/{first.pk}/correct/"
    assert f'href="{correct_url}"' in page
    # A colleague who sees the thread is offered no correction of another's message, and is
    # refused one.
    manager = _logged_in(people.manager)
    assert correct_url not in manager.get(f"/threads/{thread.pk}/").content.decode()
    for language, words in (("nb", "bare rette dine egne"), ("en", "only correct your own")):
        refused = _logged_in(people.manager, language).post(correct_url, {"text": "Tirsdag."})
        assert refused.status_code == 400 and words in refused.content.decode()
    assert Message.objects.count() == 1

    shown = advisor.get(correct_url)
    assert shown.status_code == 200 and "Hun begynner mandag 3. mars." in shown.content.decode()
    assert AccessLogEntry.objects.filter(
        actor=people.nav_advisor, purpose="message-correct", subject=people.youth
    ).exists()
    assert advisor.post(correct_url, {"text": ""}).status_code == 400
    sent = advisor.post(correct_url, {"text": "Hun begynner tirsdag 4. mars."})
    correction = Message.objects.get(corrects=first)
    assert sent["Location"] == f"/threads/{thread.pk}/#message-{correction.pk}"
    assert AuditEntry.objects.filter(action="message.corrected").count() == 1
    first.refresh_from_db()
    assert first.text == "Hun begynner mandag 3. mars."  # kept as it was
    page = advisor.get(f"/threads/{thread.pk}/").content.decode()
    assert "Rettet i en senere melding" in page and "Retter en tidligere melding" in page
    assert f'href="#message-{correction.pk}"' in page and f'href="#message-{first.pk}"' in page
    # The outsider: 404, logged as refused.
    assert _logged_in(people.outsider).get(correct_url).status_code == 404
