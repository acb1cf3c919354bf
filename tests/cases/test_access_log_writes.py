"""What the access log records beyond plain reads: refused attempts on records of a youth that
exists (outliving the 404), what write answers show, the admin's looks, and who granted a
membership. The walk over every route is ``tests/test_access_log_completeness.py``; these pin
the rows' content and the queries each path costs."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cases import services
from cases.models import StaffRole
from consent.models import AccessLogEntry
from tests import factories


def _entry(people: Any) -> Any:
    return factories.log_entry(people, people.nav_advisor, people.nav, "WORK_AND_WELFARE")


def _rows(**filters: Any) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(**filters).order_by("pk"))


def test_a_refused_read_of_an_entry_is_logged_against_its_youth(
    people: Any, client_for: Any, count_queries: Any
) -> None:
    entry = _entry(people)
    api = client_for(people.outsider)
    with count_queries() as queries:
        assert api.get(f"/api/v1/entries/{entry.pk}/").status_code == 404
    # The viewer's memberships, the entry through the gate, the entry's youth, the refused row.
    assert len(queries) == 4
    (row,) = _rows(actor=people.outsider)
    assert (row.subject_id, row.granted, row.purpose) == (people.youth.pk, False, "entry")
    assert row.party_id == people.elsewhere.pk  # the outsider's service
    assert row.items == [] and row.categories == []


def test_an_unknown_record_is_refused_without_a_row(people: Any, client_for: Any) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for url in (f"/api/v1/entries/{missing}/", f"/api/v1/referrals/{missing}/"):
        assert client_for(people.outsider).get(url).status_code == 404
    assert _rows() == []


def test_refused_attempts_on_referrals_plans_and_entries_name_what_was_tried(
    people: Any, client_for: Any
) -> None:
    entry = _entry(people)
    referral = factories.send_referral(people, people.school)
    api = client_for(people.outsider)
    for url, body in [
        (f"/api/v1/entries/{entry.pk}/delete/", {"reason": "Feil"}),
        (f"/api/v1/referrals/{referral.pk}/accept/", {"version": 1}),
    ]:
        assert api.post(url, body, format="json").status_code == 404
    assert [r.purpose for r in _rows(actor=people.outsider, granted=False)] == [
        "entry-delete",
        "referral-accept",
    ]


def test_a_written_entry_is_logged_as_what_the_answer_shows(people: Any, client_for: Any) -> None:
    response = client_for(people.nav_advisor).post(
        f"/api/v1/youths/{people.youth.pk}/entries/",
        {
            "service": str(people.nav.pk),
            "occurred_on": str(timezone.localdate()),
            "kind": "PHONE",
            "category": "WORK_AND_WELFARE",
            "text": "Ringte",
        },
        format="json",
    )
    assert response.status_code == 201
    (row,) = _rows(actor=people.nav_advisor, purpose="entry-log")
    assert row.granted and row.party_id == people.nav.pk
    assert row.items == [
        {
            "type": "entry",
            "id": response.json()["id"],
            "category": "WORK_AND_WELFARE",
            "basis": "own",
        }
    ]


def test_a_write_answer_adds_one_statement_to_the_write(
    people: Any, client_for: Any, count_queries: Any
) -> None:
    """Sending a referral: its answer's row is one INSERT after the write."""
    api = client_for(people.nav_advisor)
    body = {
        "youth": str(people.youth.pk),
        "from_service": str(people.nav.pk),
        "to_service": str(people.health.pk),
        "reason_code": "OTHER",
        "reason": "Behov for helsehjelp",
        "message": "Ungdommen ønsker time",
    }
    with count_queries() as queries:
        assert api.post("/api/v1/referrals/", body, format="json").status_code == 201
    inserts = [q["sql"] for q in queries if "consent_accesslogentry" in q["sql"]]
    assert len(inserts) == 1 and "INSERT INTO" in inserts[0]
    (row,) = _rows(actor=people.nav_advisor, purpose="referral-send")
    assert row.items[0]["type"] == "referral"


def test_a_refused_look_at_min_side_is_logged(people: Any) -> None:
    client = Client()
    client.force_login(people.outsider)
    assert client.get(f"/me/{people.youth.pk}/").status_code == 404
    (row,) = _rows(actor=people.outsider)
    assert (row.subject_id, row.granted, row.purpose) == (people.youth.pk, False, "portal")


@pytest.fixture
def admin_user(people: Any) -> Any:
    user = factories.make_staff(
        people.nav, StaffRole.MANAGER, username="superbruker", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(user)
    return user, client


def test_the_admin_youth_page_logs_the_identity_number_guardians_and_periods(
    people: Any, admin_user: Any
) -> None:
    user, client = admin_user
    guardian = services.guardian_add(
        actor=people.nav_advisor,
        youth=people.youth,
        full_name="Kari Hansen",
        relation="PARENT",
        has_parental_responsibility=False,
    )
    page = client.get(f"/admin/cases/youth/{people.youth.pk}/change/")
    assert page.status_code == 200 and people.youth.national_id in page.content.decode()
    (row,) = _rows(actor=user)
    assert (row.subject_id, row.granted, row.purpose) == (people.youth.pk, True, "admin-youth")
    nav_period = people.youth.periods.get(service=people.nav)
    assert row.items == [
        {"type": "guardian", "id": str(guardian.pk), "category": "GENERAL", "basis": "general"},
        {
            "type": "period",
            "id": str(nav_period.pk),
            "category": "WORK_AND_WELFARE",
            "basis": "own",
        },
    ]


def test_the_admin_lookup_refused_is_logged(people: Any) -> None:
    user = factories.make_staff(people.elsewhere, username="rot", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    response = client.post("/admin/cases/youth/lookup/", {"national_id": people.youth.national_id})
    assert "Fant ingen ungdom" in response.content.decode()
    (row,) = _rows(actor=user)
    assert (row.subject_id, row.granted, row.purpose) == (people.youth.pk, False, "youth-lookup")


@pytest.mark.parametrize("url", ["/admin/cases/youth/", "/admin/cases/followupentry/"])
def test_an_admin_list_logs_in_one_statement_however_many_youths(
    people: Any, admin_user: Any, count_queries: Any, url: str
) -> None:
    user, client = admin_user

    def queries_for_the_list() -> int:
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def youths(n: int) -> None:
        for i in range(n):
            youth = factories.register_youth(people.nav_advisor, people.nav, first_name=f"Ung{i}")
            factories.log_entry(people, people.nav_advisor, people.nav, "GENERAL")
            services.entry_log(
                actor=people.nav_advisor,
                youth=youth,
                service=people.nav,
                occurred_on=timezone.localdate(),
                kind="NOTE",
                category="WORK_AND_WELFARE",
                text="Notat",
            )

    youths(2)
    few = queries_for_the_list()
    youths(27)
    before = AccessLogEntry.objects.filter(actor=user).count()
    many = queries_for_the_list()
    assert few == many
    # One row per youth on the page: the fixture's youth and the 29 registered.
    assert AccessLogEntry.objects.filter(actor=user).count() - before == 30
