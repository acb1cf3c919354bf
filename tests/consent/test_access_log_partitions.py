"""The access log's months: partitions made ahead, and months dropped past the retention period
with the hash chain still verifying (consent/partitions.py)."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from consent import chain, partitions
from consent.models import AccessLogDrop, AccessLogEntry, AccessLogSeal
from coordination import tasks
from tests.consent.chain_helpers import SUBJECT, as_superuser, write

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def utc(day: str, hour: int = 12, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day), datetime.time(hour, minute, second), UTC
    )


def month(text: str) -> datetime.date:
    return datetime.date.fromisoformat(f"{text}-01")


def test_the_log_is_partitioned_by_month_and_its_triggers_reach_the_partitions() -> None:
    write(utc("2027-01-15"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'consent_accesslogentry'")
        assert cursor.fetchone()[0] == "p"
    partition = "consent_accesslogentry_p2027_01"
    for statement in (
        f"DELETE FROM {partition}",
        f"UPDATE {partition} SET purpose = 'x'",
        f"TRUNCATE {partition}",
        "TRUNCATE consent_accesslogentry",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AccessLogEntry.objects.count() == 1


def test_the_months_ahead_are_made_once_and_the_beat_task_makes_them(settings: Any) -> None:
    settings.ACCESS_LOG_PARTITIONS_AHEAD = 3
    made = partitions.ensure(now=utc("2034-11-30", 23, 30))
    assert made == [month("2034-11"), month("2034-12"), month("2035-01"), month("2035-02")]
    assert partitions.ensure(now=utc("2034-11-30", 23, 30)) == []
    with time_machine.travel(utc("2035-01-10"), tick=False):
        assert tasks.access_log_partitions() == 2  # 2035-03 and 2035-04
    assert partitions.months()[-6:] == [
        month(m) for m in ("2034-11", "2034-12", "2035-01", "2035-02", "2035-03", "2035-04")
    ]


def test_making_the_months_ahead_takes_one_query_a_month(count_queries: Any) -> None:
    with count_queries() as queries:
        partitions.ensure(now=utc("2036-05-01"), ahead=2)
    assert len(queries) == 3


def test_a_row_for_a_month_without_a_partition_is_refused_never_kept_elsewhere() -> None:
    """No DEFAULT partition: the write fails (and the read it records with it), loudly."""
    with pytest.raises(IntegrityError, match="no partition"), transaction.atomic():
        write(utc("2037-03-10"))
    assert not AccessLogEntry.objects.exists()
    partitions.ensure(now=utc("2037-03-10"), ahead=0)
    assert len(write(utc("2037-03-10"))) == 1


@pytest.mark.parametrize(
    ("now", "last_dropped"),
    [
        # The last moment of January (UTC): January 2026 is not entirely five years old yet.
        (utc("2031-01-31", 23, 59, 59), "2025-12"),
        # Midnight of 1 February (UTC): now it is.
        (utc("2031-02-01", 0), "2026-01"),
        # Oslo is already in March (00:30), UTC is not: months are UTC months.
        (utc("2031-02-28", 23, 30), "2026-01"),
        # Leap day: five years back is 28 February 2023; February 2023 is not over then.
        (utc("2028-02-29", 12), "2023-01"),
        # The day after a leap February: February 2024 (29 days) is entirely past.
        (utc("2029-03-01", 0), "2024-02"),
        # Summer time starts in Europe/Oslo at 01:00 UTC on 30 March 2031; it changes nothing.
        (utc("2031-03-30", 1, 30), "2026-02"),
    ],
)
def test_retention_drops_exactly_the_months_entirely_older_than_five_years(
    settings: Any, now: datetime.datetime, last_dropped: str
) -> None:
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    before = partitions.months()
    expected = [m for m in before if m <= month(last_dropped)]
    for m in (expected[-1], partitions.next_month(expected[-1])):
        write(utc(f"{m:%Y-%m}-15"), rows=2)
    dropped = partitions.drop_expired(now=now)
    assert [d.month for d in dropped] == expected
    assert [d.rows for d in dropped if d.rows] == [2]
    assert partitions.months() == [m for m in before if m > month(last_dropped)]
    assert AccessLogEntry.objects.count() == 2  # the month after the last dropped one
    assert list(AccessLogDrop.objects.values_list("month", flat=True)) == expected


def test_a_dry_run_lists_what_would_go_and_changes_nothing(settings: Any) -> None:
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    write(utc("2024-01-10"), rows=3)
    write(utc("2024-02-10"), rows=1)
    chain.seal(now=utc("2024-03-01"))
    months, rows, links = (
        partitions.months(),
        AccessLogEntry.objects.count(),
        AccessLogSeal.objects.count(),
    )
    out = StringIO()
    with time_machine.travel(utc("2029-03-01", 6), tick=False):
        call_command("drop_expired_access_log", "--dry-run", stdout=out)
    assert "Would drop 2024-01: 3 rows" in out.getvalue()
    assert "Would drop 2024-02: 1 rows" in out.getvalue()
    assert partitions.months() == months
    assert AccessLogEntry.objects.count() == rows
    assert AccessLogSeal.objects.count() == links
    assert not AccessLogDrop.objects.exists()


def _log_across_months() -> dict[str, list[int]]:
    """Rows in November and December 2025 and January 2026 (UTC), sealed; one December row
    written in its last second after a January row (its id comes after the January row's)."""
    ids = {"2025-11": write(utc("2025-11-20"), rows=3), "2025-12": write(utc("2025-12-10"), 2)}
    ids["2026-01"] = write(utc("2026-01-01", 0, 0, 5))
    ids["2025-12"] += write(utc("2025-12-31", 23, 59, 59))  # within the sealer's margin
    ids["2026-01"] += write(utc("2026-01-20"), rows=2)
    chain.seal(now=utc("2026-02-01"))
    assert AccessLogSeal.objects.count() == 9
    return ids


def test_the_chain_verifies_after_months_are_dropped(settings: Any, count_queries: Any) -> None:
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    ids = _log_across_months()
    dropped = partitions.drop_expired(now=utc("2031-01-01", 3))
    assert {d.month: d.rows for d in dropped if d.rows} == {
        month("2025-11"): 3,
        month("2025-12"): 3,
    }
    december = AccessLogDrop.objects.get(month=month("2025-12"))
    assert december.boundary_id == ids["2025-12"][1]  # the last link before January's first
    assert december.stragglers == [ids["2025-12"][2]]
    # Links behind the boundary went with the months; the boundary and after stay.
    assert list(AccessLogSeal.objects.order_by("entry_id").values_list("entry_id", flat=True)) == [
        ids["2025-12"][1],
        ids["2026-01"][0],
        ids["2025-12"][2],
        *ids["2026-01"][1:],
    ]
    with count_queries() as queries:
        report = chain.verify(now=utc("2031-01-01", 4))
    # Sealing, the latest drop, the months' stragglers, the boundary's link, the walk: a fixed
    # number, as test_sealing_and_verifying_take_the_same_queries_however_many_rows holds.
    assert len(queries) == 19
    assert report.intact, report.problems
    assert (
        report.anchor == f"the boundary of the dropped month 2025-12 (row {december.boundary_id})"
    )
    assert report.links == 4


def test_a_row_deleted_from_a_kept_month_is_still_found_after_a_drop(settings: Any) -> None:
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    ids = _log_across_months()
    partitions.drop_expired(now=utc("2031-01-01", 3))
    gone = ids["2026-01"][1]
    as_superuser("DELETE FROM consent_accesslogentry WHERE id = %s", params=[[gone]])
    report = chain.verify(now=utc("2031-01-01", 4))
    assert [(p.kind, p.entry_id) for p in report.problems] == [(chain.Kind.MISSING, gone)]


def test_a_month_removed_without_its_drop_record_is_found(settings: Any) -> None:
    ids = _log_across_months()
    as_superuser("DROP TABLE consent_accesslogentry_p2025_11")
    report = chain.verify(now=utc("2026-02-01", 4))
    assert {p.entry_id for p in report.problems} == set(ids["2025-11"])
    assert {p.kind for p in report.problems} == {chain.Kind.MISSING}


def test_a_tampered_drop_boundary_is_found(settings: Any) -> None:
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    ids = _log_across_months()
    partitions.drop_expired(now=utc("2031-01-01", 3))
    as_superuser(
        "UPDATE consent_accesslogdrop SET boundary_hash = %s WHERE month = '2025-12-01'",
        params=[[bytes(32)]],
    )
    report = chain.verify(now=utc("2031-01-01", 4))
    assert (chain.Kind.ALTERED, ids["2025-12"][1]) in [
        (p.kind, p.entry_id) for p in report.problems
    ]


def test_a_month_dropped_by_hand_within_the_retention_period_is_found(settings: Any) -> None:
    """Someone able to drop a partition and write its drop record by hand, to hide a month
    still within the retention period: the records say which month went when, and the
    verification holds each against the period."""
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    ids = _log_across_months()
    partitions.drop_expired(now=utc("2031-01-01", 3))
    january = AccessLogSeal.objects.get(entry_id=ids["2026-01"][-1])
    as_superuser(
        "DROP TABLE consent_accesslogentry_p2026_01",
        "INSERT INTO consent_accesslogdrop (month, rows, boundary_id, boundary_hash, "
        "stragglers, kept_from, at) VALUES ('2026-01-01', 3, %s, %s, '[]', %s, %s)",
        params=[(), [january.entry_id, bytes(january.hash), utc("2025-12-01"), utc("2030-12-01")]],
    )
    report = chain.verify(now=utc("2031-01-01", 4))
    assert [(p.kind, p.entry_id) for p in report.problems] == [(chain.Kind.EARLY, january.entry_id)]
    assert "2026-01" in report.problems[0].detail


def test_drops_are_held_against_the_period_as_set_at_any_later_date(settings: Any) -> None:
    """Months dropped the moment they were due verify at any later date (here a 29 February);
    the period is the one set now, so after the period is made longer the months dropped under
    the shorter one are reported: the records show what went earlier than the period says."""
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    _log_across_months()
    partitions.drop_expired(now=utc("2031-01-01", 0, 0, 1))
    assert chain.verify(now=utc("2031-01-01", 4)).intact
    settings.ACCESS_LOG_RETENTION_YEARS = 6
    report = chain.verify(now=utc("2032-02-29", 4))
    assert {p.kind for p in report.problems} == {chain.Kind.EARLY}


def test_the_drop_record_and_the_links_before_its_boundary_only_are_deletable(
    settings: Any,
) -> None:
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    ids = _log_across_months()
    partitions.drop_expired(now=utc("2031-01-01", 3))
    for statement in (
        "DELETE FROM consent_accesslogdrop",
        "UPDATE consent_accesslogdrop SET rows = 0",
        "TRUNCATE consent_accesslogdrop",
        f"DELETE FROM consent_accesslogseal WHERE entry_id = {ids['2025-12'][1]}",
        f"DELETE FROM consent_accesslogseal WHERE entry_id = {ids['2026-01'][1]}",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


@pytest.mark.parametrize("rows", [1, 20])
def test_dropping_a_month_takes_the_same_queries_however_many_rows(
    settings: Any, count_queries: Any, rows: int
) -> None:
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    write(utc("2023-01-10"), rows=rows)
    write(utc("2023-02-10"))
    chain.seal(now=utc("2023-03-01"))
    with count_queries() as queries:
        dropped = partitions.drop_expired(now=utc("2028-02-01", 0))
    assert [(d.month, d.rows) for d in dropped] == [(month("2023-01"), rows)]
    # The months; then the month's drop: savepoint, sealer's lock, first kept id, boundary,
    # stragglers, rows, links behind, the record, lock timeout, DROP TABLE, links deleted,
    # release.
    assert len(queries) == 1 + 12, [q["sql"] for q in queries]


@pytest.mark.parametrize("rows", [3, 30])
def test_a_page_of_the_log_and_its_total_come_in_one_query(
    rows: int, django_assert_num_queries: Any
) -> None:
    """The log's lists count by a subquery of their own, not ``COUNT(*) OVER ()``."""
    from cases.paging import WindowCountPaginator

    written = write(utc("2027-01-15"), rows=rows) + write(utc("2027-02-15"), rows=2)
    looks = AccessLogEntry.objects.filter(subject_id=SUBJECT).order_by("-at", "-id")
    with django_assert_num_queries(1):
        page = WindowCountPaginator(looks, 20).page(1)
        assert page.paginator.count == rows + 2
        assert [e.pk for e in page] == sorted(written, reverse=True)[:20]
    # Past the end: the empty page carries no total, so a count, then the last page.
    with django_assert_num_queries(3):
        assert WindowCountPaginator(looks, 20).get_page(9).number == page.paginator.num_pages


def test_the_beat_makes_months_ahead_daily_and_drops_expired_months_nightly() -> None:
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE
    ahead, expired = schedule["access-log-partitions"], schedule["access-log-drop-expired"]
    assert ahead["task"] == "coordination.tasks.access_log_partitions"
    assert (ahead["schedule"].hour, ahead["schedule"].minute) == ({1}, {5})
    assert expired["task"] == "coordination.tasks.access_log_drop_expired"
    assert (expired["schedule"].hour, expired["schedule"].minute) == ({3}, {35})


def test_the_nightly_task_drops_the_expired_months_and_returns_their_rows(settings: Any) -> None:
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    write(utc("2023-01-20"), rows=4)
    write(utc("2023-02-20"), rows=1)
    with time_machine.travel(utc("2028-02-01", 3, 35), tick=False):
        assert tasks.access_log_drop_expired() == 4
        assert tasks.access_log_drop_expired() == 0
    assert partitions.months()[0] == month("2023-02")
    assert AccessLogEntry.objects.count() == 1
