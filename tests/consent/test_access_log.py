"""The access log: one row per look at a subject's information, never changed or removed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from consent import admin as consent_admin
from consent.categories import Category
from consent.models import AccessLogEntry
from consent.services import Access, access_log_record


def look(people: Any, **extra: Any) -> Access:
    values = {
        "subject_id": people.youth.pk,
        "granted": True,
        "purpose": "test.timeline",
        "party_id": people.nav.pk,
        "role": "CASEWORKER",
    }
    return Access(**{**values, **extra})


def test_each_access_is_one_row_with_its_categories_and_bases_once_and_sorted(
    people: Any,
) -> None:
    access_log_record(
        actor=people.nav_advisor,
        accesses=[
            look(
                people,
                categories=[Category.HEALTH, Category.GENERAL, Category.HEALTH],
                items=[{"type": "entry", "id": "e1"}],
                bases=["legal:oppl-9-4", "consent:c1", "legal:oppl-9-4"],
            ),
            look(people, granted=False, party_id=None, role=""),
        ],
    )

    rows = AccessLogEntry.objects.filter(purpose="test.timeline").order_by("id")
    assert [(r.actor, r.actor_name, r.party_id, r.role, r.subject_id, r.granted) for r in rows] == [
        (
            people.nav_advisor,
            people.nav_advisor.get_full_name(),
            people.nav.pk,
            "CASEWORKER",
            people.youth.pk,
            True,
        ),
        (people.nav_advisor, people.nav_advisor.get_full_name(), None, "", people.youth.pk, False),
    ]
    assert (rows[0].categories, rows[0].bases, rows[0].items) == (
        [Category.GENERAL, Category.HEALTH],
        ["consent:c1", "legal:oppl-9-4"],
        [{"type": "entry", "id": "e1"}],
    )
    assert (rows[1].categories, rows[1].bases, rows[1].items) == ([], [], [])


def test_no_accesses_write_no_rows(people: Any) -> None:
    before = AccessLogEntry.objects.count()

    access_log_record(actor=people.nav_advisor, accesses=[])

    assert AccessLogEntry.objects.count() == before


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)
def test_the_database_refuses_to_change_or_remove_a_log_row(people: Any) -> None:
    access_log_record(actor=people.nav_advisor, accesses=[look(people)])
    row = AccessLogEntry.objects.get(purpose="test.timeline")

    for attempt in (
        lambda: AccessLogEntry.objects.filter(pk=row.pk).update(granted=False),
        lambda: AccessLogEntry.objects.filter(pk=row.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()

    row.refresh_from_db()
    assert row.granted is True


def test_the_admin_neither_adds_changes_nor_deletes_log_rows(people: Any) -> None:
    access_log_record(actor=people.nav_advisor, accesses=[look(people)])
    row = AccessLogEntry.objects.get(purpose="test.timeline")
    request = RequestFactory().get("/admin/consent/accesslogentry/")
    request.user = people.nav_admin
    model_admin = consent_admin.AccessLogEntryAdmin(AccessLogEntry, admin.site)

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, row)
    assert not model_admin.has_delete_permission(request, row)


def test_the_log_shows_in_the_admin_only_for_subjects_the_registering_app_lets_reach(
    people: Any,
) -> None:
    """Until the app that owns the access gate says whom a user reaches, nobody reaches anyone."""
    access_log_record(actor=people.nav_advisor, accesses=[look(people)])
    request = RequestFactory().get("/admin/consent/accesslogentry/")
    request.user = people.nav_advisor

    unregistered = consent_admin.AccessLogEntryAdmin(AccessLogEntry, admin.site)

    assert not unregistered.get_queryset(request).exists()
    assert admin.site.get_model_admin(AccessLogEntry).get_queryset(request).exists()
