"""The pages: landing by role, forms that refuse with clear Norwegian (and English) messages and
write nothing, the access log written by page reads, fixed query counts, CSP and no inline
scripts. The journeys themselves run in a real browser (tests/browser)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cases import services
from cases.models import ActivityPlan, FollowUpEntry
from consent.categories import Category
from consent.models import AccessLogEntry
from coordination.models import ComplianceSnapshot
from coordination.pages.charts import percent_chart
from tests import factories
from tests.factories import derived

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "nb") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_log_in(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    response = client.get("/youths/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_landing_sends_each_person_where_their_work_is(people: Any) -> None:
    assert _client(people.nav_advisor).get("/")["Location"] == "/day/"
    assert _client(people.privacy_officer).get("/")["Location"] == "/access-log/"
    assert _client(people.nav_admin).get("/")["Location"] == "/staff/"
    outsider = factories.UserFactory(username="uten.rolle")
    response = _client(outsider).get("/")
    assert response.status_code == 200
    assert "ingen rolle i en tjeneste" in response.content.decode()


def test_a_wrong_password_is_told_in_norwegian(client: Any, people: Any) -> None:
    response = client.post("/login/", {"username": "ingrid.nav", "password": "feil"})
    assert response.status_code == 200
    assert "Vennligst oppgi korrekt brukernavn og passord" in response.content.decode()


def test_pages_send_csp_and_have_no_inline_script(people: Any) -> None:
    client = _client(people.nav_advisor)
    for url in ["/day/", "/youths/", f"/youths/{people.youth.pk}/", "/referrals/"]:
        response = client.get(url)
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "<script" not in response.content.decode()
        assert "unsafe-inline" not in policy


def test_caseload_searches_and_has_a_fixed_query_count(
    people: Any, count_queries: Any, django_assert_max_num_queries: Any
) -> None:
    client = _client(people.nav_advisor)
    with count_queries() as few:
        assert client.get("/youths/").status_code == 200
    for n in range(10):
        derived(factories.register_youth(people.nav_advisor, people.nav, first_name=f"Ola{n}"))
    with count_queries() as many:
        response = client.get("/youths/?q=Ola3")
    assert len(many.captured_queries) == len(few.captured_queries)
    content = response.content.decode()
    assert "Ola3" in content and "Emma" not in content


def test_youth_page_logs_the_look_with_a_fixed_query_count(people: Any, count_queries: Any) -> None:
    client = _client(people.nav_advisor)

    def log(text: str) -> None:
        services.entry_log(
            actor=people.nav_advisor,
            youth=people.youth,
            service=people.nav,
            occurred_on=timezone.localdate(),
            kind="CONVERSATION",
            category=Category.WORK_AND_WELFARE,
            text=text,
        )

    log("Første samtale.")
    with count_queries() as few:
        client.get(f"/youths/{people.youth.pk}/")
    for n in range(10):
        log(f"Samtale {n}.")
    before = AccessLogEntry.objects.count()
    with count_queries() as many:
        response = client.get(f"/youths/{people.youth.pk}/")
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "Samtale 9." in response.content.decode()
    purposes = set(AccessLogEntry.objects.order_by("pk")[before:].values_list("purpose", flat=True))
    assert {"youth-page", "youth-timeline"} <= purposes


def test_youth_page_of_a_youth_out_of_reach_is_not_found(people: Any) -> None:
    response = _client(people.outsider).get(f"/youths/{people.youth.pk}/")
    assert response.status_code == 404


def test_health_notes_stay_hidden_from_nav_without_consent(people: Any) -> None:
    factories.follow(people.health_nurse, people.health, people.youth)
    services.entry_log(
        actor=people.health_nurse,
        youth=people.youth,
        service=people.health,
        occurred_on=timezone.localdate(),
        kind="CONVERSATION",
        category=Category.HEALTH,
        text="Samtale om søvn.",
    )
    assert (
        "Samtale om søvn."
        not in _client(people.nav_advisor).get(f"/youths/{people.youth.pk}/").content.decode()
    )
    assert (
        "Samtale om søvn."
        in _client(people.health_nurse).get(f"/youths/{people.youth.pk}/").content.decode()
    )


@pytest.mark.parametrize(
    ("language", "required"),
    [("nb", "Dette feltet er påkrevd."), ("en", "This field is required.")],
)
def test_an_empty_form_is_a_400_with_field_errors(
    people: Any, language: str, required: str
) -> None:
    response = _client(people.nav_advisor, language).post(f"/youths/{people.youth.pk}/log/", {})
    assert response.status_code == 400
    assert required in response.content.decode()
    assert not FollowUpEntry.objects.exists()


def test_a_refusal_of_the_service_is_shown_at_its_field(people: Any) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _client(people.nav_advisor).post(
        f"/youths/{people.youth.pk}/log/",
        {
            "service": str(people.nav.pk),
            "occurred_on": tomorrow.isoformat(),
            "kind": "CONVERSATION",
            "category": Category.WORK_AND_WELFARE,
            "text": "Fra framtiden.",
        },
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert re.search(r'id="id_occurred_on_error">Datoen kan ikke være fram i tid\.', content)
    assert not FollowUpEntry.objects.exists()


def test_a_stale_version_is_refused_and_nothing_changes(people: Any) -> None:
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    client = _client(people.nav_advisor)
    response = client.post(
        f"/activity-plans/{plan.pk}/approve/", {"version": plan.version + 1}, follow=True
    )
    assert "Noen andre har endret dette i mellomtiden" in response.content.decode()
    assert ActivityPlan.objects.get(pk=plan.pk).approved_at is None
    response = client.post(
        f"/activity-plans/{plan.pk}/approve/", {"version": plan.version}, follow=True
    )
    assert "Aktivitetsplanen er godkjent." in response.content.decode()
    assert ActivityPlan.objects.get(pk=plan.pk).approved_at is not None


def test_consent_recorded_and_withdrawn_on_the_youth_page(people: Any) -> None:
    client = _client(people.ot_counsellor)
    response = client.post(
        f"/youths/{people.youth.pk}/consents/new/",
        {
            "decision": "GIVEN",
            "giver": "SUBJECT",
            "method": "SIGNED_FORM",
            "flow1_from": str(people.ot.pk),
            "flow1_to": str(people.nav.pk),
            "flow1_categories": [Category.EDUCATION],
            "purpose": "OT og NAV samarbeider om skole og arbeid.",
            "agreed_text": "Jeg samtykker.",
        },
    )
    assert response.status_code == 302
    consent = people.youth.consents.get()
    assert consent.is_active()
    # Only the holder opens its records: OT's counsellor records OT's flow, not NAV's.
    assert {(s.category, s.from_party_id, s.to_party_id) for s in consent.scopes.all()} == {
        (Category.GENERAL, people.ot.pk, people.nav.pk),
        (Category.EDUCATION, people.ot.pk, people.nav.pk),
    }
    # How it was withdrawn has no default either: the staff member says it.
    page = client.get(f"/youths/{people.youth.pk}/").content.decode()
    assert f'id="withdraw-method-{consent.pk}"><option value="">Velg</option>' in page
    refused = client.post(
        f"/youths/{people.youth.pk}/consents/{consent.pk}/withdraw/", {}, follow=True
    )
    assert "Velg hvordan samtykket ble trukket tilbake." in refused.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    client.post(f"/youths/{people.youth.pk}/consents/{consent.pk}/withdraw/", {"method": "ORAL"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawal_method == "ORAL"


def test_compliance_page_is_for_nav_staff_and_draws_a_chart(people: Any) -> None:
    assert _client(people.ot_counsellor).get("/reports/youth-guarantee/").status_code == 403
    response = _client(people.manager).get("/reports/youth-guarantee/")
    assert response.status_code == 200
    assert "<svg" not in response.content.decode()  # no figures yet: said in words
    for days, met in [(20, 50), (10, 75)]:
        ComplianceSnapshot.objects.create(
            rule_id="UG-90",
            service=people.nav,
            day=timezone.localdate() - datetime.timedelta(days=days),
            group_size=100,
            met=met,
            target_percent=90,
        )
    content = _client(people.manager).get("/reports/youth-guarantee/").content.decode()
    assert content.count('class="point"') == 2 and 'class="target"' in content
    assert re.search(r'points="[\d.]+,[\d.]+ [\d.]+,[\d.]+"', content)  # no decimal commas
    assert "75,0 %" in content  # the figures in the table, Norwegian style


def test_percent_chart_places_points_on_the_scale() -> None:
    start = datetime.date(2026, 1, 1)
    chart = percent_chart(
        [(start, 0.0), (start + datetime.timedelta(days=10), None), (start.replace(day=21), 100)],
        target=90,
    )
    (x0, y0), (x1, y1) = chart.points  # the day without a figure is left out
    assert (x0, y0) == (chart.left, chart.bottom)
    assert (x1, y1) == (chart.right, chart.top)
    assert chart.target_y == pytest.approx(chart.top + (chart.bottom - chart.top) * 0.1)


def test_access_log_page_is_for_the_privacy_officer(people: Any) -> None:
    _client(people.nav_advisor).get(f"/youths/{people.youth.pk}/")
    assert _client(people.nav_advisor).get("/access-log/").status_code == 403
    response = _client(people.privacy_officer).get("/access-log/?actor=ingrid.nav")
    content = response.content.decode()
    assert response.status_code == 200 and "Ungdommens side" in content
    assert people.youth.first_name not in content  # by id, until a search names the youth
    response = _client(people.privacy_officer).get("/access-log/?after=ikke-en-dato")
    assert "Oppgi en gyldig dato." in response.content.decode()


def test_a_handover_is_answered_from_the_inbox(people: Any) -> None:
    period = people.youth.periods.get(service=people.nav)
    handover = services.handover_offer(
        actor=people.nav_advisor, period=period, to_service=people.school, message="Til skolen."
    )
    client = _client(people.school_counsellor)
    assert "Til skolen." in client.get("/referrals/").content.decode()
    response = client.post(f"/handovers/{handover.pk}/answer/", {"answer": "decline"}, follow=True)
    assert "Skriv hvorfor dere avslår stafetten." in response.content.decode()
    handover.refresh_from_db()
    assert handover.state == "PENDING"
    response = client.post(f"/handovers/{handover.pk}/answer/", {"answer": "accept"}, follow=True)
    assert "Du har tatt imot ansvaret." in response.content.decode()
    handover.refresh_from_db()
    assert handover.state == "ACCEPTED"


def test_changing_an_activity_shows_it_and_logs_the_look(people: Any) -> None:
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    activity = derived(
        services.activity_add(
            actor=people.nav_advisor, plan=plan, type="EGEN", title="Søke jobb i butikk"
        )
    )
    client = _client(people.nav_advisor)
    response = client.get(f"/activities/{activity.pk}/edit/")
    assert 'value="Søke jobb i butikk"' in response.content.decode()
    look = AccessLogEntry.objects.filter(purpose="activity-edit").get()
    assert look.items == [
        {"type": "activity", "id": str(activity.pk), "category": activity.category, "basis": "own"}
    ]
    data = {
        "type": "EGEN",
        "title": "Søke jobb i butikk",
        "status": "GJENNOMFORES",
        "version": activity.version,
    }
    assert client.post(f"/activities/{activity.pk}/edit/", data).status_code == 302
    activity.refresh_from_db()
    assert activity.status == "GJENNOMFORES"
    assert client.post(f"/activities/{activity.pk}/edit/", data).status_code == 400  # stale
    assert _client(people.ot_counsellor).get(f"/activities/{activity.pk}/edit/").status_code == 404


def test_the_menu_shows_each_role_only_the_pages_it_may_open(people: Any) -> None:
    advisor = _client(people.nav_advisor).get("/day/").content.decode()
    assert "/reports/youth-guarantee/" in advisor and "/access-log/" not in advisor
    officer = _client(people.privacy_officer).get("/access-log/").content.decode()
    assert "/access-log/" in officer
    assert "/reports/youth-guarantee/" not in officer and "/day/" not in officer
    counsellor = _client(people.ot_counsellor).get("/day/").content.decode()
    assert "/reports/youth-guarantee/" not in counsellor


def test_my_day_lists_my_deadlines_and_referrals_waiting(people: Any) -> None:
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    derived(
        services.activity_add(
            actor=people.nav_advisor,
            plan=plan,
            type="EGEN",
            title="Levere CV",
            deadline=timezone.localdate() + datetime.timedelta(days=3),
        )
    )
    youth = derived(factories.register_youth(people.ot_counsellor, people.ot, first_name="Jonas"))
    derived(factories.ot_refers_to_nav(people, youth))
    content = _client(people.nav_advisor).get("/day/").content.decode()
    mine = content.split('id="deadlines-heading"')[1].split("</section>")[0]
    assert "Emma Hansen" in mine  # the activity's deadline (or the plan's) is mine
    waiting = content.split('id="referrals-heading"')[1].split("</section>")[0]
    assert "Jonas Hansen" in waiting
    assert AccessLogEntry.objects.filter(purpose="day-referrals", subject=youth).exists()


@pytest.mark.parametrize("field", ["start", "end"])
def test_compliance_page_refuses_a_period_at_the_calendars_ends(people: Any, field: str) -> None:
    client = _client(people.manager)
    for day in ("0001-01-01", "9999-12-31"):
        query = {"service": str(people.nav.pk), "start": "2026-01-01", "end": "2026-06-30"}
        query[field] = day
        response = client.get("/reports/youth-guarantee/", query)
        assert response.status_code == 400  # the form again, with the error on the field
        assert "Datoen er for langt" in response.content.decode()
