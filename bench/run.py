"""The benchmark runner: server time of the main reads against the database's floor.

    python -m bench.run            # full: 200 requests per scenario after 20 warm-up requests
    python -m bench.run --quick    # a few requests (CI runs this so the harness never rots)

Each scenario is one API request made in-process through Django's full stack (middleware,
authentication, the access policy, serialization and the access-log write), timed from the
request in to the response out. Its floor is the same rows fetched by hand-written SQL through
psycopg, with the access-log insert, serialized with orjson. The result per scenario: p50 / p95
/ p99 in ms, the query count, the floor's p50 and the ratio p95 / floor p95. Written to
``var/bench/results.json`` and ``var/bench/results.md``; EXPLAIN ANALYZE of the main queries to
``var/bench/explain-*.txt``. Run it against a database made by ``bench.generate``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

TIMELINE_ITEMS = 100
CASELOAD_URL = "/api/v1/youths/?page_size=50"


@dataclass
class Result:
    scenario: str
    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    queries: int
    floor_p50_ms: float
    floor_p95_ms: float
    ratio_p95: float
    target: str


@dataclass
class Scenario:
    name: str
    url: str
    user: Any
    floor: Callable[[Any], bytes]
    target: str
    explain: bool = False


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _timed(call: Callable[[], Any], requests: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


# --- The people and the youth the scenarios read as ----------------------------------------


def busiest_advisor() -> Any:
    """The NAV caseworker whose office follows the most youths (~2,000 at 100,000 youths)."""
    from django.db.models import Count, Q

    from cases.models import StaffMembership

    membership = (
        StaffMembership.objects.filter(role="CASEWORKER", service__kind="NAV", ended_at=None)
        .annotate(n=Count("service__periods", filter=Q(service__periods__ended_on=None)))
        .select_related("user", "service")
        .order_by("-n", "pk")
        .first()
    )
    if membership is None:
        raise SystemExit("No NAV caseworker: make the data with bench.generate first.")
    return membership


def timeline_youth(advisor: Any) -> Any:
    """A youth with 100+ timeline items across four services and mixed consents, made once
    through the services (so it is what the application itself would have written)."""
    from cases import services
    from cases.models import Service, StaffMembership, Youth, national_id_matches
    from consent.models import Giver, Method
    from consent.services import Flow

    existing = Youth.objects.filter(first_name="Tidslinje", last_name="Benk").first()
    if existing is not None:
        return existing
    nav = advisor.service
    others = {
        kind: Service.objects.get(kind=kind, municipality_number=nav.municipality_number)
        for kind in ("OT", "SCHOOL", "HEALTH")
    }
    staff = {
        kind: StaffMembership.objects.filter(service=s, role="CASEWORKER").first().user  # type: ignore[union-attr]
        for kind, s in others.items()
    }
    from bench.generate import _synthetic

    # Aged 20, within OT's age range (cases.ot), on the last day of a year; the number is one
    # no generated youth has drawn (checked below).
    born = datetime.date(datetime.date.today().year - 21, 12, 31)
    first = 0 if born.year < 2000 else 500
    number = next(n for i in range(first, first + 500) if (n := _synthetic(born, i)) is not None
                  and not Youth.objects.filter(national_id_matches(n)).exists())  # fmt: skip
    youth, _period, _created = services.youth_register(
        actor=advisor.user,
        service=nav,
        national_id=number,
        first_name="Tidslinje",
        last_name="Benk",
        municipality_number=nav.municipality_number,
        reason="Benchmark",
        birth_date=born,
    )
    for kind, service in others.items():
        services.period_open(
            actor=staff[kind],
            youth=youth,
            service=service,
            reason="Benchmark",
            registration_reason="OT_DROPPED_OUT" if kind == "OT" else "",
        )
    today = datetime.date.today()
    plan = [
        (advisor.user, nav, "WORK_AND_WELFARE", 40),
        (staff["OT"], others["OT"], "EDUCATION", 30),
        (staff["SCHOOL"], others["SCHOOL"], "EDUCATION", 20),
        (staff["HEALTH"], others["HEALTH"], "HEALTH", 20),
    ]
    for author, service, category, count in plan:
        for k in range(count):
            services.entry_log(
                actor=author,
                youth=youth,
                service=service,
                occurred_on=today,
                kind="CONVERSATION",
                category=category if k % 3 else "GENERAL",
                text=f"Oppfølging {k}.",
            )
    common: dict[str, Any] = {
        "decision": "GIVEN",
        "giver": Giver.SUBJECT,
        "purpose_code": "SAMARBEID",
        "purpose": "Benchmark",
        "method": Method.SIGNED_FORM,
        "agreed_text": "Ja.",
    }
    services.consent_give(
        actor=staff["OT"],
        youth=youth,
        flows=[Flow(categories=["EDUCATION"], from_party=others["OT"], to_party=nav)],
        **common,
    )
    withdrawn = services.consent_give(
        actor=staff["HEALTH"],
        youth=youth,
        flows=[Flow(categories=["HEALTH"], from_party=others["HEALTH"], to_party=nav)],
        **common,
    )
    services.consent_withdraw(actor=staff["HEALTH"], consent=withdrawn, method=Method.ORAL)
    return youth


# --- Floors: hand-written SQL through psycopg, serialized with orjson ----------------------

LOG_INSERT = """
    INSERT INTO consent_accesslogentry
        (at, actor_id, actor_name, party_id, role, subject_id, purpose, granted, categories,
         items, bases)
    SELECT now(), %s, 'floor', %s, 'CASEWORKER', s, 'floor', true, '[]', '[]', '["own"]'
    FROM unnest(%s::uuid[]) AS s
