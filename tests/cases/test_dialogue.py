"""Dialogue: the rules, the services, the access gate and the API."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from cases import dialogue, portal, selectors, services
from cases.access import viewer_for
from cases.models import (
    AddressProtection,
    Message,
    MessageRead,
    StaffMembership,
    Thread,
    ThreadKind,
    Youth,
)
from consent.categories import Category
from consent.models import AccessLogEntry
from consent.services import Flow
from core.errors import ApplicationError
from core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

YOUTH, STAFF = ThreadKind.YOUTH, ThreadKind.STAFF


# --- The rules as plain functions -----------------------------------------------------------


def test_a_thread_with_the_youth_is_started_by_the_youth_or_a_contact_person() -> None:
    rule = {"service_id": "nav", "works_in": ["nav"], "following": ["nav"], "contacts": ["ingrid"]}
    assert dialogue.may_start(YOUTH, user_id="emma", is_youth=True, **rule)
    assert dialogue.may_start(YOUTH, user_id="ingrid", **rule)
    assert not dialogue.may_start(YOUTH, user_id="hilde", **rule)  # a colleague, not the contact
    assert not dialogue.may_start(YOUTH, user_id="emma", is_youth=True, **{**rule, "contacts": []})
    assert not dialogue.may_start(YOUTH, user_id="ingrid", **{**rule, "following": []})


def test_a_thread_between_services_is_started_by_staff_of_a_service_that_follows() -> None:
    rule = {"service_id": "nav", "following": ["nav"], "contacts": []}
    assert dialogue.may_start(STAFF, user_id="hilde", works_in=["nav"], **rule)
    assert not dialogue.may_start(STAFF, user_id="ola", works_in=["ot"], **rule)
    assert not dialogue.may_start(STAFF, user_id="emma", works_in=[], is_youth=True, **rule)


def test_who_may_post() -> None:
    assert dialogue.may_post(
        YOUTH, user_id="emma", follows=True, contacts=[], sees=False, is_youth=True
    )
    assert dialogue.may_post(YOUTH, user_id="ingrid", follows=True, contacts=["ingrid"], sees=True)
    assert not dialogue.may_post(
        YOUTH, user_id="hilde", follows=True, contacts=["ingrid"], sees=True
    )
    assert not dialogue.may_post(
        YOUTH, user_id="emma", follows=False, contacts=[], sees=False, is_youth=True
    )
    assert dialogue.may_post(STAFF, user_id="ola", follows=True, contacts=[], sees=True)
    assert not dialogue.may_post(STAFF, user_id="ola", follows=True, contacts=[], sees=False)
    assert not dialogue.may_post(
        STAFF, user_id="emma", follows=True, contacts=[], sees=True, is_youth=True
    )


def test_an_answer_is_asked_for_by_a_day_not_passed() -> None:
    today = datetime.date(2026, 3, 2)
    assert dialogue.answer_by_valid(None, today)
    assert dialogue.answer_by_valid(today, today)
    assert not dialogue.answer_by_valid(today - datetime.timedelta(days=1), today)


# --- The services ----------------------------------------------------------------------------


def _youth_account(people: Any) -> Any:
    return portal.account_create(youth=people.youth, username="emma", password="x-123456")


def _youth_thread(people: Any, text: str = "Hei, når er neste møte?") -> Thread:
    account = _youth_account(people)
    return services.thread_start(
        actor=account.user,
        youth=people.youth,
        service=people.nav,
        kind=YOUTH,
        subject="Neste møte",
        text=text,
    )


def _health_thread(people: Any) -> Thread:
    factories.follow(people.health_nurse, people.health, people.youth)
    return services.thread_start(
        actor=people.health_nurse,
        youth=people.youth,
        service=people.health,
        kind=STAFF,
        subject="Søvn og skole",
        text="Hun sover dårlig.",
    )


def test_the_youth_writes_to_the_contact_person_in_the_services_category(people: Any) -> None:
    thread = _youth_thread(people)
    assert thread.category == Category.WORK_AND_WELFARE and thread.kind == YOUTH
    first = thread.messages.get()
    assert first.by_youth and first.text == "Hei, når er neste møte?"
    assert AuditEntry.objects.filter(action="thread.started", target_id=str(thread.pk)).exists()
    assert AuditEntry.objects.filter(action="message.posted", target_id=str(first.pk)).exists()


def test_only_the_contact_person_answers_the_youth(people: Any) -> None:
    thread = _youth_thread(people)
    answer = services.message_post(actor=people.nav_advisor, thread=thread, text="Tirsdag kl. 10.")
    assert not answer.by_youth
    with pytest.raises(ApplicationError):
        services.message_post(actor=people.manager, thread=thread, text="Jeg svarer også.")
    with pytest.raises(ApplicationError):
        services.message_post(actor=people.ot_counsellor, thread=thread, text="Og jeg.")


def test_a_guardian_and_a_stranger_write_nothing(people: Any) -> None:
    thread = _youth_thread(people)
    guardian = factories.parent(people.nav_advisor, people.youth)
    account = portal.account_create(
        youth=people.youth, username="kari", password="x-123456", guardian=guardian
    )
    with pytest.raises(ApplicationError):
        services.message_post(actor=account.user, thread=thread, text="Hei")
    with pytest.raises(ValidationError) as refused:
        services.thread_start(
            actor=people.outsider,
            youth=people.youth,
            service=people.elsewhere,
            kind=STAFF,
            subject="x",
            text="x",
        )
    assert "service" in refused.value.message_dict


def test_a_correction_is_a_new_message_and_only_the_author_corrects(people: Any) -> None:
    thread = _youth_thread(people)
    first = thread.messages.get()
    correction = services.message_correct(
        actor=first.author, message=first, text="Hei, når er møtet på tirsdag?"
    )
    assert correction.corrects_id == first.pk
    first.refresh_from_db()
    assert first.text == "Hei, når er neste møte?"  # kept as it was
    with pytest.raises(ValidationError):
        services.message_correct(actor=people.nav_advisor, message=first, text="Nei")
    assert AuditEntry.objects.filter(action="message.corrected").count() == 1


def test_an_answer_by_a_past_day_is_refused_without_a_write(people: Any) -> None:
    thread = _youth_thread(people)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.message_post(
            actor=people.nav_advisor, thread=thread, text="Svar meg", answer_by=yesterday
        )
    assert "answer_by" in refused.value.message_dict
    assert thread.messages.count() == 1
    due = services.message_post(
        actor=people.nav_advisor, thread=thread, text="Svar meg", answer_by=timezone.localdate()
    )
    assert due.answer_by == timezone.localdate()


def test_reading_marks_the_others_messages_read_once(people: Any) -> None:
    thread = _youth_thread(people)
    assert services.thread_read(actor=people.nav_advisor, thread=thread) == 1
    assert services.thread_read(actor=people.nav_advisor, thread=thread) == 0
    shown = list(selectors.messages_of(thread))
    assert shown[0].read_at is not None  # "lest" on the youth's message
    assert MessageRead.objects.count() == 1


# --- The gate --------------------------------------------------------------------------------


def test_a_health_thread_is_invisible_to_nav_without_consent_and_visible_with_one(
    people: Any,
) -> None:
    thread = _health_thread(people)
    assert thread.category == Category.HEALTH
    nav = viewer_for(people.nav_advisor)
    assert list(selectors.thread_list(viewer=nav, youth=people.youth)) == []
    with pytest.raises(ApplicationError):
        services.message_post(actor=people.nav_advisor, thread=thread, text="Hva gjelder det?")
    consent = factories.give_consent(
        people, Flow(categories=[Category.HEALTH], from_party=people.health, to_party=people.nav)
    )
    seen = list(selectors.thread_list(viewer=viewer_for(people.nav_advisor), youth=people.youth))
    assert [t.pk for t in seen] == [thread.pk]
    assert selectors.thread_items(seen[0])[0]["basis"] == f"consent:{consent.pk}"
    services.message_post(actor=people.nav_advisor, thread=thread, text="Hva gjelder det?")
    # OT follows the youth but the consent covers NAV only.
    assert (
        list(selectors.thread_list(viewer=viewer_for(people.ot_counsellor), youth=people.youth))
        == []
    )


def test_a_thread_with_the_youth_stays_with_its_service_whatever_a_consent_shares(
    people: Any,
) -> None:
    """The youth's conversation with NAV is not NAV's information to share: a consent that lets
    OT see NAV's work and welfare information does not open it."""
    thread = _youth_thread(people)
    factories.give_consent(
        people,
        Flow(categories=[Category.WORK_AND_WELFARE], from_party=people.nav, to_party=people.ot),
    )
    ot = viewer_for(people.ot_counsellor)
    assert list(selectors.thread_list(viewer=ot, youth=people.youth)) == []
    with pytest.raises(Http404):
        selectors.thread_for_user(viewer=ot, thread_id=thread.pk)
    with pytest.raises(ApplicationError):
        services.message_post(actor=people.ot_counsellor, thread=thread, text="Jeg leser med.")
    # NAV's own staff read it.
    nav = viewer_for(people.manager)
    assert [t.pk for t in selectors.thread_list(viewer=nav, youth=people.youth)] == [thread.pk]


