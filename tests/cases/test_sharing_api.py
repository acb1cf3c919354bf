"""Consent-bound sharing through the API: access log, timeline, referrals, entries, consents."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from cases import services, workdays
from cases.models import FollowUpEntry, FollowUpPeriod, GuardianRelation, Youth
from consent.models import AccessLogEntry
from consent.services import Flow
from tests import factories

TODAY = str(datetime.date.today())


def _entry(api: Any, people: Any, service: Any, category: str, text: str) -> Any:
    response = api.post(
        f"/api/v1/youths/{people.youth.pk}/entries/",
        {
            "service": str(service.pk),
            "occurred_on": TODAY,
            "kind": "CONVERSATION",
            "category": category,
            "text": text,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


_send_referral = factories.send_referral


def _consent_body(people: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "decision": "GIVEN",
        "giver": "SUBJECT",
        "purpose_code": "SAMARBEID",
        "purpose": "Samarbeid om oppfølging",
        "method": "DIGITAL",
        "agreed_text": "Jeg samtykker til deling.",
        "flows": [
            {
                "from_service": str(people.nav.pk),
                "to_kind": "OT",
                "kind_reason": "OT i fylket ungdommen bor i",
                "categories": ["HEALTH"],
            }
        ],
    }
    body.update(overrides)
    return body


def _health_to_nav(people: Any) -> dict[str, Any]:
    """Health's own consent: the youth lets health share health notes with NAV."""
    flow = {
        "from_service": str(people.health.pk),
        "to_service": str(people.nav.pk),
        "categories": ["HEALTH"],
    }
    return _consent_body(people, flows=[flow])


def _timeline_texts(api: Any, people: Any) -> set[str]:
    rows = api.get(f"/api/v1/youths/{people.youth.pk}/timeline/").json()["results"]
    return {row["text"] for row in rows if row["type"] == "entry"}


def test_every_read_is_logged_with_service_role_and_basis(people: Any, client_for: Any) -> None:
    client_for(people.nav_advisor).get(f"/api/v1/youths/{people.youth.pk}/")
    entry = AccessLogEntry.objects.get()
    assert (entry.actor, entry.party, entry.role) == (people.nav_advisor, people.nav, "CASEWORKER")
    assert (entry.subject_id, entry.granted, entry.purpose) == (people.youth.pk, True, "youth")
    assert entry.categories == ["GENERAL"] and entry.bases == ["general"]


def test_the_record_returned_after_an_edit_is_logged_as_a_read(
    people: Any, client_for: Any
) -> None:
    client_for(people.nav_advisor).patch(
        f"/api/v1/youths/{people.youth.pk}/", {"phone": "41234567", "version": 1}, format="json"
    )
    assert AccessLogEntry.objects.get().purpose == "youth-update"


def test_denied_attempts_are_logged(people: Any, client_for: Any) -> None:
    assert (
        client_for(people.outsider).get(f"/api/v1/youths/{people.youth.pk}/timeline/").status_code
        == 404
    )
    entry = AccessLogEntry.objects.get()
    assert (entry.actor, entry.granted, entry.purpose) == (people.outsider, False, "youth-timeline")


def test_the_caseload_logs_one_row_per_youth_shown(people: Any, client_for: Any) -> None:
    factories.register_youth(people.nav_advisor, people.nav, first_name="Ali")
    client_for(people.nav_advisor).get("/api/v1/youths/")
    assert AccessLogEntry.objects.filter(purpose="caseload", granted=True).count() == 2


def test_health_notes_follow_consent_withdrawal_at_once(people: Any, client_for: Any) -> None:
    factories.follow(people.health_nurse, people.health, people.youth)
    _entry(client_for(people.health_nurse), people, people.health, "HEALTH", "helsenotat")
    nav = client_for(people.nav_advisor)
    assert "helsenotat" not in _timeline_texts(nav, people)
    consent = client_for(people.health_nurse).post(
        f"/api/v1/youths/{people.youth.pk}/consents/", _health_to_nav(people), format="json"
    )
    assert consent.status_code == 201, consent.json()
    nav = client_for(people.nav_advisor)
    assert "helsenotat" in _timeline_texts(nav, people)
    logged = AccessLogEntry.objects.filter(purpose="youth-timeline").latest("at")
    assert f"consent:{consent.json()['id']}" in logged.bases and "HEALTH" in logged.categories
    withdrawn = client_for(people.health_nurse).post(
        f"/api/v1/consents/{consent.json()['id']}/withdraw/", {"method": "DIGITAL"}, format="json"
    )
    assert withdrawn.status_code == 200
    nav = client_for(people.nav_advisor)
    assert "helsenotat" not in _timeline_texts(nav, people)
    assert (
        client_for(people.nav_advisor)
        .get(f"/api/v1/entries/{FollowUpEntry.objects.get().pk}/")
        .status_code
        == 404
    )


