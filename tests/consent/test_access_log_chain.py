"""The access log's hash chain: sealing, daily digests, and verification that finds tampering.

Tampering is done as a superuser would: plain SQL with the triggers off for the session.
"""

from __future__ import annotations

import datetime
import hashlib
import threading
from typing import Any

import pytest
from django.db import DatabaseError, connection, connections, transaction

from consent import chain
from consent.chain import GivenDigest, Kind
from consent.models import AccessLogDigest, AccessLogEntry, AccessLogSeal
from tests.consent.chain_helpers import (
    OSLO,
    PARTY,
    SUBJECT,
    as_superuser,
    at,
    reseal_from,
    three_days,
)
from tests.consent.chain_helpers import write as write_rows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def links() -> list[tuple[int, int | None]]:
    return list(AccessLogSeal.objects.order_by("entry_id").values_list("entry_id", "prev_id"))


def given(day: str) -> GivenDigest:
    digest = AccessLogDigest.objects.get(day=day)
    return GivenDigest(digest.day, digest.head_id, bytes(digest.head))


def first(report: chain.Report) -> tuple[str, int, datetime.date | None]:
    problem = report.problems[0]
    return problem.kind, problem.entry_id, problem.day


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# --- Sealing ---------------------------------------------------------------------------------


def test_a_rows_content_is_encoded_as_postgresql_writes_json() -> None:
    """The encoding is the chain's definition: anyone holding a row and the hash before it can
    recompute its link, in Python or with PostgreSQL's json_build_array."""
    row = (
        *(7, datetime.datetime(2027, 3, 14, 12, 0, 0, 5, tzinfo=OSLO), 3, "Åse Ødegård"),
        *(PARTY, "CASEWORKER", SUBJECT, "timeline", True, ["GENERAL", "HEALTH"]),
        *([{"type": "entry", "id": "e1", "category": "HEALTH"}], ["consent:c1"]),
    )

    assert (
        chain.content(row)
        == (
            '[7, "2027-03-14T11:00:00.000005+00:00", 3, "Åse Ødegård", '
            '"5f0c1a8e-0000-4000-8000-0000000000aa", "CASEWORKER", '
            '"5f0c1a8e-0000-4000-8000-000000000001", "timeline", true, ["GENERAL", "HEALTH"], '
            '[{"id": "e1", "type": "entry", "category": "HEALTH"}], ["consent:c1"]]'
        ).encode()
    )
    digest = hashlib.sha256(chain.content(row)).digest()
    assert chain.content_digest(row) == digest
    assert chain.link_hash(chain.GENESIS, digest) == hashlib.sha256(bytes(32) + digest).digest()


def test_postgresql_digests_each_rows_content_exactly_as_python_does() -> None:
    """The sealer and the verification let PostgreSQL hash the rows; SQLite's and an
    auditor's Python must get the same bytes, whatever the text holds."""
    odd = UserFactory(first_name='Åse "Ø\\" \t', last_name="Ødegård\u0001\n/€ 𝄞")
    write_rows(at("2027-03-14", 9), 1, odd)
    write_rows(
        at("2027-07-01", 0, 0) + datetime.timedelta(microseconds=999_999),
        1,
        granted=False,
        party_id=None,
        role="",
        categories=["HEALTH", "GENERAL"],
        items=[
            {"type": "entry", "id": "e1", "category": "HEALTH", "basis": "consent:c1"},
            {"zz": {"b": 1, "aa": [], "ä": None}, "a": "\\", "kind": ["x", {"y": False}]},
        ],
        bases=[],
    )
    write_rows(at("2027-03-14", 9), 1, odd, purpose='look\r\n"up"')

    rows = AccessLogEntry.objects.order_by("pk").values_list(*chain.COLUMNS)
    in_python = [(row[0], chain._micros(row[1]), chain.content_digest(row)) for row in rows]
    with transaction.atomic():
        in_postgresql = list(chain._rows(after=0, stream=True))

    assert in_postgresql == in_python
    assert len(in_python) == 3