def test_the_guardian_sees_no_health_thread_from_16(people: Any) -> None:
    child = factories.register_youth(
        people.health_nurse, people.health, birth_date=factories.years_ago(16)
    )
    factories.follow(people.nav_advisor, people.nav, child)
    own = portal.account_create(youth=child, username="sara", password="x-123456")
    for service in (people.health, people.nav):
        services.thread_start(
            actor=own.user, youth=child, service=service, kind=YOUTH, subject="Hei", text="Hei"
        )
    guardian = factories.parent(people.nav_advisor, child)
    account = portal.account_create(
        youth=child, username="kari", password="x-123456", guardian=guardian
    )
    today = timezone.localdate()
    assert {t.service_id for t in portal.threads(account, portal.withheld(account, today))} == {
        people.nav.pk
    }
    assert portal.threads(own, portal.withheld(own, today)).count() == 2


# --- The API ---------------------------------------------------------------------------------


def test_the_api_lists_starts_reads_answers_and_corrects(
    people: Any, client_for: Any, django_assert_num_queries: Any
) -> None:
    thread = _youth_thread(people)
    api = client_for(people.nav_advisor)
    listed = api.get(f"/api/v1/youths/{people.youth.pk}/threads/").json()
    assert [(t["id"], t["unread"]) for t in listed["results"]] == [(str(thread.pk), 1)]

    before = AccessLogEntry.objects.filter(actor=people.nav_advisor).count()
    read = api.get(f"/api/v1/threads/{thread.pk}/").json()
    assert [m["by_youth"] for m in read["messages"]] == [True]
    assert read["messages"][0]["author"] is None  # no Min side user's username
    row = AccessLogEntry.objects.filter(actor=people.nav_advisor).order_by("-at", "-pk").first()
    assert AccessLogEntry.objects.filter(actor=people.nav_advisor).count() == before + 1
    assert row is not None and row.purpose == "thread"
    assert {i["type"] for i in row.items} == {"thread", "message"}
    assert api.get(f"/api/v1/youths/{people.youth.pk}/threads/").json()["results"][0]["unread"] == 0

    answer = api.post(
        f"/api/v1/threads/{thread.pk}/messages/", {"text": "Tirsdag kl. 10."}, format="json"
    )
    assert answer.status_code == 201, answer.content
    corrected = api.post(
        f"/api/v1/messages/{answer.json()['id']}/correct/",
        {"text": "Tirsdag kl. 11."},
        format="json",
    )
    assert corrected.status_code == 201 and corrected.json()["corrects"] == answer.json()["id"]

    started = api.post(
        f"/api/v1/youths/{people.youth.pk}/threads/",
        {"service": str(people.nav.pk), "kind": "STAFF", "subject": "Tiltak", "text": "Forslag"},
        format="json",
    )
    assert started.status_code == 201 and started.json()["category"] == Category.WORK_AND_WELFARE