def test_timeline_pages_with_a_cursor_and_fixed_queries(
    people: Any, client_for: Any, count_queries: Any
) -> None:
    api = client_for(people.nav_advisor)
    for i in range(3):
        _entry(api, people, people.nav, "WORK_AND_WELFARE", f"notat {i}")
    url = f"/api/v1/youths/{people.youth.pk}/timeline/"
    with count_queries() as small:
        api.get(url)
    for i in range(27):
        _entry(api, people, people.nav, "WORK_AND_WELFARE", f"notat {i + 3}")
    with count_queries() as large:
        first = api.get(url, {"page_size": 20}).json()
    assert len(small) == len(large)
    second = api.get(url, {"page_size": 20, "cursor": first["next"]}).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 32  # 30 entries and 2 periods
    assert second["next"] is None
    assert api.get(url, {"cursor": "tull"}).status_code == 400
    import base64

    for forged in ("2027-01-05|2027-01-05T12:00:00+00:00|tull", "2027-01-05|2027-01-05T12:00|"):
        cursor = base64.urlsafe_b64encode(forged.encode()).decode()
        assert api.get(url, {"cursor": cursor}).status_code == 400, forged


def test_referral_refuses_what_no_consent_covers_and_names_it(people: Any, client_for: Any) -> None:
    body = {
        "youth": str(people.youth.pk),
        "from_service": str(people.ot.pk),
        "to_service": str(people.school.pk),
        "reason_code": "OT_DROPPED_OUT",
        "message": "Ønsker å begynne igjen",
        "categories": ["HEALTH", "EDUCATION"],
    }
    api = client_for(people.ot_counsellor)
    refused = api.post("/api/v1/referrals/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "not_covered"
    assert "Helse" in refused.json()["error"]["message"]
    body["categories"] = ["EDUCATION"]
    refused_too = api.post("/api/v1/referrals/", body, format="json")
    assert refused_too.json()["error"]["code"] == "not_covered"  # OT → school needs consent


def test_a_referral_travels_sent_received_accepted(people: Any, client_for: Any) -> None:
    services.consent_give(
        actor=people.ot_counsellor,
        youth=people.youth,
        decision="GIVEN",
        giver="SUBJECT",
        purpose_code="HENVISNING",
        purpose="Henvisning til skole",
        method="ORAL",
        agreed_text="Muntlig samtykke",
        flows=[
            Flow(
                categories=["EDUCATION"],
                from_party=people.ot,
                to_kind="SCHOOL",
                kind_reason="Skolen ungdommen henvises til",
            )
        ],
    )
    ot = client_for(people.ot_counsellor)
    sent = ot.post(
        "/api/v1/referrals/",
        {
            "youth": str(people.youth.pk),
            "from_service": str(people.ot.pk),
            "to_service": str(people.school.pk),
            "reason_code": "OT_DROPPED_OUT",
            "message": "Ønsker å begynne igjen",
            "categories": ["EDUCATION"],
        },
        format="json",
    ).json()
    assert sent["state"] == "SENT"
    assert sent["respond_by"] == str(workdays.add_working_days(timezone.localdate(), 10))
    school = client_for(people.school_counsellor)
    inbox = school.get("/api/v1/referrals/", {"box": "inbox"}).json()["results"]
    assert [r["id"] for r in inbox] == [sent["id"]]
    opened = school.get(f"/api/v1/referrals/{sent['id']}/").json()
    assert opened["state"] == "RECEIVED"
    stale = school.post(f"/api/v1/referrals/{sent['id']}/accept/", {"version": 1}, format="json")
    assert stale.status_code == 409
    accepted = school.post(f"/api/v1/referrals/{sent['id']}/accept/", {"version": 2}, format="json")
    assert accepted.json()["state"] == "ACCEPTED"
    assert FollowUpPeriod.objects.filter(
        youth=people.youth, service=people.school, ended_on__isnull=True
    ).exists()
    again = client_for(people.ot_counsellor).post(
        f"/api/v1/referrals/{sent['id']}/withdraw/", {"version": 3}, format="json"
    )
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_state"


def test_a_declined_referral_goes_back_and_can_be_rerouted(people: Any, client_for: Any) -> None:
    referral = services.referral_send(
        actor=people.nav_advisor,
        youth=people.youth,
        from_service=people.nav,
        to_service=people.health,
        reason_code="OTHER",
        reason="Trenger helsehjelp",
        message="Ta kontakt",
        categories=[],
    )
    services.referral_decline(
        actor=people.health_nurse, referral=referral, version=1, reason="Ikke vår målgruppe"
    )
    outbox = client_for(people.nav_advisor).get(
        "/api/v1/referrals/", {"box": "outbox", "state": "DECLINED"}
    )
    assert outbox.json()["results"][0]["decline_reason"] == "Ikke vår målgruppe"
    new = client_for(people.nav_advisor).post(
        f"/api/v1/referrals/{referral.pk}/reroute/",
        {"version": 2, "to_service": str(people.child_welfare.pk)},
        format="json",
    )
    assert new.status_code == 201
    referral.refresh_from_db()
    assert referral.state == "CLOSED" and str(referral.rerouted_to_id) == new.json()["id"]


def test_overdue_referrals_are_flagged(people: Any, client_for: Any) -> None:
    referral = services.referral_send(
        actor=people.nav_advisor,
        youth=people.youth,
        from_service=people.nav,
        to_service=people.health,
        reason_code="OTHER",
        reason="Trenger helsehjelp",
        message="Ta kontakt",
        categories=[],
    )
    type(referral).objects.filter(pk=referral.pk).update(
        respond_by=timezone.localdate() - datetime.timedelta(days=1)
    )
    rows = (
        client_for(people.nav_advisor)
        .get("/api/v1/referrals/", {"box": "outbox", "overdue": "true"})
        .json()
    )
    assert rows["count"] == 1 and rows["results"][0]["overdue"] is True


def test_entries_freeze_after_24_hours_and_corrections_point_back(
    people: Any, client_for: Any
) -> None:
    api = client_for(people.nav_advisor)
    entry = _entry(api, people, people.nav, "WORK_AND_WELFARE", "først")
    assert (
        api.patch(
            f"/api/v1/entries/{entry['id']}/", {"text": "rettet", "version": 1}, format="json"
        ).status_code
        == 200
    )
    FollowUpEntry.objects.filter(pk=entry["id"]).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    locked = api.patch(
        f"/api/v1/entries/{entry['id']}/", {"text": "igjen", "version": 2}, format="json"
    )
    assert locked.status_code == 400 and locked.json()["error"]["code"] == "entry_locked"
    correction = api.post(
        f"/api/v1/youths/{people.youth.pk}/entries/",
        {
            "service": str(people.nav.pk),
            "occurred_on": TODAY,
            "kind": "NOTE",
            "category": "WORK_AND_WELFARE",
            "text": "retting",
            "corrects": entry["id"],
        },
        format="json",
    )
    assert correction.status_code == 201 and correction.json()["corrects"] == entry["id"]
    deleted = api.post(
        f"/api/v1/entries/{entry['id']}/delete/", {"reason": "Feil ungdom"}, format="json"
    )
    assert deleted.status_code == 204
    assert FollowUpEntry.objects.get(pk=entry["id"]).deletion_reason == "Feil ungdom"
    assert api.get(f"/api/v1/entries/{entry['id']}/").status_code == 404


@pytest.mark.parametrize(
    ("years", "giver", "categories", "code"),
    [
        (19, "GUARDIANS", ["EDUCATION"], "youth_must_consent"),
        (14, "SUBJECT", ["EDUCATION"], "guardians_must_consent"),
        (15, "SUBJECT", ["HEALTH"], "guardians_must_consent"),  # health: the youth alone from 16
        (16, "SUBJECT", ["HEALTH"], None),
        (15, "SUBJECT", ["EDUCATION"], None),  # CONSENT_SUBJECT_AGE defaults to 15
    ],
)
def test_who_may_consent_follows_the_age_rules(
    people: Any, client_for: Any, years: int, giver: str, categories: list[str], code: str | None
) -> None:
    youth = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(years)
    )
    services.guardian_add(
        actor=people.nav_advisor,
        youth=youth,
        full_name="Kari Hansen",
        relation=GuardianRelation.PARENT,
        has_parental_responsibility=True,
    )
    body = _consent_body(people, giver=giver)
    body["flows"][0]["categories"] = categories
    response = client_for(people.nav_advisor).post(
        f"/api/v1/youths/{youth.pk}/consents/", body, format="json"
    )
    if code is None:
        assert response.status_code == 201, response.json()
    else:
        assert response.status_code == 400
        assert response.json()["error"]["code"] == code


