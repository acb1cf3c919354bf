"""The youth takes part in NAV's activity plan on *Min side* (confirms what NAV proposes,
comments, marks done, asks to change), and answers a consent a service asks for digitally,
with the log-in's assurance level."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from cases import portal, services
from cases.models import (
    Activity,
    ActivityChangeRequest,
    ActivityComment,
    ActivityVersion,
    AgreedHow,
    ConsentRequest,
)
from cases.services import consent_requests, youth_plan
from consent.categories import Category
from consent.models import Consent, Decision, Giver, Method
from core.errors import ApplicationError
from core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _proposal(people: Any, **extra: Any) -> Activity:
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    return services.activity_add(
        actor=people.nav_advisor,
        plan=plan,
        type="EKSTERNAKTIVITET",
        title="Arbeidstrening",
        status="FORSLAG",
        **extra,
    )


def _youth_client(people: Any) -> tuple[Any, Client]:
    account = portal.account_create(youth=people.youth, username="emma", password="x-123456")
    return account, _logged_in(account.user)


def test_the_youth_confirms_an_activity_nav_proposed(people: Any) -> None:
    activity = _proposal(people)
    account, client = _youth_client(people)
    url = f"/me/{people.youth.pk}/activities/{activity.pk}/"
    page = client.get(f"/me/{people.youth.pk}/").content.decode()
    assert url in page and "venter på at du bekrefter" in page
    assert "ikke avtalt med NAV før du har bekreftet" in client.get(url).content.decode()
    with mock.patch("cases.services.youth_plan.fact_changed") as fact:
        response = client.post(url, {"action": "confirm", "version": 1})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.agreed and activity.agreed_at is not None
    assert (activity.agreed_how, activity.agreed_by, activity.status) == (
        AgreedHow.YOUTH,
        account.user,
        "PLANLAGT",
    )
    version = ActivityVersion.objects.get(activity=activity, version=2)
    assert version.changed_by == account.user
    assert version.changes == {"agreed": [False, True], "status": ["FORSLAG", "PLANLAGT"]}
    assert AuditEntry.objects.filter(action="activity.confirmed", actor=account.user).exists()
    fact.assert_called_once_with(people.youth.pk, "activity.changed")  # UG dates it as agreed
    staff_page = _logged_in(people.nav_advisor).get(f"/youths/{people.youth.pk}/")
    assert "avtalt med NAV" in staff_page.content.decode()


def test_a_stale_form_is_409_and_writes_nothing(people: Any) -> None:
    activity = _proposal(people)
    _account, client = _youth_client(people)
    services.activity_change(
        actor=people.nav_advisor, activity=activity, version=1, values={"title": "Kurs"}
    )
    url = f"/me/{people.youth.pk}/activities/{activity.pk}/"
    for action, extra in (("confirm", {}), ("done", {}), ("change", {"text": "Senere"})):
        response = client.post(url, {"action": action, "version": 1, **extra})
        assert response.status_code == 409
        assert "Noen andre har endret dette" in response.content.decode()
    activity.refresh_from_db()
    assert (activity.agreed, activity.status, activity.version) == (False, "FORSLAG", 2)
    assert not ActivityChangeRequest.objects.exists()


def test_staff_make_an_activity_agreed_only_with_a_note_of_the_oral_agreement(
    people: Any, client_for: Any
) -> None:
    activity = _proposal(people)
    with pytest.raises(ValidationError) as refused:
        services.activity_change(
            actor=people.nav_advisor, activity=activity, version=1, values={"agreed": True}
        )
    assert "agreed_note" in refused.value.error_dict
    url = f"/api/v1/activities/{activity.pk}/"
    response = client_for(people.nav_advisor, "en").patch(
        url, {"version": 1, "agreed": True}, format="json"
    )
    assert response.status_code == 400
    assert "agreed orally" in response.json()["error"]["fields"]["agreed_note"][0]["message"]
    response = client_for(people.nav_advisor).patch(
        url,
        {"version": 1, "agreed": True, "agreed_note": "Avtalt i møte 2. desember"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["agreed"], body["agreed_how"], body["agreed_note"]) == (
        True,
        "ORAL",
        "Avtalt i møte 2. desember",
    )
    assert body["agreed_by"]["username"] == people.nav_advisor.username


def test_the_youth_comments_and_marks_an_activity_done(people: Any) -> None:
    activity = _proposal(people, deadline=_in(10))
    account, client = _youth_client(people)
    url = f"/me/{people.youth.pk}/activities/{activity.pk}/"
    assert client.post(url, {"action": "comment", "text": "  "}).status_code == 400
    assert client.post(url, {"action": "comment", "text": "Jeg gleder meg"}).status_code == 302
    comment = ActivityComment.objects.get()
    assert (comment.by_youth, comment.written_by, comment.youth) == (
        True,
        account.user,
        people.youth,
    )
    edit_page = _logged_in(people.nav_advisor).get(f"/activities/{activity.pk}/edit/")
    assert "Jeg gleder meg" in edit_page.content.decode()

    with mock.patch("cases.services.youth_plan.fact_changed") as fact:
        assert client.post(url, {"action": "done", "version": 1}).status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.version) == ("FULLFORT", 2)
    fact.assert_called_once_with(people.youth.pk, "activity.changed")  # its deadline is met
    page = client.get(url).content.decode()
    assert "Du markerte aktiviteten som fullført." in page
    assert 'value="done"' not in page and 'value="confirm"' not in page


def test_the_youth_asks_to_change_and_the_advisor_answers(people: Any) -> None:
    activity = _proposal(people)
    account, client = _youth_client(people)
    url = f"/me/{people.youth.pk}/activities/{activity.pk}/"
    assert client.post(url, {"action": "change", "version": 1, "text": "Kan vi starte i mars?"})
    asked = ActivityChangeRequest.objects.get()
    assert (asked.activity_version, asked.is_open) == (1, True)
    again = client.post(url, {"action": "change", "version": 1, "text": "Og en ting til"})
    assert again.status_code == 400
    assert "venter på svar" in again.content.decode()

    with pytest.raises(ApplicationError) as refused:
        youth_plan.change_request_answer(actor=people.nav_advisor, request=asked, outcome="CHANGED")
    assert refused.value.code == "not_changed"  # nothing was changed since the youth asked
    with pytest.raises(ApplicationError):
        youth_plan.change_request_answer(
            actor=people.ot_counsellor, request=asked, outcome="DECLINED", answer="Nei"
        )  # OT is neither NAV nor responsible for the activity

    staff = _logged_in(people.nav_advisor)
    edit_page = staff.get(f"/activities/{activity.pk}/edit/").content.decode()
    assert "Kan vi starte i mars?" in edit_page
    answer_url = f"/activity-change-requests/{asked.pk}/answer/"
    staff.post(answer_url, {f"{asked.pk}-outcome": "DECLINED", f"{asked.pk}-answer": ""})
    asked.refresh_from_db()
    assert asked.is_open  # declining needs the reason
    staff.post(
        answer_url,
        {f"{asked.pk}-outcome": "DECLINED", f"{asked.pk}-answer": "Tiltaket starter i januar."},
    )
    asked.refresh_from_db()
    assert (asked.outcome, asked.answered_by) == ("DECLINED", people.nav_advisor)
    page = client.get(url).content.decode()
    assert "NAV sa nei" in page and "Tiltaket starter i januar." in page
    assert AuditEntry.objects.filter(action="activity.change_request_answered").exists()

    # Once the advisor has changed the activity after a request, "changed" is the answer.
    youth_plan.activity_change_request(
        actor=account.user, account=account, activity=activity, version=1, text="Mars?"
    )
    second = ActivityChangeRequest.objects.get(answered_at__isnull=True)
    services.activity_change(
        actor=people.nav_advisor,
        activity=activity,
        version=1,
        values={"from_date": _in(60)},
    )
    answered = youth_plan.change_request_answer(
        actor=people.nav_advisor, request=second, outcome="CHANGED"
    )
    assert answered.outcome == "CHANGED"


def test_a_guardian_reads_the_activity_and_writes_nothing(people: Any) -> None:
    youth, guardian = _minor(people)
    plan = services.activity_plan_create(actor=people.nav_advisor, youth=youth, service=people.nav)
    activity = services.activity_add(
        actor=people.nav_advisor, plan=plan, type="EGEN", title="Søke jobb", status="FORSLAG"
    )
    account = portal.account_create(
        youth=youth, username="kari", password="x-123456", guardian=guardian
    )
    client = _logged_in(account.user)
    url = f"/me/{youth.pk}/activities/{activity.pk}/"
    page = client.get(url).content.decode()
    assert "Søke jobb" in page and "<form" not in page.split("</header>", 1)[-1].split("<footer")[0]
    assert client.post(url, {"action": "confirm", "version": 1}).status_code == 404
    with pytest.raises(ApplicationError):
        youth_plan.activity_youth_confirm(
            actor=account.user, account=account, activity=activity, version=1
        )
    activity.refresh_from_db()
    assert not activity.agreed


def _minor(people: Any) -> tuple[Any, Any]:
    youth = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(16), first_name="Sara"
    )
    factories.follow(people.ot_counsellor, people.ot, youth)
    guardian = services.guardian_add(
        actor=people.nav_advisor,
        youth=youth,
        full_name="Kari Mor",
        relation="PARENT",
        has_parental_responsibility=True,
    )
    return youth, guardian


def test_the_activity_page_has_a_fixed_query_count(people: Any, count_queries: Any) -> None:
    activity = _proposal(people)
    account, client = _youth_client(people)
    url = f"/me/{people.youth.pk}/activities/{activity.pk}/"

    def add(n: int) -> None:
        for i in range(n):
            youth_plan.activity_comment_add(
                actor=account.user, account=account, activity=activity, text=f"K{i}"
            )

    add(1)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    add(5)
    with count_queries() as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_consent_asked_for_is_given_digitally_with_the_log_ins_level(people: Any) -> None:
    staff = _logged_in(people.ot_counsellor)
    response = staff.post(
        f"/youths/{people.youth.pk}/consent-requests/new/",
        {
            "template": "utdanning-arbeid",
            "from_service": people.ot.pk,
            "to_service": people.nav.pk,
            "categories": ["EDUCATION"],
        },
    )
    assert response.status_code == 302
    asked = ConsentRequest.objects.get()
    assert (asked.requested_by, asked.categories) == (people.ot_counsellor, ["EDUCATION"])

    account, client = _youth_client(people)
    page = client.get(f"/me/{people.youth.pk}/").content.decode()
    assert "OT Skien vil dele utdanning med NAV Skien" in page
    url = f"/me/{people.youth.pk}/consent-requests/{asked.pk}/"
    assert "Ja, jeg samtykker" in client.get(url).content.decode()
    assert client.post(url, {"decision": "MAYBE"}).status_code == 400

    assert client.post(url, {"decision": "GIVEN"}).status_code == 302
    asked.refresh_from_db()
    consent = Consent.objects.get(pk=asked.consent_id)
    assert (asked.state, consent.decision, consent.method, consent.giver) == (
        "GIVEN",
        Decision.GIVEN,
        Method.DIGITAL,
        Giver.SUBJECT,
    )
    assert consent.assurance_level == "local"  # a local log-in has no acr
    assert consent.recorded_by == account.user
    audit = AuditEntry.objects.get(action="consent.recorded", target_id=str(consent.pk))
    assert audit.data["assurance_level"] == "local"
    assert consent.is_active()
    assert client.post(url, {"decision": "REFUSED"}).status_code == 404  # answered once


def test_an_id_porten_log_in_records_its_level_and_a_refusal_shares_nothing(
    people: Any,
) -> None:
    asked = consent_requests.consent_request_prepare(
        actor=people.ot_counsellor,
        youth=people.youth,
        template_code="utdanning-arbeid",
        from_service=people.ot,
        to_service=people.nav,
    )
    _account, client = _youth_client(people)
    session = client.session
    session["oidc_acr"] = "idporten-loa-high"
    session.save()
    client.post(f"/me/{people.youth.pk}/consent-requests/{asked.pk}/", {"decision": "REFUSED"})
    asked.refresh_from_db()
    consent = Consent.objects.get(pk=asked.consent_id)
    assert (asked.state, consent.decision) == ("REFUSED", Decision.REFUSED)
    assert consent.assurance_level == "idporten-loa-high"
    assert not consent.is_active()

    # Withdrawing on the page keeps the level too.
    given = consent_requests.consent_request_prepare(
        actor=people.ot_counsellor,
        youth=people.youth,
        template_code="skole",
        from_service=people.ot,
        to_service=people.nav,
    )
    client.post(f"/me/{people.youth.pk}/consent-requests/{given.pk}/", {"decision": "GIVEN"})
    given.refresh_from_db()
    client.post(f"/me/{people.youth.pk}/consents/{given.consent_id}/withdraw/")
    withdrawn = Consent.objects.get(pk=given.consent_id)
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawal_assurance_level == "idporten-loa-high"


def test_only_the_holder_asks_and_only_who_decides_answers(people: Any) -> None:
    with pytest.raises(ApplicationError):
        consent_requests.consent_request_prepare(
            actor=people.nav_advisor,  # NAV does not hold OT's records
            youth=people.youth,
            template_code="utdanning-arbeid",
            from_service=people.ot,
            to_service=people.nav,
        )
    youth, guardian = _minor(people)
    asked = consent_requests.consent_request_prepare(
        actor=people.ot_counsellor,
        youth=youth,
        template_code="utdanning-arbeid",
        from_service=people.ot,
        to_service=people.nav,
        categories=[Category.EDUCATION],
    )
    guardian_account = portal.account_create(
        youth=youth, username="kari", password="x-123456", guardian=guardian
    )
    # At 16 the youth decides on education; the guardian does not answer.
    assert not consent_requests.may_answer(guardian_account, asked, _in(0))
    assert (
        _logged_in(guardian_account.user)
        .post(f"/me/{youth.pk}/consent-requests/{asked.pk}/", {"decision": "GIVEN"})
        .status_code
        == 404
    )
    assert ConsentRequest.objects.get(pk=asked.pk).is_open


def test_the_api_reads_comments_and_answers_a_request_to_change(
    people: Any, client_for: Any, count_queries: Any
) -> None:
    activity = _proposal(people)
    account, _client = _youth_client(people)
    youth_plan.activity_comment_add(
        actor=account.user, account=account, activity=activity, text="Hei"
    )
    asked = youth_plan.activity_change_request(
        actor=account.user, account=account, activity=activity, version=1, text="Senere?"
    )
    api = client_for(people.nav_advisor)
    url = f"/api/v1/activities/{activity.pk}/"
    assert [c["text"] for c in api.get(url + "comments/").json()] == ["Hei"]
    with count_queries() as few:
        api.get(url + "comments/")
    for i in range(4):
        youth_plan.activity_comment_add(
            actor=account.user, account=account, activity=activity, text=f"K{i}"
        )
    with count_queries() as many:
        api.get(url + "comments/")
    assert len(many.captured_queries) == len(few.captured_queries)
    added = api.post(url + "comments/", {"text": "Vi ses"}, format="json")
    assert added.status_code == 201 and added.json()["by_youth"] is False

    assert api.get(url + "change-requests/").json()[0]["text"] == "Senere?"
    answer_url = f"{url}change-requests/{asked.pk}/answer/"
    refused = client_for(people.nav_advisor, "en").post(
        answer_url, {"outcome": "CHANGED"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "not_changed"
    answered = api.post(answer_url, {"outcome": "DECLINED", "answer": "Nei"}, format="json")
    assert answered.status_code == 200 and answered.json()["outcome"] == "DECLINED"


def test_the_api_prepares_a_consent_request(people: Any, client_for: Any) -> None:
    url = f"/api/v1/youths/{people.youth.pk}/consent-requests/"
    body = {
        "template": "skole",
        "from_service": str(people.ot.pk),
        "to_service": str(people.nav.pk),
    }
    created = client_for(people.ot_counsellor).post(url, body, format="json")
    assert created.status_code == 201
    assert created.json()["sentences"] == ["OT Skien vil dele utdanning med NAV Skien"]
    same = client_for(people.ot_counsellor).post(
        url, {**body, "to_service": str(people.ot.pk)}, format="json"
    )
    assert same.status_code == 400 and "to_service" in same.json()["error"]["fields"]
    assert client_for(people.nav_advisor).post(url, body, format="json").status_code == 404
    listed = client_for(people.ot_counsellor).get(url).json()
    assert [r["state"] for r in listed] == ["OPEN"]


def test_min_side_lists_the_requests_in_a_fixed_number_of_queries(
    people: Any, count_queries: Any
) -> None:
    _account, client = _youth_client(people)
    url = f"/me/{people.youth.pk}/"

    def ask(n: int) -> None:
        for _ in range(n):
            consent_requests.consent_request_prepare(
                actor=people.ot_counsellor,
                youth=people.youth,
                template_code="skole",
                from_service=people.ot,
                to_service=people.nav,
            )

    ask(1)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    ask(4)
    with count_queries() as many:
        page = client.get(url).content.decode()
    assert page.count("OT Skien vil dele utdanning med NAV Skien") == 5
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_staff_activity_page_has_a_fixed_query_count(people: Any, count_queries: Any) -> None:
    activity = _proposal(people)
    account, _client = _youth_client(people)
    staff = _logged_in(people.nav_advisor)
    url = f"/activities/{activity.pk}/edit/"
    youth_plan.activity_comment_add(
        actor=account.user, account=account, activity=activity, text="A"
    )
    staff.get(url)
    with count_queries() as few:
        staff.get(url)
    for i in range(4):
        youth_plan.activity_comment_add(
            actor=account.user, account=account, activity=activity, text=f"K{i}"
        )
    youth_plan.activity_change_request(
        actor=account.user, account=account, activity=activity, version=1, text="Senere?"
    )
    with count_queries() as many:
        page = staff.get(url).content.decode()
    assert "Senere?" in page and "K3" in page
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_guardians_of_a_child_under_12_each_answer_and_it_counts_when_both_said_yes(
    people: Any,
) -> None:
    child = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(10), first_name="Liv"
    )
    factories.follow(people.ot_counsellor, people.ot, child)
    accounts = []
    for n, name in enumerate(["Kari Mor", "Per Far"]):
        guardian = services.guardian_add(
            actor=people.nav_advisor,
            youth=child,
            full_name=name,
            relation="PARENT",
            has_parental_responsibility=True,
        )
        accounts.append(
            portal.account_create(
                youth=child, username=f"foresatt{n}", password="x-123456", guardian=guardian
            )
        )
    asked = consent_requests.consent_request_prepare(
        actor=people.ot_counsellor,
        youth=child,
        template_code="skole",
        from_service=people.ot,
        to_service=people.nav,
    )
    url = f"/me/{child.pk}/consent-requests/{asked.pk}/"
    first, second = (_logged_in(a.user) for a in accounts)
    assert first.post(url, {"decision": "GIVEN"}).status_code == 302
    asked.refresh_from_db()
    consent = Consent.objects.get(pk=asked.consent_id)
    assert (asked.state, consent.decision, consent.giver) == ("OPEN", "PENDING", Giver.GUARDIANS)
    assert first.post(url, {"decision": "GIVEN"}).status_code == 404  # answered once each
    assert second.post(url, {"decision": "GIVEN"}).status_code == 302
    asked.refresh_from_db()
    consent.refresh_from_db()
    assert (asked.state, consent.decision) == ("GIVEN", "GIVEN")
    assert {d.method for d in consent.guardian_decisions.all()} == {Method.DIGITAL}


def test_a_local_log_in_after_an_id_porten_one_records_no_level(people: Any) -> None:
    """Django keeps a session's data when the same user logs in again: the level of an earlier
    ID-porten log-in must not carry over to a local one."""
    account, client = _youth_client(people)
    session = client.session
    session["oidc_acr"] = "idporten-loa-high"
    session.save()
    client.force_login(account.user)
    assert "oidc_acr" not in client.session


def test_a_consent_request_asks_only_for_what_its_template_speaks_of(people: Any) -> None:
    """The youth agrees to the template's words: health is not asked for under the school
    template's text about schooling."""
    staff = _logged_in(people.ot_counsellor)
    response = staff.post(
        f"/youths/{people.youth.pk}/consent-requests/new/",
        {
            "template": "skole",
            "from_service": people.ot.pk,
            "to_service": people.nav.pk,
            "categories": ["HEALTH"],
        },
    )
    assert response.status_code == 400
    assert "Malens tekst sier ikke noe om de valgte kategoriene" in response.content.decode()
    assert not ConsentRequest.objects.exists()


def test_the_consent_request_form_offers_only_services_the_viewer_sees_following(
    people: Any,
) -> None:
    """Which health service follows the youth is health information: the form does not offer
    it to NAV, who sees no such involvement without a consent."""
    factories.follow(people.health_nurse, people.health, people.youth)
    url = f"/youths/{people.youth.pk}/consent-requests/new/"
    text = _logged_in(people.nav_advisor).get(url).content.decode()
    assert people.health.name not in text and people.ot.name in text
    # The health service sees its own following, and OT's.
    own = _logged_in(people.health_nurse).get(url).content.decode()
    assert people.ot.name in own and f">{people.health.name}<" in own