def test_the_sealer_links_the_rows_in_id_order_each_to_the_one_before() -> None:
    staff = UserFactory(first_name="Åse", last_name="Ødegård")
    ids = write_rows(at("2027-03-14", 9), 3, staff) + write_rows(at("2027-03-14", 10), 2)

    sealed = chain.seal(now=at("2027-03-14", 11))

    assert sealed.rows == 5
    assert links() == list(zip(ids, [None, *ids[:-1]], strict=True))
    rows = AccessLogEntry.objects.order_by("pk").values_list(*chain.COLUMNS)
    expected = chain.GENESIS
    for row, seal in zip(rows, AccessLogSeal.objects.order_by("entry_id"), strict=True):
        expected = chain.link_hash(expected, chain.content_digest(row))
        assert bytes(seal.hash) == expected
    report = chain.verify(now=at("2027-03-14", 11))
    assert (report.intact, report.links, report.first_id, report.last_id) == (
        True,
        5,
        ids[0],
        ids[-1],
    )


def test_sealing_again_changes_nothing_and_new_rows_follow_the_head() -> None:
    old = write_rows(at("2027-03-14", 9), 2)
    assert chain.seal(now=at("2027-03-14", 10)).rows == 2

    assert chain.seal(now=at("2027-03-14", 10)).rows == 0
    new = write_rows(at("2027-03-14", 10, 30), 1)
    assert chain.seal(now=at("2027-03-14", 11)).rows == 1

    assert links() == [(old[0], None), (old[1], old[0]), (new[0], old[1])]


def test_rows_written_within_the_margin_wait_for_the_next_run(settings: Any) -> None:
    settings.ACCESS_LOG_SEAL_MARGIN_SECONDS = 60
    sealed_now = write_rows(at("2027-03-14", 9, 58), 1)
    waiting = write_rows(at("2027-03-14", 9, 59) + datetime.timedelta(seconds=30), 1)

    assert chain.seal(now=at("2027-03-14", 10)).rows == 1
    report = chain.verify(now=at("2027-03-14", 10))

    assert links() == [(sealed_now[0], None)]
    assert (report.intact, report.links, report.pending) == (True, 1, 1)
    assert chain.seal(now=at("2027-03-14", 10, 2)).rows == 1
    assert links()[-1] == (waiting[0], sealed_now[0])