def test_the_api_answers_field_errors_in_norwegian_and_english(
    people: Any, client_for: Any
) -> None:
    thread = _youth_thread(people)
    past = str(timezone.localdate() - datetime.timedelta(days=3))
    body = {"text": "Svar", "answer_by": past}
    nb = client_for(people.nav_advisor).post(
        f"/api/v1/threads/{thread.pk}/messages/", body, format="json"
    )
    assert nb.status_code == 400
    assert "tilbake i tid" in str(nb.json())
    en = client_for(people.nav_advisor, "en").post(
        f"/api/v1/threads/{thread.pk}/messages/", body, format="json"
    )
    assert en.status_code == 400 and "past" in str(en.json())
    empty = client_for(people.nav_advisor).post(
        f"/api/v1/threads/{thread.pk}/messages/", {}, format="json"
    )
    assert empty.status_code == 400 and "text" in str(empty.json())
    assert Message.objects.count() == 1


def test_the_api_answers_404_for_a_thread_the_caller_may_not_see_and_logs_it(
    people: Any, client_for: Any
) -> None:
    thread = _health_thread(people)
    response = client_for(people.nav_advisor).get(f"/api/v1/threads/{thread.pk}/")
    assert response.status_code == 404
    assert AccessLogEntry.objects.filter(
        actor=people.nav_advisor, subject_id=people.youth.pk, granted=False
    ).exists()
    assert client_for(people.nav_advisor).get(f"/api/v1/threads/{uuid.uuid4()}/").status_code == 404
    message = thread.messages.get()
    refused = client_for(people.nav_advisor).post(
        f"/api/v1/messages/{message.pk}/correct/", {"text": "x"}, format="json"
    )
    assert refused.status_code == 404


