"""Benchmark data for PostgreSQL: N youths across 50 municipalities or more.

    python -m bench.generate --youths 100000      # also 1000, 10000, 1000000

Each municipality has six services (NAV, OT, school, health, child welfare, other) and 42 staff
(2,100 in all at 50 municipalities; beyond 100,000 youths one municipality per 2,000 youths).
Per youth on average: 1-3 follow-up periods, ~10 follow-up entries in mixed categories,
consents in every state (active, expired, withdrawn, guardian-given for minors), a referral in
some state for about half, an activity plan with 5 activities for those NAV follows, deadlines
and reminders in every state, and access-log rows. Rows are built per batch of 1,000 youths and
written with COPY (memory stays flat); a progress bar shows the youths.

The data is synthetic and bypasses the services on purpose (speed); it respects every database
constraint. Run it on a freshly migrated, empty database (it refuses one with youths).
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from queue import Empty
from typing import Any

MUNICIPALITIES = 50
YOUTHS_PER_MUNICIPALITY = 2000  # more youths than 50 × 2,000: more municipalities (see main)
STAFF_PER_SERVICE = 7  # 50 × 6 × 7 ≈ 2,100 staff
BATCH = 1000
ACCESS_LOG_DAYS = 90  # the access-log rows are spread over this many days back
KINDS = ["NAV", "OT", "SCHOOL", "HEALTH", "CHILD_WELFARE", "OTHER"]
CATEGORY_OF_KIND = {
    "NAV": ["WORK_AND_WELFARE", "GENERAL"],
    "OT": ["EDUCATION", "GENERAL"],
    "SCHOOL": ["EDUCATION"],
    "HEALTH": ["HEALTH"],
    "CHILD_WELFARE": ["CHILD_WELFARE", "FAMILY_AND_ECONOMY"],
    "OTHER": ["EDUCATION", "GENERAL"],
}
ENTRY_KINDS = ["CONVERSATION", "MEETING", "PHONE", "DIGITAL_MESSAGE", "NOTE"]
REFERRAL_STATES = ["SENT", "RECEIVED", "ACCEPTED", "DECLINED", "WITHDRAWN", "CLOSED"]
ACTIVITY_TYPES = [("EGEN", "WORK_AND_WELFARE"), ("STILLING", "WORK_AND_WELFARE"),
                  ("MOTE", "WORK_AND_WELFARE"), ("BEHANDLING", "HEALTH"),
                  ("IJOBB", "WORK_AND_WELFARE")]  # fmt: skip
ACTIVITY_STATUSES = ["FORSLAG", "PLANLAGT", "GJENNOMFORES", "FULLFORT", "AVBRUTT"]
DEADLINE_STATUSES = ["OPEN", "OPEN", "MET", "MISSED", "CANCELLED"]
FIRST_NAMES = [
    "Emma",
    "Nora",
    "Sara",
    "Ingrid",
    "Thea",
    "Jakob",
    "Emil",
    "Noah",
    "Oliver",
    "Filip",
    "Lukas",
    "Ida",
    "Maja",
    "Aksel",
]
LAST_NAMES = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Jensen",
    "Karlsen",
    "Berg",
]
K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _synthetic(born: datetime.date, individual: int) -> str | None:
    """Skatteetaten's synthetic number (month + 80) with its check digits, or None if the
    individual number gives no valid check digit."""
    digits = [int(c) for c in f"{born:%d}{born.month + 80:02d}{born:%y}{individual:03d}"]
    k1 = 11 - sum(w * d for w, d in zip(K1, digits, strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10:
        return None
    k2 = 11 - sum(w * d for w, d in zip(K2, [*digits, k1], strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    if k2 == 10:
        return None
    return "".join(map(str, digits)) + f"{k1}{k2}"


def synthetic_numbers(
    rng: random.Random, start: datetime.date, days: int, stride: int = 1, phase: int = 0
) -> Iterator[tuple[str, datetime.date]]:
    """Unique synthetic identity numbers with birth dates spread evenly over the days: each
    day hands out its individual numbers in turn (~250 valid per day, enough for 1,000,000
    youths over 14 years of birth dates). With a stride, only every stride-th day from phase:
    processes that take different phases never hand out the same number."""
    next_individual: dict[int, int] = {}
    while True:
        offset = rng.randrange(phase, days, stride)
        born = start + datetime.timedelta(days=offset)
        first, last = (0, 499) if born.year < 2000 else (500, 999)
        individual = next_individual.get(offset, first)
        number = None
        while number is None and individual <= last:
            number = _synthetic(born, individual)
            individual += 1
        next_individual[offset] = individual
        if number is not None:
            yield number, born


@dataclass
class World:
    """The services and staff of the municipalities, and the rules, by what the batches need."""

    services: dict[tuple[int, str], Any]
    staff: dict[Any, list[int]]  # service id -> user ids
    rules: set[str]
    municipalities: int = MUNICIPALITIES
    counts: dict[str, int] = field(default_factory=dict)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
    import django

    django.setup()


def build_world(rng: random.Random, municipalities: int = MUNICIPALITIES) -> World:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from cases.models import Service, StaffMembership
    from coordination.models import DeadlineRule

    user_model = get_user_model()
    services: dict[tuple[int, str], Any] = {}
    rows = []
    for m in range(municipalities):
        number = f"{3001 + m:04d}"
        for kind in KINDS:
            rows.append(
                Service(
                    kind=kind,
                    name=f"{kind} {number}",
                    municipality_number=number,
                    county_number=number[:2] if kind == "OT" else "",
                    notification_email=f"{kind.lower()}.{number}@bench.local",
                )
            )
    Service.objects.bulk_create(rows)
    for s in rows:
        services[(int(s.municipality_number) - 3001, s.kind)] = s
    password = make_password("bench-only")
    users = [
        user_model(
            username=f"bench.{s.kind.lower()}.{s.municipality_number}.{n}",
            password=password,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            email=f"{s.kind.lower()}.{s.municipality_number}.{n}@bench.local",
        )
        for s in rows
        for n in range(STAFF_PER_SERVICE)
    ]
    user_model.objects.bulk_create(users, batch_size=BATCH)
    by_name = dict(
        user_model.objects.filter(username__startswith="bench.").values_list("username", "pk")
    )
    staff: dict[Any, list[int]] = {}
    memberships = []
    for s in rows:
        for n in range(STAFF_PER_SERVICE):
            user_id = by_name[f"bench.{s.kind.lower()}.{s.municipality_number}.{n}"]
            role = "MANAGER" if n == 0 else "PRIVACY_OFFICER" if n == 1 else "CASEWORKER"
            memberships.append(StaffMembership(user_id=user_id, service=s, role=role))
            if role != "PRIVACY_OFFICER":
                staff.setdefault(s.pk, []).append(user_id)
    StaffMembership.objects.bulk_create(memberships, batch_size=BATCH)
    rules = set(DeadlineRule.objects.values_list("code", flat=True))
    return World(services=services, staff=staff, rules=rules, municipalities=municipalities)


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(rng.randint(7, 16), rng.randint(0, 59)), tzinfo=datetime.UTC
    )


ORDER = [
    "cases.Youth",
    "cases.FollowUpPeriod",
    "cases.FollowUpEntry",
    "consent.Consent",
    "consent.ConsentScope",
    "cases.Referral",
    "cases.ActivityPlan",
    "cases.Activity",
    "coordination.Deadline",
    "coordination.Reminder",
    "consent.AccessLogEntry",
]


class Table:
    """One table's COPY: its columns, and every column's value when a row does not give it (the
    model field's default, the moment for auto_now, NULL). Rows are dicts by attribute name."""

    def __init__(self, label: str, now: datetime.datetime) -> None:
        from django.apps import apps
        from django.db.models import JSONField

        model = apps.get_model(label)
        self.name = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields if not f.auto_created or not f.primary_key]
        fields = [f for f in fields if f.get_internal_type() not in ("AutoField", "BigAutoField")]
        self.attnames = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self.json = {f.attname for f in fields if isinstance(f, JSONField)}
        self.defaults: dict[str, Any] = {}
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.has_default() and not callable(f.default):
                self.defaults[f.attname] = f.default
            elif f.has_default() and f.default in (dict, list):
                self.defaults[f.attname] = f.default()
            elif f.has_default():  # timezone.now and the like; uuid4 ids are always given
                self.defaults[f.attname] = now
            elif f.null:
                self.defaults[f.attname] = None
            elif f.blank:
                self.defaults[f.attname] = ""

    def copy(self, cursor: Any, rows: list[dict[str, Any]]) -> None:
        from psycopg.types.json import Jsonb

        statement = f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in rows:
                values = {**self.defaults, **row}
                copy.write_row(
                    [Jsonb(values[a]) if a in self.json else values[a] for a in self.attnames]
                )