def test_privacy_officer_reads_the_access_log_of_their_service(
    people: Any, client_for: Any
) -> None:
    client_for(people.nav_advisor).get(f"/api/v1/youths/{people.youth.pk}/")
    client_for(people.ot_counsellor).get(f"/api/v1/youths/{people.youth.pk}/")
    rows = (
        client_for(people.privacy_officer)
        .get("/api/v1/access-log/", {"youth": str(people.youth.pk)})
        .json()
    )
    assert [r["actor_name"] for r in rows["results"]] == [people.nav_advisor.get_full_name()]
    assert client_for(people.nav_advisor).get("/api/v1/access-log/").status_code == 403


def test_the_access_log_cannot_be_altered(people: Any, client_for: Any) -> None:
    client_for(people.nav_advisor).get(f"/api/v1/youths/{people.youth.pk}/")
    for change in (
        lambda: AccessLogEntry.objects.update(granted=False),
        lambda: AccessLogEntry.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert AccessLogEntry.objects.get().granted is True


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_logged_read_does_not_wait_for_someone_editing_the_youth(
    people: Any, client_for: Any
) -> None:
    """The access log's references lock nothing: with a foreign-key check, the
    log row would take a key-share lock on the youth and wait for whoever holds its row."""
    from tests.connections import second_connection

    with second_connection() as editor:
        editor.execute("SELECT 1 FROM cases_youth WHERE id = %s FOR UPDATE", [people.youth.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            response = client_for(people.nav_advisor).get(f"/api/v1/youths/{people.youth.pk}/")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        editor.rollback()
    assert response.status_code == 200
    assert AccessLogEntry.objects.filter(subject=people.youth, purpose="youth").count() == 1


def test_a_youth_with_access_log_rows_cannot_be_deleted(people: Any) -> None:
    """Without a database constraint, ``PROTECT`` still keeps the log's subject."""
    from django.db.models import ProtectedError

    from consent.services import Access, access_log_record

    born = factories.years_ago(19)
    youth = Youth.objects.create(
        national_id=factories.synthetic_number(born),
        first_name="Ola",
        last_name="Nordmann",
        birth_date=born,
        municipality_number="4003",
    )
    access_log_record(
        actor=people.nav_advisor,
        accesses=[Access(subject_id=youth.pk, granted=False, purpose="youth")],
    )
    with pytest.raises(ProtectedError) as refused:
        youth.delete()
    assert {type(row) for row in refused.value.protected_objects} == {AccessLogEntry}


def test_working_days_skip_weekends_and_easter() -> None:
    assert workdays.easter_sunday(2027) == datetime.date(2027, 3, 28)
    # Wednesday 24 March 2027 + 2 working days: Thu 25 and Fri 26 are Maundy Thursday and Good
    # Friday, Monday 29 is Easter Monday.
    assert workdays.add_working_days(datetime.date(2027, 3, 24), 2) == datetime.date(2027, 3, 31)


def _moment(value: Any) -> str | None:
    """A time stamp as the API writes it: ISO 8601 in Norway's time."""
    return timezone.localtime(value).isoformat() if value is not None else None


def test_a_referral_row_shows_the_referral_and_whom_it_names(
    people: Any, count_queries: Any
) -> None:
    """The outbox's rows: each referral's own fields, overdue against today, and the youth,
    services and sender it names, as the referral itself serializes; the page and its total in
    one query, nothing read after."""
    from cases import access, selectors
    from cases.api import referral_serializers as s
    from cases.models import Referral
    from cases.paging import WindowCountPaginator

    waiting = _send_referral(people, people.health)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Referral.objects.filter(pk=waiting.pk).update(respond_by=yesterday)
    declined = _send_referral(people, people.child_welfare)
    services.referral_decline(
        actor=people.cw_caseworker, referral=declined, version=1, reason="Ikke oss"
    )
    rerouted = services.referral_reroute(
        actor=people.nav_advisor, referral=declined, version=2, to_service=people.school
    )
    outbox = selectors.referral_list(viewer=access.viewer_for(people.nav_advisor), box="outbox")
    with count_queries() as captured:
        page = WindowCountPaginator(outbox, 2).page(1)
        rows = s.ReferralSerializer(page, many=True).data
    assert len(captured) == 1 and page.paginator.count == 3
    assert [row["id"] for row in rows] == [str(rerouted.pk), str(declined.pk)]  # newest first
    declined.refresh_from_db()
    youth = people.youth
    assert rows[1] == {
        "id": str(declined.pk),
        "youth": {
            "id": str(youth.pk),
            "first_name": "Emma",
            "last_name": "Hansen",
            "birth_date": youth.birth_date.isoformat(),
        },
        "from_service": {"id": str(people.nav.pk), "kind": "NAV", "name": "NAV Skien"},
        "to_service": {
            "id": str(people.child_welfare.pk),
            "kind": "CHILD_WELFARE",
            "name": "Barnevernet i Skien",
        },
        "sent_by": {"username": "ingrid.nav", "name": people.nav_advisor.get_full_name()},
        "reason_code": "OTHER",
        "reason": "Trenger hjelp",
        "message": "Ta kontakt",
        "categories": ["GENERAL"],
        "respond_by": declined.respond_by.isoformat(),
        "overdue": False,
        "state": "CLOSED",
        "sent_at": _moment(declined.sent_at),
        "received_at": None,
        "answered_at": _moment(declined.answered_at),
        "decline_reason": "Ikke oss",
        "period": None,
        "rerouted_to": str(rerouted.pk),
        "closed_at": _moment(declined.closed_at),
        "version": 3,
    }
    [late] = s.ReferralSerializer(WindowCountPaginator(outbox, 1).page(3), many=True).data
    assert (late["id"], late["overdue"], late["respond_by"]) == (
        str(waiting.pk),
        True,
        yesterday.isoformat(),
    )
    for referral in Referral.objects.select_related(
        "youth", "from_service", "to_service", "sent_by"
    ):
        [row] = [r for r in outbox if r["id"] == referral.pk]
        assert s.ReferralSerializer(row).data == s.ReferralSerializer(referral).data


def test_a_timeline_row_shows_each_kind_of_item(people: Any, client_for: Any) -> None:
    """What a timeline row shows of an entry, a referral, a period and a consent (a referral's
    message to the two services in it; a consent names no service)."""
    from cases.models import Referral
    from consent.models import Consent

    api = client_for(people.nav_advisor)
    entry = _entry(api, people, people.nav, "WORK_AND_WELFARE", "Samtale om skole")
    referral = _send_referral(people, people.health)
    consent = api.post(
        f"/api/v1/youths/{people.youth.pk}/consents/", _consent_body(people), format="json"
    ).json()
    rows = {
        row["type"]: row
        for row in api.get(f"/api/v1/youths/{people.youth.pk}/timeline/").json()["results"]
    }
    nav = {"id": str(people.nav.pk), "kind": "NAV", "name": "NAV Skien"}
    assert rows["entry"] == {
        "type": "entry",
        "id": entry["id"],
        "day": entry["occurred_on"],
        "at": entry["created_at"],
        "category": "WORK_AND_WELFARE",
        "basis": "own",
        "disclosed": False,
        "service": nav,
        "summary": "Samtale",
        "text": "Samtale om skole",
    }
    sent = Referral.objects.get(pk=referral.pk).sent_at
    assert rows["referral"] == {
        "type": "referral",
        "id": str(referral.pk),
        "day": timezone.localdate(sent).isoformat(),
        "at": _moment(sent),
        # A referral to a health service is health information, NAV's own as its sender.
        "category": "HEALTH",
        "basis": "own",
        "disclosed": False,
        "service": nav,
        "summary": "NAV Skien → Helsestasjon for ungdom Skien: Sendt",
        "text": "Ta kontakt",
    }
    given = Consent.objects.get(pk=consent["id"]).valid_from
    assert rows["consent"] == {
        "type": "consent",
        "id": consent["id"],
        "day": timezone.localdate(given).isoformat(),
        "at": _moment(given),
        "category": "GENERAL",
        "basis": "general",
        "disclosed": False,
        "service": None,
        "summary": "Samtykke gitt",
        "text": "Samarbeid om oppfølging",
    }
    period = FollowUpPeriod.objects.get(youth=people.youth, service=people.nav)
    periods = [
        r
        for r in api.get(f"/api/v1/youths/{people.youth.pk}/timeline/").json()["results"]
        if r["type"] == "period"
    ]
    assert {
        "type": "period",
        "id": str(period.pk),
        "day": period.started_on.isoformat(),
        "at": _moment(period.created_at),
        "category": "GENERAL",
        "basis": "own",
        "disclosed": False,
        "service": nav,
        "summary": period.reason,
        "text": "",
    } in periods
    assert "Ta kontakt" not in {
        r["text"]
        for r in client_for(people.ot_counsellor)
        .get(f"/api/v1/youths/{people.youth.pk}/timeline/")
        .json()["results"]
    }