"""


def caseload_floor(advisor: Any) -> Callable[[Any], bytes]:
    import orjson

    def floor(cursor: Any) -> bytes:
        cursor.execute(
            """
            SELECT y.id, y.first_name, y.last_name, y.birth_date, y.municipality_number,
                   p.id, p.started_on, s.id, s.kind, s.name,
                   u.id, u.username, u.first_name, u.last_name,
                   (SELECT count(*) FROM cases_followupperiod c
                    WHERE c.ended_on IS NULL AND c.service_id = %(service)s)
            FROM cases_followupperiod p JOIN cases_youth y ON y.id = p.youth_id
            JOIN cases_service s ON s.id = p.service_id
            LEFT JOIN auth_user u ON u.id = p.responsible_id
            WHERE p.ended_on IS NULL
              AND p.youth_id IN (SELECT k.youth_id FROM cases_followupperiod k
                                 WHERE k.ended_on IS NULL AND k.service_id = %(service)s
                                 ORDER BY k.youth_last_name, k.youth_first_name, k.youth_id
                                 LIMIT 50)
            ORDER BY y.last_name, y.first_name, y.id, p.started_on DESC, p.id
            """,
            {"service": advisor.service_id},
        )
        rows = cursor.fetchall()
        ids = list(dict.fromkeys(row[0] for row in rows))
        cursor.execute(LOG_INSERT, [advisor.user_id, advisor.service_id, ids])
        return orjson.dumps(rows)

    return floor


def timeline_floor(advisor: Any, youth: Any) -> Callable[[Any], bytes]:
    import orjson

    def floor(cursor: Any) -> bytes:
        cursor.execute(
            """
            WITH mine AS (SELECT p.service_id FROM cases_followupperiod p
                          WHERE p.youth_id = %(youth)s AND p.ended_on IS NULL
                            AND p.service_id = %(service)s)
            SELECT e.id, e.occurred_on, e.created_at, e.category, e.kind, e.text, s.name
            FROM cases_followupentry e JOIN cases_service s ON s.id = e.service_id
            WHERE e.youth_id = %(youth)s AND e.deleted_at IS NULL
              AND EXISTS (SELECT 1 FROM mine)
              AND (e.service_id IN (SELECT service_id FROM mine) OR e.category = 'GENERAL'
                   OR EXISTS (SELECT 1 FROM consent_consentscope sc
                              JOIN consent_consent c ON c.id = sc.consent_id
                              WHERE sc.subject_id = e.youth_id AND sc.category = e.category
                                AND sc.from_party_id = e.service_id
                                AND sc.to_party_id IN (SELECT service_id FROM mine)
                                AND c.decision = 'GIVEN' AND c.withdrawn_at IS NULL
                                AND c.valid_from <= now()
                                AND (c.valid_until IS NULL OR c.valid_until > now())))
            ORDER BY e.occurred_on DESC, e.created_at DESC, e.id DESC
            LIMIT %(limit)s
            """,
            {"youth": youth.pk, "service": advisor.service_id, "limit": TIMELINE_ITEMS},
        )
        entries = cursor.fetchall()
        cursor.execute(
            "SELECT id, sent_at, state FROM cases_referral WHERE youth_id = %s "
            "ORDER BY sent_at DESC LIMIT %s",
            [youth.pk, TIMELINE_ITEMS],
        )
        referrals = cursor.fetchall()
        cursor.execute(
            "SELECT p.id, p.started_on, p.reason, s.name FROM cases_followupperiod p "
            "JOIN cases_service s ON s.id = p.service_id WHERE p.youth_id = %s "
            "ORDER BY p.started_on DESC LIMIT %s",
            [youth.pk, TIMELINE_ITEMS],
        )
        periods = cursor.fetchall()
        cursor.execute(
            "SELECT id, valid_from, decision FROM consent_consent WHERE subject_id = %s "
            "ORDER BY valid_from DESC LIMIT %s",
            [youth.pk, TIMELINE_ITEMS],
        )
        consents = cursor.fetchall()
        cursor.execute(LOG_INSERT, [advisor.user_id, advisor.service_id, [youth.pk]])
        return orjson.dumps([entries, referrals, periods, consents])

    return floor


def inbox_floor(advisor: Any) -> Callable[[Any], bytes]:
    import orjson

    def floor(cursor: Any) -> bytes:
        cursor.execute(
            """
            SELECT r.id, r.state, r.sent_at, r.respond_by, r.message, r.categories,
                   y.id, y.first_name, y.last_name, f.name, t.name, u.username
            FROM cases_referral r JOIN cases_youth y ON y.id = r.youth_id
            JOIN cases_service f ON f.id = r.from_service_id
            JOIN cases_service t ON t.id = r.to_service_id
            JOIN auth_user u ON u.id = r.sent_by_id
            WHERE r.to_service_id = %s
            ORDER BY r.sent_at DESC, r.id DESC
            LIMIT 50
            """,
            [advisor.service_id],
        )
        rows = cursor.fetchall()
        cursor.execute(LOG_INSERT, [advisor.user_id, advisor.service_id, [r[6] for r in rows]])
        return orjson.dumps(rows)

    return floor


def report_floor(advisor: Any, start: datetime.date, end: datetime.date) -> Callable[[Any], bytes]:
    import orjson

    def floor(cursor: Any) -> bytes:
        cursor.execute(
            "SELECT rule_id, status, count(*) FROM coordination_deadline "
            "WHERE service_id = %s AND rule_id IN ('UG-PLAN-1M', 'UG-2023') "
            "AND due_on BETWEEN %s AND %s GROUP BY rule_id, status",
            [advisor.service_id, start, end],
        )
        counts = cursor.fetchall()
        cursor.execute(
            "SELECT day, group_size, met FROM coordination_compliancesnapshot "
            "WHERE service_id = %s AND day BETWEEN %s AND %s ORDER BY day",
            [advisor.service_id, start, end],
        )
        return orjson.dumps([counts, cursor.fetchall()])

    return floor


# --- Running -------------------------------------------------------------------------------


def scenarios() -> list[Scenario]:
    advisor = busiest_advisor()
    youth = timeline_youth(advisor)
    today = datetime.date.today()
    start = today - datetime.timedelta(days=90)
    return [
        Scenario(
            "caseload",
            CASELOAD_URL,
            advisor.user,
            caseload_floor(advisor),
            "p95 ≤ 30 ms, ≤ 2× floor, ≤ 7 queries",
            explain=True,
        ),
        Scenario(
            "timeline",
            f"/api/v1/youths/{youth.pk}/timeline/?page_size={TIMELINE_ITEMS}",
            advisor.user,
            timeline_floor(advisor, youth),
            "p95 ≤ 40 ms, ≤ 2.5× floor, fixed queries",
            explain=True,
        ),
        Scenario(
            "referral-inbox",
            "/api/v1/referrals/?box=inbox&page_size=50",
            advisor.user,
            inbox_floor(advisor),
            "p95 ≤ 30 ms, ≤ 2× floor",
        ),
        Scenario(
            "compliance-report",
            f"/api/v1/reports/youth-guarantee/?service={advisor.service_id}"
            f"&start={start}&end={today}",
            advisor.user,
            report_floor(advisor, start, today),
            "p95 ≤ 200 ms",
        ),
    ]


def _explain(scenario: Scenario, client: Any, out: Path) -> None:
    """EXPLAIN ANALYZE of the slowest query the request runs (the main read)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(scenario.url)
    reads = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    main = max(reads, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + main["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    (out / f"explain-{scenario.name}.txt").write_text(f"{main['sql']}\n\n{plan}\n")


def run(*, requests: int, warmup: int, out: Path) -> list[Result]:
    """The read scenarios, in-process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out.mkdir(parents=True, exist_ok=True)
    results = []
    for scenario in scenarios():
        client = Client()
        client.force_login(scenario.user)
        response = client.get(scenario.url)
        if response.status_code != 200:
            raise SystemExit(f"{scenario.name}: {response.status_code} {response.content[:300]!r}")
        connection.queries_log.clear()  # a full log (9,000) would make the count 0
        with CaptureQueriesContext(connection) as captured:
            client.get(scenario.url)
        queries = len(captured.captured_queries)  # now: the log moves on

        def request_once(s: Scenario = scenario, c: Any = client) -> Any:
            return c.get(s.url)

        times = _timed(request_once, requests, warmup)
        connection.ensure_connection()
        raw = connection.connection

        def floor_once(s: Scenario = scenario, conn: Any = raw) -> bytes:
            with conn.transaction(), conn.cursor() as cursor:
                return s.floor(cursor)

        floor_times = _timed(floor_once, requests, warmup)
        if scenario.explain:
            _explain(scenario, client, out)
        p95, floor_p95 = _percentile(times, 0.95), _percentile(floor_times, 0.95)
        results.append(
            Result(
                scenario=scenario.name,
                requests=requests,
                p50_ms=round(statistics.median(times), 2),
                p95_ms=round(p95, 2),
                p99_ms=round(_percentile(times, 0.99), 2),
                queries=queries,
                floor_p50_ms=round(statistics.median(floor_times), 2),
                floor_p95_ms=round(floor_p95, 2),
                ratio_p95=round(p95 / floor_p95, 2) if floor_p95 else 0.0,
                target=scenario.target,
            )
        )
    return results


def _machine() -> dict[str, Any]:
    from cases.models import Youth

    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "youths": Youth.objects.count(),
    }


def growth(
    results: list[Result], sweep: dict[str, Any], baseline: dict[str, Any]
) -> dict[str, Any]:
    """This run against an earlier one on fewer youths (its results.json): p95 ratio per read
    scenario, and the sweep's time ratio (same number of due reminders, more deadline rows)."""
    before = {r["scenario"]: r for r in baseline["results"]}
    rows = {
        r.scenario: {
            "p95_ms": r.p95_ms,
            "baseline_p95_ms": before[r.scenario]["p95_ms"],
            "ratio": round(r.p95_ms / before[r.scenario]["p95_ms"], 2),
        }
        for r in results
        if r.scenario in before
    }
    if baseline["sweep"]["reminders"] == sweep["reminders"]:
        rows["reminder-sweep"] = {
            "seconds": sweep["seconds"],
            "baseline_seconds": baseline["sweep"]["seconds"],
            "ratio": round(sweep["seconds"] / baseline["sweep"]["seconds"], 2),
        }
    return {"baseline_youths": baseline["machine"]["youths"], "scenarios": rows}


def _growth_lines(machine: dict[str, Any], grown: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"| growth: {machine['youths']} vs {grown['baseline_youths']} youths | now | before "
        "| ratio | target |",
        "|---|---|---|---|---|",
    ]
    for name, row in grown["scenarios"].items():
        unit = "s" if name == "reminder-sweep" else "ms p95"
        now, before = (
            (row["seconds"], row["baseline_seconds"])
            if name == "reminder-sweep"
            else (row["p95_ms"], row["baseline_p95_ms"])
        )
        lines.append(f"| {name} | {now} {unit} | {before} {unit} | **{row['ratio']}** | ≤ 1.3 |")
    return lines


def write(results: list[Result], extras: dict[str, Any], out: Path) -> None:
    machine = _machine()
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps(
            {"machine": machine, "results": [asdict(r) for r in results], **extras}, indent=2
        )
    )
    sweep, worker, load = extras.get("sweep"), extras.get("worker"), extras.get("throughput")
    lines = [
        f"{machine['youths']} youths, {machine['cpus']} CPUs, Python {machine['python']}, "
        f"{machine['when']}",
        "",
        "| scenario | p50 ms | p95 ms | p99 ms | queries | floor p95 ms | × floor (p95) | target |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {r.scenario} | {r.p50_ms} | {r.p95_ms} | {r.p99_ms} | {r.queries} | "
            f"{r.floor_p95_ms} | {r.ratio_p95} | {r.target} |"
            for r in results
        ),
        "",
        "| scenario | result | target |",
        "|---|---|---|",
        *(
            [
                f"| reminder sweep (claim + render, no SMTP) | {sweep['reminders']} reminders in "
                f"{sweep['digests']} digests, {sweep['seconds']} s = **{sweep['per_second']}/s**; "
                f"{sweep['deadline_rows']} deadline rows | ≥ 2,000/s |"
            ]
            if sweep
            else []
        ),
        *(
            [
                f"| worker memory (Celery threads, Redis, SMTP) | {worker['reminders']} reminders "
                f"in {worker['seconds']} s; peak RSS **{worker['peak_rss_mb']} MB** over its "
                f"processes (PSS {worker['peak_pss_mb']} MB; largest process "
                f"{worker['peak_process_rss_mb']} MB) | ≤ 200 MB |"
            ]
            if worker
            else []
        ),
        *(
            [
                f"| caseload under gunicorn ({load['workers']} workers), wrk "
                f"{load['connections']} connections, {load['seconds']} s | "
                f"**{load['requests_per_second']} req/s**, p50 {load['p50_ms']} ms, p95 "
                f"{load['p95_ms']} ms, p99 {load['p99_ms']} ms, {load['errors']} errors | "
                "≥ 300 req/s, p95 ≤ 100 ms, no errors |"
            ]
            if load
            else []
        ),
        *(_growth_lines(machine, extras["growth"]) if "growth" in extras else []),
    ]
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few requests per scenario")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--reminders", type=int, default=10_000, help="due in the sweep")
    parser.add_argument("--load-seconds", type=int, default=20, help="wrk's run under gunicorn")
    parser.add_argument("--out", default=None, help="default: var/bench/")
    parser.add_argument(
        "--baseline", default=None, help="an earlier results.json (fewer youths): growth ratios"
    )
    parser.add_argument(
        "--skip",
        action="append",
        choices=("sweep", "worker", "throughput"),
        default=[],
        help="leave a scenario out (growth needs only the reads and the sweep; bench.growth "
        "only the reads)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
    os.environ["DEBUG"] = "false"  # as in production: no query log, no debug pages
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from coordination.runtime import settle_garbage_collector

    settle_garbage_collector()  # in-process reads run as coordination.wsgi runs them
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench.run needs PostgreSQL (DATABASE_URL=postgres://…).")
    out = Path(args.out) if args.out else Path(settings.VAR_DIR) / "bench"
    requests, warmup = (10, 2) if args.quick else (args.requests, args.warmup)
    due, seconds = (300, 3) if args.quick else (args.reminders, args.load_seconds)
    results = run(requests=requests, warmup=warmup, out=out)
    from bench import load, sweep, worker

    extras: dict[str, Any] = {}
    if "sweep" not in args.skip:
        extras["sweep"] = asdict(sweep.run(due, out))
    if "worker" not in args.skip:
        extras["worker"] = asdict(worker.run(due))
    if "throughput" not in args.skip:
        user = busiest_advisor().user
        extras["throughput"] = asdict(load.run(user, CASELOAD_URL, seconds=seconds))
    if args.baseline:
        if "sweep" in args.skip:
            raise SystemExit("--baseline compares the sweep too: do not --skip sweep with it.")
        baseline = json.loads(Path(args.baseline).read_text())
        extras["growth"] = growth(results, extras["sweep"], baseline)
    write(results, extras, out)


if __name__ == "__main__":
    main()