class Batch:
    """The rows of one batch of youths, by model, written with COPY in dependency order."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {}

    def add(self, label: str, **row: Any) -> dict[str, Any]:
        self.rows.setdefault(label, []).append(row)
        return row

    def write(self, tables: dict[str, Table], counts: dict[str, int]) -> None:
        from django.db import connection

        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            for label in ORDER:
                rows = self.rows.get(label, [])
                if rows:
                    tables[label].copy(cursor, rows)
                counts[label] = counts.get(label, 0) + len(rows)


def make_youth(
    batch: Batch,
    world: World,
    rng: random.Random,
    number: str,
    born: datetime.date,
    today: datetime.date,
    now: datetime.datetime,
    municipality: int | None = None,
) -> None:
    from cases import identity_crypto
    from cases.models.registry import YOUTH_NATIONAL_ID

    m = rng.randrange(world.municipalities) if municipality is None else municipality
    youth_id = uuid.uuid4()
    youth = batch.add(
        "cases.Youth",
        id=youth_id,
        # Stored as the application stores it: sealed to the row, found by its blind index.
        national_id_sealed=identity_crypto.seal(number, column=YOUTH_NATIONAL_ID, row=youth_id),
        national_id_index=identity_crypto.blind_index(number),
        national_id_kind="SYNTETISK",
        birth_date=born,
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        municipality_number=f"{3001 + m:04d}",
    )
    age = today.year - born.year
    first = "NAV" if rng.random() < 0.7 or age > 21 else "OT"
    kinds = [first, *rng.sample([k for k in KINDS if k != first], rng.randint(0, 2))]
    periods = []
    for kind in kinds:
        service = world.services[(m, kind)]
        started = today - datetime.timedelta(days=rng.randint(20, 900))
        closed = kind != first and rng.random() < 0.25
        responsible = rng.choice(world.staff[service.pk])
        periods.append(
            batch.add(
                "cases.FollowUpPeriod",
                id=uuid.uuid4(),
                youth_id=youth_id,
                youth_last_name=youth["last_name"],
                youth_first_name=youth["first_name"],
                service_id=service.pk,
                responsible_id=responsible,
                started_on=started,
                reason="Oppfølging",
                registration_reason="OT_DROPPED_OUT" if kind == "OT" else "",
                ended_on=today - datetime.timedelta(days=rng.randint(1, 15)) if closed else None,
                end_reason="Avsluttet" if closed else "",
                created_by_id=responsible,
                kind=kind,  # not a column: which service kind, for the rows below
            )
        )
    for _ in range(rng.randint(5, 15)):
        period = rng.choice(periods)
        end = period["ended_on"] or today
        day = period["started_on"] + datetime.timedelta(
            days=rng.randint(0, max((end - period["started_on"]).days, 0))
        )
        batch.add(
            "cases.FollowUpEntry",
            id=uuid.uuid4(),
            youth_id=youth_id,
            service_id=period["service_id"],
            period_id=period["id"],
            occurred_on=day,
            kind=rng.choice(ENTRY_KINDS),
            category=rng.choice(CATEGORY_OF_KIND[period["kind"]]),
            text="Samtale om skole, arbeid og hverdag. " * rng.randint(1, 4),
            author_id=period["responsible_id"],
            created_at=_moment(day, rng),
        )
    open_periods = [p for p in periods if p["ended_on"] is None]
    # Consents in every state: active, expired, withdrawn, guardian-given for a minor.
    if len(periods) > 1:
        for _ in range(rng.randint(1, 2)):
            state = rng.choice(["active", "active", "expired", "withdrawn"])
            minor = age < 18
            source, target = rng.sample(periods, 2)
            start = now - datetime.timedelta(days=rng.randint(30, 600))
            withdrawn = state == "withdrawn"
            consent = batch.add(
                "consent.Consent",
                id=uuid.uuid4(),
                subject_id=youth_id,
                decision="GIVEN",
                giver="GUARDIANS" if minor else "SUBJECT",
                giver_names="Foresatte" if minor else youth["first_name"],
                purpose_code="SAMARBEID",
                purpose="Samarbeid mellom tjenestene.",
                method="SIGNED_FORM",
                agreed_text="Jeg samtykker.",
                valid_from=start,
                valid_until=now - datetime.timedelta(days=1) if state == "expired" else None,
                recorded_by_id=source["responsible_id"],
                recorded_at=start,
                withdrawn_at=now - datetime.timedelta(days=2) if withdrawn else None,
                withdrawn_by_id=source["responsible_id"] if withdrawn else None,
                withdrawal_method="ORAL" if withdrawn else "",
            )
            for category in sorted({"GENERAL", *CATEGORY_OF_KIND[source["kind"]]}):
                for a, b in ((source, target), (target, source)):
                    batch.add(
                        "consent.ConsentScope",
                        consent_id=consent["id"],
                        subject_id=youth_id,
                        from_party_id=a["service_id"],
                        to_party_id=b["service_id"],
                        category=category,
                    )
    # Referrals in every state, about half the youths.
    if rng.random() < 0.5:
        source = periods[0]
        target = world.services[(m, rng.choice([k for k in KINDS if k != source["kind"]]))]
        state = rng.choice(REFERRAL_STATES)
        sent = now - datetime.timedelta(days=rng.randint(0, 40))
        referral = batch.add(
            "cases.Referral",
            id=uuid.uuid4(),
            youth_id=youth_id,
            from_service_id=source["service_id"],
            to_service_id=target.pk,
            sent_by_id=source["responsible_id"],
            reason_code="OTHER",
            message="Henvisning for videre oppfølging.",
            categories=["GENERAL"],
            bases={"GENERAL": "general"},
            respond_by=sent.date() + datetime.timedelta(days=14),
            state=state,
            sent_at=sent,
            received_at=sent if state != "SENT" else None,
            answered_at=sent if state in ("ACCEPTED", "DECLINED", "CLOSED") else None,
            decline_reason="Ikke ledig kapasitet" if state == "DECLINED" else "",
            closed_at=sent if state in ("WITHDRAWN", "CLOSED") else None,
        )
        if state in ("SENT", "RECEIVED") and "REFERRAL-RESPONSE" in world.rules:
            batch.add(
                "coordination.Deadline",
                id=uuid.uuid4(),
                youth_id=youth_id,
                rule_id="REFERRAL-RESPONSE",
                subject_type="referral",
                subject_id=referral["id"],
                category="GENERAL",
                due_on=referral["respond_by"],
                service_id=target.pk,
            )
    # The NAV office's activity plan with five activities (each with its deadline).
    nav = next((p for p in open_periods if p["kind"] == "NAV"), None)
    if nav is not None:
        approved = rng.random() < 0.6
        plan = batch.add(
            "cases.ActivityPlan",
            id=uuid.uuid4(),
            youth_id=youth_id,
            period_id=nav["id"],
            created_by_id=nav["responsible_id"],
            approved_at=now if approved else None,
            approved_by_id=nav["responsible_id"] if approved else None,
        )
        for n in range(5):
            kind, category = rng.choice(ACTIVITY_TYPES)
            due = today + datetime.timedelta(days=rng.randint(-30, 60))
            status = rng.choice(ACTIVITY_STATUSES)
            activity = batch.add(
                "cases.Activity",
                id=uuid.uuid4(),
                plan_id=plan["id"],
                youth_id=youth_id,
                type=kind,
                status=status,
                category=category,
                title=f"Aktivitet {n + 1}",
                deadline=due,
                responsible_service_id=nav["service_id"],
                created_by_id=nav["responsible_id"],
            )
            deadline_status = (
                "MET" if status == "FULLFORT" else "CANCELLED" if status == "AVBRUTT"
                else "MISSED" if due < today else "OPEN"
            )  # fmt: skip
            deadline = batch.add(
                "coordination.Deadline",
                id=uuid.uuid4(),
                youth_id=youth_id,
                rule_id="ACTIVITY",
                subject_type="activity",
                subject_id=activity["id"],
                category=category,
                due_on=due,
                service_id=nav["service_id"],
                staff_id=nav["responsible_id"],
                status=deadline_status,
                closed_at=now if deadline_status in ("MET", "CANCELLED") else None,
            )
            _reminders(batch, deadline, nav["responsible_id"], today, now, rng)
    # Access-log rows: looks by the services that follow.
    for _ in range(rng.randint(3, 7)):
        period = rng.choice(periods)
        batch.add(
            "consent.AccessLogEntry",
            at=now - datetime.timedelta(minutes=rng.randint(0, 60 * 24 * ACCESS_LOG_DAYS)),
            actor_id=period["responsible_id"],
            actor_name="Bench",
            party_id=period["service_id"],
            role="CASEWORKER",
            subject_id=youth_id,
            purpose=rng.choice(["caseload", "youth", "youth-timeline"]),
            granted=rng.random() > 0.02,
            categories=["GENERAL"],
            items=[],
            bases=["own"],
        )


def _reminders(
    batch: Batch,
    deadline: dict[str, Any],
    user_id: int,
    today: datetime.date,
    now: datetime.datetime,
    rng: random.Random,
) -> None:
    """Reminders in every state: sent, pending (a few past due and unsent), cancelled."""
    for stage, days in (("BEFORE", 7), ("DUE", 0), ("ESCALATION", 3)):
        if stage == "ESCALATION" and deadline["status"] != "MISSED":
            continue
        day = deadline["due_on"] + datetime.timedelta(days=-days if stage == "BEFORE" else days)
        if deadline["status"] == "CANCELLED":
            status = "CANCELLED"
        elif day < today:
            status = "SENT" if rng.random() < 0.95 else "PENDING"
        else:
            status = "PENDING"
        batch.add(
            "coordination.Reminder",
            deadline_id=deadline["id"],
            stage=stage,
            days=days,
            recipient_key=f"user:{user_id}",
            user_id=user_id,
            send_after=datetime.datetime.combine(day, datetime.time(6), tzinfo=datetime.UTC),
            status=status,
            sent_at=now if status == "SENT" else None,
        )


def municipalities_for(youths: int) -> int:
    """50 municipalities up to 100,000 youths; beyond, one per 2,000 youths, so an office
    follows about as many youths at 1,000,000 as at 100,000 and the growth scenarios compare
    the same work on bigger tables (500 municipalities at 1,000,000; Norway has 357)."""
    return max(MUNICIPALITIES, -(-youths // YOUTHS_PER_MUNICIPALITY))


def municipality_of(index: int, world: World) -> int | None:
    """Beyond 50 municipalities, youths fill them 2,000 at a time (None: drawn at random among
    the 50). A run stopped early then still has whole offices of 2,000: its tables are as big
    as it got, the work per office is that of the full run."""
    if world.municipalities <= MUNICIPALITIES:
        return None
    return min(index // YOUTHS_PER_MUNICIPALITY, world.municipalities - 1)


def _can_skip_triggers(connection: Any) -> bool:
    """A superuser may load with the foreign-key triggers off (session_replication_role):
    the rows are built consistent, and the per-row checks are a large part of a batch's time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT usesuper FROM pg_user WHERE usename = current_user")
        return bool(cursor.fetchone()[0])


