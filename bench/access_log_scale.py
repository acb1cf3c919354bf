"""The access log at national scale: its reads and its write over tens of millions of rows.

    python -m bench.access_log_scale fill --rows 50000000   # once, into an empty migrated db
    python -m bench.access_log_scale measure                # the reads and the write, timed

**fill**: a world of ``--services`` services (the kinds of ``bench.generate``), each with
``--staff`` staff (one of them its privacy officer), then ``--rows`` access-log rows spread
evenly over the ``--months`` months up to this one (UTC), one ``INSERT … SELECT
generate_series`` per month, as caseload pages write them: 30 rows a page, one staff member
and service a page, each row a youth among ``--youths`` (ids ``md5('youth' || n)``), one row in
50 refused. The log's indexes are dropped for the load and made again from their own
definitions after it (``pg_get_indexdef``), then the table is vacuumed and analysed, as
autovacuum leaves an insert-only table (its pages all-visible). Partitions come from
``consent.partitions.add_month``. The rows are not sealed into the hash chain.

**measure**, each ``--samples`` times after 20 warm-up runs, p50 and p95 of the wall time:
- *own view*: the first page of the youth's "who looked at me" (``cases.portal.access_log``,
  20 rows, paged by ``WindowCountPaginator`` as *Min side* pages it), a random youth each time;
- *officer by service / actor / youth*: the first page (50 rows) of the privacy officer's search
  (``cases.selectors.access_log_for_privacy_officer`` filtered as the API filters it), for a
  random service's privacy officer;
- *write*: ``consent.services.access_log_record`` of 50 rows, as ``bench.access_log`` times it.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import hashlib
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

PAGE_SIZE = 30  # rows a caseload page writes
WARMUP = 20


def _youth(n: int) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(f"youth{n}".encode()).hexdigest())  # noqa: S324


def fill(*, rows: int, months: int, youths: int, services: int, staff: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.generate import KINDS
    from cases.models import Service, StaffMembership
    from consent import partitions

    world = [
        Service(
            kind=KINDS[n % len(KINDS)],
            name=f"logg {n}",
            municipality_number=f"{3001 + n // len(KINDS):04d}",
            county_number="30" if KINDS[n % len(KINDS)] == "OT" else "",
            notification_email=f"logg.{n}@bench.local",
        )
        for n in range(services)
    ]
    Service.objects.bulk_create(world)
    password = make_password("bench-only")
    user_model = get_user_model()
    user_model.objects.bulk_create(
        [
            user_model(username=f"logg.{s}.{n}", password=password, first_name="Logg")
            for s in range(services)
            for n in range(staff)
        ],
        batch_size=5000,
    )
    ids = dict(
        user_model.objects.filter(username__startswith="logg.").values_list("username", "pk")
    )
    memberships, actors, actor_services = [], [], []
    for s, service in enumerate(world):
        for n in range(staff):
            user_id = ids[f"logg.{s}.{n}"]
            role = "PRIVACY_OFFICER" if n == 0 else "CASEWORKER"
            memberships.append(StaffMembership(user_id=user_id, service=service, role=role))
            if n:
                actors.append(user_id)
                actor_services.append(str(service.pk))
    StaffMembership.objects.bulk_create(memberships, batch_size=5000)

    last = partitions.month_of(timezone.now())
    first = last
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    month, spans = first, []
    while month <= last:
        partitions.add_month(month)
        spans.append(month)
        month = partitions.next_month(month)
    per_month = rows // len(spans)
    table = "consent_accesslogentry"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = %s::regclass AND NOT indisprimary",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'p'",
            [table],
        )
        key = cursor.fetchone()
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {key[0]}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    for m, month in enumerate(spans):
        start = partitions.month_start(month)
        step = (partitions.month_start(partitions.next_month(month)) - start) / per_month
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            # The table's name and a constant; every value is a parameter.
            cursor.execute(
                f"""
                INSERT INTO {table}
                    (at, actor_id, actor_name, party_id, role, subject_id, purpose, granted,
                     categories, items, bases)
                SELECT %(start)s + n * %(step)s::interval,
                       world.actors[1 + page %% %(staff)s],
                       'Logg Bench',
                       world.services[1 + page %% %(staff)s],
                       'CASEWORKER',
                       md5('youth' || ((g * 2654435761) %% %(youths)s))::uuid,
                       'caseload', g %% 50 <> 0, '["GENERAL"]', '[]', '["own"]'
                FROM generate_series(0, %(count)s - 1) AS n,
                     -- The arrays cast once, not once a row.
                     (SELECT %(actors)s::int[] AS actors, %(services)s::uuid[] AS services
                      OFFSET 0) AS world,
                     LATERAL (SELECT %(offset)s::bigint + n AS g) AS global,
                     LATERAL (SELECT (g / {PAGE_SIZE}) * 7919 AS page) AS pages
                """,  # noqa: S608
                {
                    "start": start,
                    "step": f"{step.total_seconds()} seconds",
                    "actors": actors,
                    "services": actor_services,
                    "staff": len(actors),
                    "youths": youths,
                    "count": per_month,
                    "offset": m * per_month,
                },
            )
        print(
            f"{month:%Y-%m}: {per_month} rows in {time.perf_counter() - started:.0f} s", flush=True
        )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {key[0]} {key[1]}")
        for _, definition in indexes:
            # A partitioned table's index is defined ON ONLY the parent; made again, it is
            # made on every partition.
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
        # As autovacuum leaves an insert-only table: analysed, its pages all-visible.
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"indexes and vacuum in {time.perf_counter() - started:.0f} s", flush=True)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def _timed(run: Callable[[random.Random], Any], samples: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    walls = []
    for n in range(WARMUP + samples):
        started = time.perf_counter()
        run(rng)
        if n >= WARMUP:
            walls.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(walls), 2),
        "p95_ms": round(_percentile(walls, 0.95), 2),
    }


def measure(*, samples: int, youths: int, writes: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from bench.access_log import writes as timed_writes
    from cases import portal, selectors
    from cases.models import StaffMembership, Youth
    from cases.paging import WindowCountPaginator

    officers = list(
        StaffMembership.objects.filter(role="PRIVACY_OFFICER", user__username__startswith="logg.")
        .select_related("user")
        .values_list("user", "service_id")
    )
    staff = dict(
        StaffMembership.objects.filter(
            role="CASEWORKER", user__username__startswith="logg."
        ).values_list("service_id", "user__username")
    )
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[o[0] for o in officers])}

    def page(objects: Any, size: int) -> int:
        return len(list(WindowCountPaginator(objects, size).page(1)))

    def own(rng: random.Random) -> int:
        youth = Youth(pk=_youth(rng.randrange(youths)))
        return page(portal.access_log(youth), 20)

    def officer(rng: random.Random, by: str) -> int:
        user_id, service_id = rng.choice(officers)
        entries = selectors.access_log_for_privacy_officer(user=users[user_id])
        if by == "service":
            entries = entries.filter(party_id=service_id)
        elif by == "actor":
            entries = entries.filter(actor__username=staff[service_id])
        else:
            entries = entries.filter(subject_id=_youth(rng.randrange(youths)))
        return page(entries, 50)

    result: dict[str, Any] = {"own view": _timed(own, samples, 1)}
    for by in ("service", "actor", "youth"):
        result[f"officer by {by}"] = _timed(functools.partial(officer, by=by), samples, 2)
    written = timed_writes(writes)
    result["write 50 rows"] = {"p50_ms": written.p50_ms, "p95_ms": written.p95_ms}
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("fill", "measure"))
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--youths", type=int, default=200_000)
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=10, help="staff per service")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--writes", type=int, default=1000)
    args = parser.parse_args(argv)
    from bench.access_log import _setup_django

    _setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench.access_log_scale needs PostgreSQL (DATABASE_URL=postgres://…).")
    if args.step == "fill":
        fill(
            rows=args.rows,
            months=args.months,
            youths=args.youths,
            services=args.services,
            staff=args.staff,
        )
    else:
        for name, figures in measure(
            samples=args.samples, youths=args.youths, writes=args.writes
        ).items():
            print(f"{name}: {figures}")


if __name__ == "__main__":
    main()
