"""PostgreSQL sessions run in UTC, plan for data in memory and prepare repeated statements."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection


@pytest.mark.django_db
def test_timestamps_come_back_aware_in_utc() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::timestamptz, current_setting('TimeZone')", ["2026-06-01 12:00+02"]
        )
        moment, zone = cursor.fetchone()
    assert zone == "UTC"
    assert moment == datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)
    assert moment.utcoffset() == datetime.timedelta(0)


@pytest.mark.django_db
def test_sessions_price_an_index_probe_for_memory_not_disk() -> None:
    """random_page_cost 1.1 (PG_RANDOM_PAGE_COST): with PostgreSQL's 4 the caseload joined a
    page's periods to their responsible by hashing every staff member."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('random_page_cost')")
        assert cursor.fetchone() == ("1.1",)


@pytest.mark.django_db
def test_a_statement_run_again_and_again_is_prepared_once() -> None:
    """PG_PREPARED_STATEMENTS (on): parameters travel apart from the SQL, so a statement with
    other values is the same statement, and from its sixth run PostgreSQL skips parsing and
    planning it (planning takes longer than running the hot reads)."""
    with connection.cursor() as cursor:
        for kind in ["NAV", "OT", "SCHOOL", "HEALTH", "CHILD_WELFARE", "NAV"]:
            cursor.execute("SELECT count(*) FROM cases_service WHERE kind = %s", [kind])
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM cases_service WHERE kind = $1%"],
        )
        assert cursor.fetchall() == [("SELECT count(*) FROM cases_service WHERE kind = $1",)]