@dataclass
class Plan:
    """What every batch needs to be made the same way by any process: the batch number alone
    decides its random draws, and a process's identity numbers come from its own birth days."""

    youths: int
    seed: int
    world: World
    today: datetime.date
    now: datetime.datetime
    jobs: int = 1
    trusted: bool = False  # skip the foreign-key checks where allowed (the tests keep them)

    def batches(self, job: int) -> Iterator[tuple[int, int]]:
        """(first youth index, size) of the batches this job makes."""
        for first in range(job * BATCH, self.youths, self.jobs * BATCH):
            yield first, min(BATCH, self.youths - first)

    def numbers(self, job: int) -> Iterator[tuple[str, datetime.date]]:
        start = self.today.replace(year=self.today.year - 29)
        return synthetic_numbers(
            random.Random(f"{self.seed}-numbers-{job}"), start, 365 * 14, self.jobs, job
        )


def _make_batches(plan: Plan, job: int, report: Any) -> None:
    """Make and write this job's batches, one transaction each; report(size, counts) after."""
    from django.db import connection, transaction

    replica = plan.trusted and _can_skip_triggers(connection)
    tables = {label: Table(label, plan.now) for label in ORDER}
    numbers = plan.numbers(job)
    for first, size in plan.batches(job):
        rng = random.Random(f"{plan.seed}-batch-{first}")
        batch = Batch()
        for i, (number, born) in enumerate(itertools.islice(numbers, size)):
            where = municipality_of(first + i, plan.world)
            make_youth(batch, plan.world, rng, number, born, plan.today, plan.now, where)
        for period in batch.rows.get("cases.FollowUpPeriod", []):
            del period["kind"]
        counts: dict[str, int] = {}
        with transaction.atomic():
            if replica:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            batch.write(tables, counts)
        report(size, counts)