def test_the_thread_list_and_a_thread_read_have_fixed_query_counts(
    people: Any, client_for: Any, count_queries: Any
) -> None:
    thread = _youth_thread(people)
    api = client_for(people.nav_advisor)
    with count_queries() as few_list:
        api.get(f"/api/v1/youths/{people.youth.pk}/threads/")
    with count_queries() as few_read:
        api.get(f"/api/v1/threads/{thread.pk}/")
    for n in range(5):
        services.message_post(actor=thread.started_by, thread=thread, text=f"Melding {n}")
    services.thread_start(
        actor=thread.started_by,
        youth=people.youth,
        service=people.ot,
        kind=YOUTH,
        subject="OT",
        text="Hei OT",
    )
    with count_queries() as many_list:
        api.get(f"/api/v1/youths/{people.youth.pk}/threads/")
    with count_queries() as many_read:
        api.get(f"/api/v1/threads/{thread.pk}/")
    assert len(many_list.captured_queries) == len(few_list.captured_queries)
    assert len(many_read.captured_queries) == len(few_read.captured_queries)


def test_threads_of_a_protected_youth_show_only_to_cleared_staff_and_not_to_a_guardian(
    people: Any,
) -> None:
    child = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(15), first_name="Sara"
    )
    own = portal.account_create(youth=child, username="sara", password="x-123456")
    thread = services.thread_start(
        actor=own.user, youth=child, service=people.nav, kind=YOUTH, subject="Hei", text="Hei"
    )
    Youth.objects.filter(pk=child.pk).update(address_protection=AddressProtection.FORTROLIG)
    nav = viewer_for(people.nav_advisor)
    assert list(selectors.thread_list(viewer=nav, youth=child)) == []
    StaffMembership.objects.filter(user=people.nav_advisor).update(cleared_fortrolig=True)
    cleared = viewer_for(people.nav_advisor)
    assert [t.pk for t in selectors.thread_list(viewer=cleared, youth=child)] == [thread.pk]

    guardian = factories.parent(people.nav_advisor, child)
    parent = portal.account_create(
        youth=child, username="kari", password="x-123456", guardian=guardian
    )
    parent.youth.refresh_from_db()
    assert list(portal.threads(parent, frozenset())) == []
    own.youth.refresh_from_db()
    assert [t.pk for t in portal.threads(own, frozenset())] == [thread.pk]


def test_staff_start_a_thread_only_through_a_service_cleared_for_a_protected_youth(
    people: Any, client_for: Any
) -> None:
    """Cleared in NAV, not in OT: a thread about a youth with strengt fortrolig adresse is
    started through NAV, refused through OT (400 at ``service``, nothing written, the attempt
    logged as refused)."""
    from cases import services
    from cases.models import AddressProtection, StaffRole, Thread, Youth
    from consent.models import AccessLogEntry
    from tests import factories

    both = factories.make_staff(people.nav, username="siri.begge")
    services.membership_add(actor=None, user=both, service=people.ot, role=StaffRole.CASEWORKER)
    for user in (people.manager, both):
        services.membership_clearances_set(
            actor=people.manager, service=people.nav, user=user, cleared_strengt_fortrolig=True
        )
    youth = Youth.objects.get(pk=people.youth.pk)
    services.youth_protection_set(
        actor=people.manager,
        youth=youth,
        version=youth.version,
        address_protection=AddressProtection.STRENGT_FORTROLIG,
        shielded=False,
    )
    api = client_for(both)

    def start(service: Any) -> Any:
        return api.post(
            f"/api/v1/youths/{people.youth.pk}/threads/",
            {"service": str(service.pk), "kind": "STAFF", "subject": "Tiltak", "text": "Forslag"},
            format="json",
        )

    refused = start(people.ot)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "protected_identity"
    assert set(refused.json()["error"]["fields"]) == {"service"}
    assert not Thread.objects.exists()
    attempt = AccessLogEntry.objects.get(purpose="thread-start", granted=False)
    assert (attempt.subject_id, attempt.party_id) == (people.youth.pk, people.ot.pk)
    assert start(people.nav).status_code == 201
    assert list(Thread.objects.values_list("service", flat=True)) == [people.nav.pk]
