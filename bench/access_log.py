"""The access log: what a read's log write costs, and how fast the chain is sealed and verified.

    python -m bench.access_log                      # 2,000 writes of 50 rows; 1,000,000 chained
    python -m bench.access_log --skip chain         # the write alone
    python -m bench.access_log --with-sealer        # the writes while a sealer runs alongside

**write**: ``consent.services.access_log_record`` for 50 rows (a caseload page), called
``--writes`` times after 50 warm-up calls, each in its own transaction as the caseload runs it.
Wall and CPU time of the call, p50 and p95. With ``--with-sealer`` a second process seals the
chain in a loop while the writes run, so the writers' cost is measured against a working sealer.

**chain** (run first): ``--rows`` access-log rows over the 10 days before the last hour are
added with one ``INSERT … SELECT`` (no chain yet), then ``consent.chain.seal`` links them all and
``consent.chain.verify`` walks the whole chain; rows per second of each. Run it against an
empty, migrated PostgreSQL database (``scripts/with_postgres.py``): the rows it adds stay.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import statistics
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

ROWS_PER_WRITE = 50
WARMUP = 50


@dataclass
class WriteResult:
    writes: int
    rows_per_write: int
    p50_ms: float
    p95_ms: float
    cpu_p50_ms: float
    with_sealer: bool
    rows_sealed_meanwhile: int


@dataclass
class ChainResult:
    rows: int
    seal_seconds: float
    seal_rows_per_second: float
    verify_seconds: float
    verify_rows_per_second: float
    intact: bool


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
    os.environ["DEBUG"] = "false"  # no query log
    import django

    django.setup()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def _bench_user() -> Any:
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench.log", defaults={"first_name": "Bench", "last_name": "Logger"}
    )
    return user


def _keep_sealing(stop: Any, sealed: Any) -> None:
    """A sealer in its own process, linking whatever the writes add, until told to stop. Its
    margin is cut to a second (the setting's 60 would leave a short run's rows all waiting)."""
    _setup_django()
    from django.conf import settings
    from django.db import connection

    from consent import chain

    settings.ACCESS_LOG_SEAL_MARGIN_SECONDS = 1
    while not stop.is_set():
        sealed.value += chain.seal().rows
        time.sleep(0.2)
    connection.close()


def writes(count: int, *, with_sealer: bool = False) -> WriteResult:
    """``count`` calls of ``access_log_record`` for 50 rows each, timed one by one."""
    from django.db import connection

    from consent.services import Access, access_log_record

    actor = _bench_user()
    party = uuid.uuid4()
    accesses = [
        Access(
            subject_id=uuid.uuid4(),
            granted=True,
            purpose="caseload",
            party_id=party,
            role="CASEWORKER",
            categories=["GENERAL"],
            bases=["own"],
        )
        for _ in range(ROWS_PER_WRITE)
    ]
    fork = multiprocessing.get_context("fork")
    sealer, stop, sealed = None, fork.Event(), fork.Value("q", 0)
    if with_sealer:
        connection.close()  # not shared with the forked process
        sealer = fork.Process(target=_keep_sealing, args=(stop, sealed))
        sealer.start()
    walls: list[float] = []
    cpus: list[float] = []
    try:
        for n in range(WARMUP + count):
            wall, cpu = time.perf_counter(), time.process_time()
            access_log_record(actor=actor, accesses=accesses)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if n >= WARMUP:
                walls.append(wall * 1000)
                cpus.append(cpu * 1000)
    finally:
        if sealer is not None:
            stop.set()
            sealer.join(timeout=60)
    return WriteResult(
        writes=count,
        rows_per_write=ROWS_PER_WRITE,
        p50_ms=round(statistics.median(walls), 3),
        p95_ms=round(_percentile(walls, 0.95), 3),
        cpu_p50_ms=round(statistics.median(cpus), 3),
        with_sealer=with_sealer,
        rows_sealed_meanwhile=int(sealed.value),
    )


def add_rows(rows: int, *, days: int = 10) -> datetime.datetime:
    """``rows`` access-log rows spread evenly over ``days`` days ending an hour ago, in one
    statement; returns the time of the last one."""
    from django.db import connection, transaction
    from django.utils import timezone

    end = timezone.now() - datetime.timedelta(hours=1)
    start = end - datetime.timedelta(days=days)
    actor = _bench_user()
    step = (end - start) / max(rows, 1)  # an interval per row
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO consent_accesslogentry
                (at, actor_id, actor_name, party_id, role, subject_id, purpose, granted,
                 categories, items, bases)
            SELECT %s + n * %s::interval, %s, 'Bench Logger', %s, 'CASEWORKER', gen_random_uuid(),
                   'caseload', true, '["GENERAL"]',
                   ('[{"type": "entry", "id": "' || n || '", "category": "GENERAL"}]')::jsonb,
                   '["own"]'
            FROM generate_series(1, %s) AS n
            """,
            [start, f"{step.total_seconds()} seconds", actor.pk, uuid.uuid4(), rows],
        )
    return end


def chain_speed(rows: int) -> ChainResult:
    from consent import chain

    add_rows(rows)
    started = time.perf_counter()
    sealed = chain.seal(wait=True).rows
    seal_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report = chain.verify(seal_first=False)
    verify_seconds = time.perf_counter() - started
    return ChainResult(
        rows=sealed,
        seal_seconds=round(seal_seconds, 2),
        seal_rows_per_second=round(sealed / seal_seconds),
        verify_seconds=round(verify_seconds, 2),
        verify_rows_per_second=round(report.links / verify_seconds),
        intact=report.intact,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows chained")
    parser.add_argument("--with-sealer", action="store_true")
    parser.add_argument("--skip", action="append", choices=("write", "chain"), default=[])
    args = parser.parse_args(argv)
    _setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench.access_log needs PostgreSQL (DATABASE_URL=postgres://…).")
    # The chain first: its rows are dated before now, and rows dated before rows already
    # written would be refused by the sealer as written into history.
    if "chain" not in args.skip:
        print(asdict(chain_speed(args.rows)))
    if "write" not in args.skip:
        print(asdict(writes(args.writes, with_sealer=args.with_sealer)))


if __name__ == "__main__":
    main()