def _job(plan: Plan, job: int, queue: Any) -> None:
    """A forked process's share (the parent closed its connection: each opens its own)."""
    try:
        _make_batches(plan, job, lambda size, counts: queue.put((size, counts)))
        queue.put(("done", job))
    except BaseException as error:  # the parent stops the others and fails
        queue.put(("failed", f"job {job}: {error!r}"))
        raise


def generate(
    youths: int, *, seed: int = 7, progress: bool = True, jobs: int = 1, trusted: bool = False
) -> dict[str, int]:
    """Make the youths in batches; jobs > 1 forks processes that share the batches (needs
    committed services and staff, so not inside a test's transaction). trusted (the command
    line): load without the foreign-key triggers when the user may, and end with VACUUM ANALYZE;
    the tests keep the checks."""
    import multiprocessing

    from django.db import connection, transaction
    from tqdm import tqdm

    if connection.vendor != "postgresql":
        raise SystemExit("bench.generate needs PostgreSQL (DATABASE_URL=postgres://…).")
    from consent import partitions

    rng = random.Random(seed)
    now = datetime.datetime.now(datetime.UTC)
    # The access log's partitions of the months its rows are spread over (a migrated database
    # has this month's and the months ahead).
    month = partitions.month_of(now - datetime.timedelta(days=ACCESS_LOG_DAYS + 1))
    while month <= partitions.month_of(now):
        partitions.add_month(month)
        month = partitions.next_month(month)
    with transaction.atomic():
        world = build_world(rng, municipalities_for(youths))
    plan = Plan(
        youths, seed, world, datetime.date.today(), now,
        jobs=max(1, min(jobs, -(-youths // BATCH))), trusted=trusted,
    )  # fmt: skip
    counts: dict[str, int] = {}
    bar = tqdm(total=youths, unit=" ungdommer", disable=not progress, file=sys.stderr)

    def add(size: int, batch_counts: dict[str, int]) -> None:
        for label, n in batch_counts.items():
            counts[label] = counts.get(label, 0) + n
        bar.update(size)

    if plan.jobs == 1:
        _make_batches(plan, 0, add)
    else:
        connection.close()
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        processes = [context.Process(target=_job, args=(plan, j, queue)) for j in range(plan.jobs)]
        for process in processes:
            process.start()
        running = plan.jobs
        while running:
            try:
                first, second = queue.get(timeout=5)
            except Empty:  # a process killed outright sends nothing: do not wait for it
                dead = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
                if dead:
                    first, second = "failed", f"a process ended with {dead[0]}"
                else:
                    continue
            if first == "done":
                running -= 1
            elif first == "failed":
                for process in processes:
                    process.terminate()
                raise SystemExit(f"bench.generate failed in {second}")
            else:
                add(first, second)
        for process in processes:
            process.join()
    bar.close()
    with connection.cursor() as cursor:
        # From the command line (no transaction around it) also set the visibility maps, as in
        # a database long in use; inside a test's transaction VACUUM cannot run.
        cursor.execute("VACUUM ANALYZE" if trusted else "ANALYZE")
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--youths", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: one per core)"
    )
    args = parser.parse_args(argv)
    _setup_django()
    from cases.models import Youth

    if Youth.objects.exists():
        raise SystemExit("The database has youths already: generate into an empty one.")
    started = time.perf_counter()
    counts = generate(args.youths, seed=args.seed, jobs=args.jobs, trusted=True)
    seconds = time.perf_counter() - started
    rows = sum(counts.values())
    print(f"{args.youths} youths, {rows} rows in {seconds:.0f} s ({rows / seconds:.0f} rows/s)")
    for table, n in sorted(counts.items()):
        print(f"  {table:<16} {n}")


if __name__ == "__main__":
    main()
