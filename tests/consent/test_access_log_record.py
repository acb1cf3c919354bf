"""Recording accesses: one access-log row per subject, written in one INSERT."""

from __future__ import annotations

from typing import Any

from consent.models import AccessLogEntry
from consent.services import Access, access_log_record


def test_each_access_is_one_row_with_who_where_what_and_on_which_basis(
    people: Any, django_assert_num_queries: Any
) -> None:
    item = {"type": "entry", "id": "e1", "category": "HEALTH", "basis": "consent:c1"}
    with django_assert_num_queries(1):
        access_log_record(
            actor=people.nav_advisor,
            accesses=[
                Access(
                    subject_id=people.youth.pk,
                    granted=True,
                    purpose="timeline",
                    party_id=people.nav.pk,
                    role="CASEWORKER",
                    categories=["HEALTH", "GENERAL", "HEALTH"],
                    items=[item],
                    bases=["general", "consent:c1", "general"],
                ),
                Access(subject_id=people.youth.pk, granted=False, purpose="youth"),
            ],
        )
    rows = AccessLogEntry.objects.order_by("id").values_list(
        *("actor", "actor_name", "party", "role", "subject", "purpose", "granted"),
        *("categories", "items", "bases"),
    )
    name = people.nav_advisor.get_full_name() or people.nav_advisor.get_username()
    advisor, youth = people.nav_advisor.pk, people.youth.pk
    seen = (["GENERAL", "HEALTH"], [item], ["consent:c1", "general"])
    assert list(rows) == [
        (advisor, name, people.nav.pk, "CASEWORKER", youth, "timeline", True, *seen),
        (advisor, name, None, "", youth, "youth", False, [], [], []),
    ]
    assert len(set(AccessLogEntry.objects.values_list("at", flat=True))) == 1


def test_without_an_actor_the_row_has_no_name_and_nothing_is_written_for_no_access(
    people: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        access_log_record(actor=people.nav_advisor, accesses=[])
    access_log_record(
        actor=None, accesses=[Access(subject_id=people.youth.pk, granted=True, purpose="report")]
    )
    assert list(AccessLogEntry.objects.values_list("actor", "actor_name")) == [(None, "")]


def test_any_number_of_rows_is_one_statement_on_postgresql(
    people: Any, django_assert_num_queries: Any
) -> None:
    """The rows go in as one JSON document: 5,000 rows (more than a ``VALUES`` list of one
    parameter per value could take) are one statement, every row written once."""
    with django_assert_num_queries(1) as captured:
        access_log_record(
            actor=people.nav_advisor,
            accesses=[
                Access(subject_id=people.youth.pk, granted=n % 2 == 0, purpose=f"read {n}")
                for n in range(5000)
            ],
        )
    assert "jsonb_to_recordset(" in captured.captured_queries[0]["sql"]
    rows = AccessLogEntry.objects.values_list("purpose", "granted")
    assert sorted(rows) == sorted((f"read {n}", n % 2 == 0) for n in range(5000))


def test_elsewhere_more_rows_than_one_statement_takes_are_written_in_batches(
    people: Any, django_assert_num_queries: Any, monkeypatch: Any
) -> None:
    """Without arrays (the embedded SQLite), rows go in as ``VALUES`` lists; a database that
    takes fewer parameters than the rows need (SQLite's 999) gets them in batches of what it
    takes: every row written, each once, with the same time and actor."""
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: 2)
    with django_assert_num_queries(3):
        access_log_record(
            actor=people.nav_advisor,
            accesses=[
                Access(
                    subject_id=people.youth.pk,
                    granted=True,
                    purpose=f"read {n}",
                    party_id=people.nav.pk if n else None,
                    categories=["GENERAL"],
                )
                for n in range(5)
            ],
        )
    rows = AccessLogEntry.objects.values_list("purpose", "party", "actor", "categories")
    advisor, nav = people.nav_advisor.pk, people.nav.pk
    assert sorted(rows) == [
        ("read 0", None, advisor, ["GENERAL"]),
        *((f"read {n}", nav, advisor, ["GENERAL"]) for n in range(1, 5)),
    ]
    assert len(set(AccessLogEntry.objects.values_list("at", flat=True))) == 1