def test_the_sealer_does_not_pass_a_row_an_open_transaction_may_still_commit() -> None:
    """Rows become visible when their transaction commits, not in id order: while another
    session's transaction that has written is open, rows written after it began wait."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT txid_current()")  # it has written: it holds an xid
            cursor.execute("SELECT xact_start FROM pg_stat_activity WHERE pid = pg_backend_pid()")
            began = cursor.fetchone()[0]
            earlier = write_rows(began - datetime.timedelta(minutes=5), 1)
            later = write_rows(began + datetime.timedelta(seconds=5), 1)

            sealed = chain.seal(now=began + datetime.timedelta(minutes=10))

            assert sealed.cutoff == began - datetime.timedelta(seconds=60)
            assert links() == [(earlier[0], None)]
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    chain.seal(now=began + datetime.timedelta(minutes=10))
    assert links() == [(earlier[0], None), (later[0], earlier[0])]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sealers_at_once_link_every_row_exactly_once() -> None:
    ids = write_rows(at("2024-03-14", 9), 3 * chain.SEAL_BATCH // 2)
    results: list[chain.Sealed] = []
    start = threading.Barrier(2)

    def run(wait: bool) -> None:
        try:
            start.wait()
            results.append(chain.seal(now=at("2024-03-14", 10), wait=wait))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(wait,)) for wait in (False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.rows for r in results) == len(ids)
    assert links() == list(zip(ids, [None, *ids[:-1]], strict=True))
    assert chain.verify(now=at("2024-03-14", 10)).intact


@pytest.mark.parametrize("rows", [3, 30])
def test_sealing_and_verifying_take_the_same_queries_however_many_rows(
    rows: int, django_assert_num_queries: Any
) -> None:
    """Sealing reads a batch in one query and writes its links in one; verifying streams both
    tables. A day's digest searches the day's end in the chain: one query per halving."""
    write_rows(at("2027-03-14", 9), rows)

    with django_assert_num_queries(13):  # with the lock, the cutoff and the progress row
        chain.seal(now=at("2027-03-14", 10))
    with django_assert_num_queries(17):  # sealing first, the latest recorded drop, the walk
        chain.verify(now=at("2027-03-14", 10))
    with django_assert_num_queries(19 + rows.bit_length()):
        chain.digest_days(now=at("2027-03-15", 1))


# --- Daily digests ---------------------------------------------------------------------------


def test_each_days_digest_is_the_chains_head_at_its_end_with_the_days_links() -> None:
    ids = three_days()

    digests = list(AccessLogDigest.objects.values_list("day", "head_id", "rows"))
    assert digests == [
        (day("2027-03-12"), ids["2027-03-12"][-1], 3),
        (day("2027-03-13"), ids["2027-03-13"][-1], 4),
        (day("2027-03-14"), ids["2027-03-14"][-1], 2),
    ]
    heads = dict(AccessLogSeal.objects.values_list("entry_id", "hash"))
    for digest in AccessLogDigest.objects.all():
        assert bytes(digest.head) == bytes(heads[digest.head_id])


def test_a_day_is_digested_once_after_it_ended_and_its_rows_are_sealed() -> None:
    write_rows(at("2027-03-14", 23, 59) + datetime.timedelta(seconds=50), 1)

    assert chain.digest_days(now=at("2027-03-14", 23, 59) + datetime.timedelta(seconds=55)) == []
    # After midnight, but the margin has not passed the end of the day yet.
    assert chain.digest_days(now=at("2027-03-15", 0, 0) + datetime.timedelta(seconds=30)) == []
    [made] = chain.digest_days(now=at("2027-03-15", 0, 20))
    assert (made.day, made.rows) == (day("2027-03-14"), 1)
    assert chain.digest_days(now=at("2027-03-15", 1, 20)) == []


def test_days_missed_are_digested_later_and_a_day_without_rows_keeps_the_head() -> None:
    monday = write_rows(at("2027-03-15", 9), 2)
    [first] = chain.digest_days(now=at("2027-03-16", 0, 20))
    wednesday = write_rows(at("2027-03-17", 9), 1)

    made = chain.digest_days(now=at("2027-03-18", 7))  # the worker was down until now

    assert (first.day, first.head_id, first.rows) == (day("2027-03-15"), monday[-1], 2)
    assert [(d.day, d.head_id, d.rows) for d in made] == [
        (day("2027-03-16"), monday[-1], 0),
        (day("2027-03-17"), wednesday[-1], 1),
    ]
    assert bytes(made[0].head) == bytes(first.head)
    assert chain.verify(now=at("2027-03-18", 7)).intact


def test_the_first_digest_is_yesterdays_and_covers_the_log_before_it() -> None:
    """A log with history when its chain begins (an upgrade) gets one digest, not one a day."""
    write_rows(at("2027-01-10", 9), 2)
    last = write_rows(at("2027-03-14", 9), 1)

    [made] = chain.digest_days(now=at("2027-03-15", 0, 20))

    assert (made.day, made.head_id, made.rows) == (day("2027-03-14"), last[0], 3)
    assert chain.verify(now=at("2027-03-15", 1)).intact


# --- Verification: tampering -----------------------------------------------------------------


def test_an_intact_chain_verifies_with_its_stored_and_e_mailed_digests() -> None:
    three_days()

    report = chain.verify(given=[given("2027-03-13")], now=at("2027-03-15", 1))

    assert (report.intact, report.links, report.digests) == (True, 9, 4)


def test_it_finds_a_rows_content_altered() -> None:
    ids = three_days()
    altered = ids["2027-03-13"][2]

    as_superuser(
        "UPDATE consent_accesslogentry SET granted = false WHERE id = %s", params=[[altered]]
    )
    report = chain.verify(now=at("2027-03-15", 1))

    assert first(report) == (Kind.ALTERED, altered, day("2027-03-13"))
    assert len(report.problems) == 1


def test_it_finds_a_row_removed() -> None:
    ids = three_days()
    removed = ids["2027-03-12"][1]

    as_superuser("DELETE FROM consent_accesslogentry WHERE id = %s", params=[[removed]])
    report = chain.verify(now=at("2027-03-15", 1))

    assert first(report) == (Kind.MISSING, removed, None)
    assert len(report.problems) == 1


def test_it_finds_a_row_removed_with_its_link() -> None:
    ids = three_days()
    removed, next_one = ids["2027-03-13"][1], ids["2027-03-13"][2]

    as_superuser(
        "DELETE FROM consent_accesslogentry WHERE id = %s",
        "DELETE FROM consent_accesslogseal WHERE entry_id = %s",
        params=[[removed], [removed]],
    )
    report = chain.verify(now=at("2027-03-15", 1))

    assert first(report) == (Kind.MISSING, next_one, day("2027-03-13"))
    assert f"links to row {removed}, which is gone" in report.problems[0].detail


def test_it_finds_a_forged_row_written_into_history_after_sealing() -> None:
    """Someone adds a look that never happened, dated the day before: the sealer does not take
    it into the chain, and the verification names it."""
    ids = three_days()

    as_superuser(
        "INSERT INTO consent_accesslogentry (at, actor_id, actor_name, party_id, role,"
        " subject_id, purpose, granted, categories, items, bases)"
        " VALUES (%s, NULL, 'Forged', %s, 'CASEWORKER', %s, 'timeline', true, '[]', '[]', '[]')",
        params=[[at("2027-03-14", 15), PARTY, SUBJECT]],
    )
    forged = AccessLogEntry.objects.latest("pk").pk
    later = write_rows(at("2027-03-15", 9), 1)
    report = chain.verify(now=at("2027-03-15", 10))

    assert first(report) == (Kind.INSERTED, forged, day("2027-03-14"))
    assert len(report.problems) == 1
    assert links()[-1] == (later[0], ids["2027-03-14"][-1])


def test_it_finds_a_forged_row_put_in_a_gap_between_sealed_rows() -> None:
    before = write_rows(at("2027-03-14", 9), 1)
    with pytest.raises(RuntimeError), transaction.atomic():  # an id used and rolled back
        write_rows(at("2027-03-14", 9, 30), 1)
        raise RuntimeError
    after = write_rows(at("2027-03-14", 10), 1)
    chain.seal(now=at("2027-03-14", 11))
    gap = before[0] + 1
    assert after[0] == gap + 1

    as_superuser(
        "INSERT INTO consent_accesslogentry (id, at, actor_id, actor_name, party_id, role,"
        " subject_id, purpose, granted, categories, items, bases)"
        " VALUES (%s, %s, NULL, 'Forged', %s, 'CASEWORKER', %s, 'timeline', true,"
        " '[]', '[]', '[]')",
        params=[[gap, at("2027-03-14", 9, 30), PARTY, SUBJECT]],
    )
    report = chain.verify(now=at("2027-03-14", 11))

    assert first(report) == (Kind.INSERTED, gap, day("2027-03-14"))


def test_it_finds_a_forged_row_given_a_link_of_its_own() -> None:
    """The forger also writes a link that fits the forged row and the one before it: the
    link after it still names the row before, so the forged one shows as inserted."""
    before = write_rows(at("2027-03-14", 9), 1)
    with pytest.raises(RuntimeError), transaction.atomic():  # an id used and rolled back
        write_rows(at("2027-03-14", 9, 30), 1)
        raise RuntimeError
    write_rows(at("2027-03-14", 10), 2)
    chain.seal(now=at("2027-03-14", 11))
    gap = before[0] + 1
    as_superuser(
        "INSERT INTO consent_accesslogentry (id, at, actor_id, actor_name, party_id, role,"
        " subject_id, purpose, granted, categories, items, bases)"
        " VALUES (%s, %s, NULL, 'Forged', %s, 'CASEWORKER', %s, 'timeline', true,"
        " '[]', '[]', '[]')",
        params=[[gap, at("2027-03-14", 9, 30), PARTY, SUBJECT]],
    )
    forged = AccessLogEntry.objects.filter(pk=gap).values_list(*chain.COLUMNS)[0]
    fitting = chain.link_hash(
        bytes(AccessLogSeal.objects.get(entry_id=before[0]).hash), chain.content_digest(forged)
    )
    as_superuser(
        "INSERT INTO consent_accesslogseal (entry_id, prev_id, hash) VALUES (%s, %s, %s)",
        params=[[gap, before[0], fitting]],
    )

    report = chain.verify(now=at("2027-03-14", 11))

    assert first(report) == (Kind.INSERTED, gap, None)
    assert f"links to row {before[0]}" in report.problems[0].detail
    assert len(report.problems) == 1


def test_it_finds_a_whole_day_removed() -> None:
    ids = three_days()
    gone = ids["2027-03-13"]

    as_superuser(
        "DELETE FROM consent_accesslogentry WHERE id = ANY(%s)",
        "DELETE FROM consent_accesslogseal WHERE entry_id = ANY(%s)",
        params=[[gone], [gone]],
    )
    report = chain.verify(now=at("2027-03-15", 1))

    first_of_next_day = ids["2027-03-14"][0]
    assert first(report) == (Kind.MISSING, first_of_next_day, day("2027-03-14"))
    assert (
        f"the rows after row {ids['2027-03-12'][-1]} up to row {gone[-1]} were removed"
        in report.problems[0].detail
    )
    assert {p.kind for p in report.problems} == {Kind.MISSING, Kind.DIGEST}


def test_a_day_rewritten_link_by_link_with_its_digests_shows_against_the_e_mailed_digest() -> None:
    ids = three_days()
    e_mailed = [given("2027-03-12"), given("2027-03-13"), given("2027-03-14")]
    rewritten = ids["2027-03-13"][1]

    # The look is made a refusal, every link from it on recomputed, the digests too.
    as_superuser(
        "UPDATE consent_accesslogentry SET granted = false WHERE id = %s", params=[[rewritten]]
    )
    reseal_from(rewritten)
    heads = dict(AccessLogSeal.objects.values_list("entry_id", "hash"))
    as_superuser(
        *["UPDATE consent_accesslogdigest SET head = %s WHERE day = %s"] * 2,
        params=[
            [bytes(heads[ids["2027-03-13"][-1]]), day("2027-03-13")],
            [bytes(heads[ids["2027-03-14"][-1]]), day("2027-03-14")],
        ],
    )
    assert chain.verify(now=at("2027-03-15", 1)).intact  # the database agrees with itself

    report = chain.verify(given=e_mailed, now=at("2027-03-15", 1))

    head_13 = ids["2027-03-13"][-1]
    assert first(report) == (Kind.DIGEST, head_13, day("2027-03-13"))
    details = " ".join(p.detail for p in report.problems if p.entry_id == head_13)
    assert f"rows after row {ids['2027-03-12'][-1]} (the 2027-03-12 digest holds)" in details
    assert "the digest table was rewritten" in details
    assert {(p.kind, p.day) for p in report.problems} == {
        (Kind.DIGEST, day("2027-03-13")),
        (Kind.DIGEST, day("2027-03-14")),
    }


def test_the_chain_cut_short_shows_against_the_last_digest() -> None:
    ids = three_days()
    gone = ids["2027-03-14"]

    as_superuser(
        "DELETE FROM consent_accesslogentry WHERE id = ANY(%s)",
        "DELETE FROM consent_accesslogseal WHERE entry_id = ANY(%s)",
        params=[[gone], [gone]],
    )
    report = chain.verify(now=at("2027-03-15", 1))

    assert first(report) == (Kind.DIGEST, gone[-1], day("2027-03-14"))
    assert "cut short" in report.problems[0].detail


def test_a_digest_removed_from_the_table_shows() -> None:
    three_days()

    as_superuser("DELETE FROM consent_accesslogdigest WHERE day = %s", params=[[day("2027-03-13")]])
    report = chain.verify(now=at("2027-03-15", 1))

    assert [(p.kind, p.day) for p in report.problems] == [(Kind.DIGEST, day("2027-03-14"))]
    assert "no digest is stored for the days between" in report.problems[0].detail


def test_verifying_from_a_date_starts_at_the_digest_of_the_day_before() -> None:
    ids = three_days()
    # Damage before the date is not looked at; damage after it is.
    as_superuser(
        "UPDATE consent_accesslogentry SET purpose = 'x' WHERE id = ANY(%s)",
        params=[[[ids["2027-03-12"][0], ids["2027-03-14"][1]]]],
    )

    report = chain.verify(since=day("2027-03-13"), now=at("2027-03-15", 1))

    assert report.anchor == f"the digest of 2027-03-12 (row {ids['2027-03-12'][-1]})"
    assert report.first_id == ids["2027-03-13"][0]
    assert [(p.kind, p.entry_id) for p in report.problems] == [(Kind.ALTERED, ids["2027-03-14"][1])]


# --- The triggers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table", ["consent_accesslogentry", "consent_accesslogseal", "consent_accesslogdigest"]
)
def test_the_log_its_links_and_digests_refuse_truncate(table: str) -> None:
    three_days()

    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {table}")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE consent_accesslogseal SET prev_id = NULL",
        "DELETE FROM consent_accesslogseal",
        "UPDATE consent_accesslogdigest SET rows = 0",
        "DELETE FROM consent_accesslogdigest",
    ],
)
def test_links_and_digests_are_never_changed_or_removed(statement: str) -> None:
    three_days()

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
