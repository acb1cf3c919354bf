"""Benchmark data for PostgreSQL: N youths across ~50 municipalities (issue 7).

    python -m bench.generate --youths 100000      # also 1000, 10000, 1000000

Each municipality has six services (NAV, OT, school, health, child welfare, PPT) and ~40 staff
(~2,000 in all). Per youth on average: 1-3 follow-up periods, ~10 follow-up entries in mixed
categories, consents in every state (active, expired, withdrawn, guardian-given for minors),
a referral in some state for about half, an activity plan with 5 activities for those NAV
follows, deadlines and reminders in every state, and access-log rows. Rows are built per batch
of youths and written with ``bulk_create`` (memory stays flat); a progress bar shows the youths.

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
from typing import Any

MUNICIPALITIES = 50
STAFF_PER_SERVICE = 7  # 50 × 6 × 7 ≈ 2,100 staff
BATCH = 1000
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


def synthetic_numbers(start: datetime.date, days: int) -> Iterator[tuple[str, datetime.date]]:
    """Unique synthetic identity numbers (Skatteetaten's: month + 80) with valid check digits,
    date by date, then individual number by individual number: enough for 1,000,000 youths."""
    for individual in range(1000):
        for offset in range(days):
            born = start + datetime.timedelta(days=offset)
            if (born.year >= 2000) != (individual >= 500):
                continue  # the individual number encodes the century
            digits = [int(c) for c in f"{born:%d}{born.month + 80:02d}{born:%y}{individual:03d}"]
            k1 = 11 - sum(w * d for w, d in zip(K1, digits, strict=True)) % 11
            k1 = 0 if k1 == 11 else k1
            if k1 == 10:
                continue
            k2 = 11 - sum(w * d for w, d in zip(K2, [*digits, k1], strict=True)) % 11
            k2 = 0 if k2 == 11 else k2
            if k2 == 10:
                continue
            yield "".join(map(str, digits)) + f"{k1}{k2}", born


@dataclass
class World:
    """The services and staff of the municipalities, and the rules, by what the batches need."""

    services: dict[tuple[int, str], Any]
    staff: dict[Any, list[int]]  # service id -> user ids
    rules: set[str]
    counts: dict[str, int] = field(default_factory=dict)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
    import django

    django.setup()


def build_world(rng: random.Random) -> World:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from cases.models import Service, StaffMembership
    from coordination.models import DeadlineRule

    user_model = get_user_model()
    services: dict[tuple[int, str], Any] = {}
    rows = []
    for m in range(MUNICIPALITIES):
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
    return World(services=services, staff=staff, rules=rules)


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(rng.randint(7, 16), rng.randint(0, 59)), tzinfo=datetime.UTC
    )


class Batch:
    """The rows of one batch of youths, written table by table in dependency order."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Any]] = {}

    def add(self, table: str, row: Any) -> Any:
        self.rows.setdefault(table, []).append(row)
        return row

    def write(self, counts: dict[str, int]) -> None:
        from cases.models import (
            Activity,
            ActivityPlan,
            FollowUpEntry,
            FollowUpPeriod,
            Referral,
            Youth,
        )
        from consent.models import AccessLogEntry, Consent, ConsentScope
        from coordination.models import Deadline, Reminder

        order = [Youth, FollowUpPeriod, FollowUpEntry, Consent, ConsentScope, Referral,
                 ActivityPlan, Activity, Deadline, Reminder, AccessLogEntry]  # fmt: skip
        for model in order:
            rows = self.rows.get(model.__name__, [])
            model.objects.bulk_create(rows, batch_size=5000)
            counts[model.__name__] = counts.get(model.__name__, 0) + len(rows)


def make_youth(
    batch: Batch,
    world: World,
    rng: random.Random,
    number: str,
    born: datetime.date,
    today: datetime.date,
    now: datetime.datetime,
) -> None:
    from cases.models import (
        Activity,
        ActivityPlan,
        FollowUpEntry,
        FollowUpPeriod,
        Referral,
        Youth,
    )
    from consent.models import AccessLogEntry, Consent, ConsentScope
    from coordination.models import Deadline, Reminder

    m = rng.randrange(MUNICIPALITIES)
    youth = batch.add(
        "Youth",
        Youth(
            id=uuid.uuid4(),
            national_id=number,
            national_id_kind="SYNTETISK",
            birth_date=born,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            municipality_number=f"{3001 + m:04d}",
        ),
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
                "FollowUpPeriod",
                FollowUpPeriod(
                    id=uuid.uuid4(),
                    youth=youth,
                    service=service,
                    responsible_id=responsible,
                    started_on=started,
                    reason="Oppfølging",
                    ended_on=today - datetime.timedelta(days=rng.randint(1, 15))
                    if closed
                    else None,
                    end_reason="Avsluttet" if closed else "",
                    created_by_id=responsible,
                ),
            )
        )
    for _ in range(rng.randint(5, 15)):
        period = rng.choice(periods)
        day = period.started_on + datetime.timedelta(
            days=rng.randint(0, max(((period.ended_on or today) - period.started_on).days, 0))
        )
        batch.add(
            "FollowUpEntry",
            FollowUpEntry(
                id=uuid.uuid4(),
                youth=youth,
                service=period.service,
                period=period,
                occurred_on=day,
                kind=rng.choice(ENTRY_KINDS),
                category=rng.choice(CATEGORY_OF_KIND[period.service.kind]),
                text="Samtale om skole, arbeid og hverdag. " * rng.randint(1, 4),
                author_id=period.responsible_id,
                created_at=_moment(day, rng),
            ),
        )
    open_periods = [p for p in periods if p.ended_on is None]
    # Consents in every state: active, expired, withdrawn, guardian-given for a minor.
    if len(periods) > 1:
        for _ in range(rng.randint(1, 2)):
            state = rng.choice(["active", "active", "expired", "withdrawn"])
            minor = age < 18
            source, target = rng.sample(periods, 2)
            start = now - datetime.timedelta(days=rng.randint(30, 600))
            consent = batch.add(
                "Consent",
                Consent(
                    id=uuid.uuid4(),
                    subject=youth,
                    decision="GIVEN",
                    giver="GUARDIANS" if minor else "SUBJECT",
                    giver_names="Foresatte" if minor else youth.first_name,
                    purpose_code="SAMARBEID",
                    purpose="Samarbeid mellom tjenestene.",
                    method="SIGNED_FORM",
                    agreed_text="Jeg samtykker.",
                    valid_from=start,
                    valid_until=now - datetime.timedelta(days=1) if state == "expired" else None,
                    recorded_by_id=source.responsible_id,
                    recorded_at=start,
                    withdrawn_at=now - datetime.timedelta(days=2) if state == "withdrawn" else None,
                    withdrawn_by_id=source.responsible_id if state == "withdrawn" else None,
                    withdrawal_method="ORAL" if state == "withdrawn" else "",
                    documented_by_id=None,
                ),
            )
            for category in {"GENERAL", *CATEGORY_OF_KIND[source.service.kind]}:
                for a, b in ((source, target), (target, source)):
                    batch.add(
                        "ConsentScope",
                        ConsentScope(
                            consent=consent,
                            subject=youth,
                            from_party=a.service,
                            to_party=b.service,
                            category=category,
                        ),
                    )
    # Referrals in every state, about half the youths.
    if rng.random() < 0.5:
        source = periods[0]
        target = world.services[(m, rng.choice([k for k in KINDS if k != source.service.kind]))]
        state = rng.choice(REFERRAL_STATES)
        sent = now - datetime.timedelta(days=rng.randint(0, 40))
        referral = batch.add(
            "Referral",
            Referral(
                id=uuid.uuid4(),
                youth=youth,
                from_service=source.service,
                to_service=target,
                sent_by_id=source.responsible_id,
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
            ),
        )
        if state in ("SENT", "RECEIVED") and "REFERRAL-RESPONSE" in world.rules:
            batch.add(
                "Deadline",
                Deadline(
                    youth=youth,
                    rule_id="REFERRAL-RESPONSE",
                    subject_type="referral",
                    subject_id=referral.id,
                    category="GENERAL",
                    due_on=referral.respond_by,
                    service=target,
                ),
            )
    # The NAV office's activity plan with five activities (each with its deadline).
    nav = next((p for p in open_periods if p.service.kind == "NAV"), None)
    if nav is not None:
        plan = batch.add(
            "ActivityPlan",
            ActivityPlan(
                id=uuid.uuid4(),
                youth=youth,
                period=nav,
                created_by_id=nav.responsible_id,
            ),
        )
        if rng.random() < 0.6:
            plan.approved_at, plan.approved_by_id = now, nav.responsible_id
        for n in range(5):
            kind, category = rng.choice(ACTIVITY_TYPES)
            due = today + datetime.timedelta(days=rng.randint(-30, 60))
            status = rng.choice(ACTIVITY_STATUSES)
            activity = batch.add(
                "Activity",
                Activity(
                    id=uuid.uuid4(),
                    plan=plan,
                    youth=youth,
                    type=kind,
                    status=status,
                    category=category,
                    title=f"Aktivitet {n + 1}",
                    deadline=due,
                    responsible_service=nav.service,
                    created_by_id=nav.responsible_id,
                ),
            )
            deadline_status = (
                "MET" if status == "FULLFORT" else "CANCELLED" if status == "AVBRUTT"
                else "MISSED" if due < today else "OPEN"
            )  # fmt: skip
            deadline = batch.add(
                "Deadline",
                Deadline(
                    id=uuid.uuid4(),
                    youth=youth,
                    rule_id="ACTIVITY",
                    subject_type="activity",
                    subject_id=activity.id,
                    category=category,
                    due_on=due,
                    service=nav.service,
                    staff_id=nav.responsible_id,
                    status=deadline_status,
                    closed_at=now if deadline_status in ("MET", "CANCELLED") else None,
                ),
            )
            _reminders(batch, deadline, nav.responsible_id, today, now, rng, Reminder)
    # Access-log rows: looks by the services that follow.
    for _ in range(rng.randint(3, 7)):
        period = rng.choice(periods)
        batch.add(
            "AccessLogEntry",
            AccessLogEntry(
                at=now - datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 90)),
                actor_id=period.responsible_id,
                actor_name="Bench",
                party=period.service,
                role="CASEWORKER",
                subject=youth,
                purpose=rng.choice(["caseload", "youth", "youth-timeline"]),
                granted=rng.random() > 0.02,
                categories=["GENERAL"],
                items=[],
                bases=["own"],
            ),
        )


def _reminders(batch: Batch, deadline: Any, user_id: int, today: datetime.date,
               now: datetime.datetime, rng: random.Random, reminder: Any) -> None:  # fmt: skip
    """Reminders in every state: sent, pending (some due now), cancelled."""
    for stage, days in (("BEFORE", 7), ("DUE", 0), ("ESCALATION", 3)):
        day = deadline.due_on + datetime.timedelta(days=-days if stage == "BEFORE" else days)
        if stage == "ESCALATION" and deadline.status != "MISSED":
            continue
        if deadline.status == "CANCELLED":
            status = "CANCELLED"
        elif day < today:
            status = "SENT" if rng.random() < 0.95 else "PENDING"  # a few due and unsent
        else:
            status = "PENDING"
        batch.add(
            "Reminder",
            reminder(
                deadline=deadline,
                stage=stage,
                days=days,
                recipient_key=f"user:{user_id}",
                user_id=user_id,
                send_after=datetime.datetime.combine(day, datetime.time(6), tzinfo=datetime.UTC),
                status=status,
                sent_at=now if status == "SENT" else None,
            ),
        )


def generate(youths: int, *, seed: int = 7, progress: bool = True) -> dict[str, int]:
    from django.db import connection, transaction
    from tqdm import tqdm

    if connection.vendor != "postgresql":
        raise SystemExit("bench.generate needs PostgreSQL (DATABASE_URL=postgres://…).")
    rng = random.Random(seed)
    today = datetime.date.today()
    now = datetime.datetime.now(datetime.UTC)
    with transaction.atomic():
        world = build_world(rng)
    numbers = synthetic_numbers(today.replace(year=today.year - 29), 365 * 14)
    counts: dict[str, int] = {}
    bar = tqdm(total=youths, unit=" ungdommer", disable=not progress, file=sys.stderr)
    made = 0
    while made < youths:
        size = min(BATCH, youths - made)
        batch = Batch()
        for number, born in itertools.islice(numbers, size):
            make_youth(batch, world, rng, number, born, today, now)
        with transaction.atomic():
            batch.write(counts)
        made += size
        bar.update(size)
    bar.close()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--youths", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    _setup_django()
    from cases.models import Youth

    if Youth.objects.exists():
        raise SystemExit("The database has youths already: generate into an empty one.")
    started = time.perf_counter()
    counts = generate(args.youths, seed=args.seed)
    seconds = time.perf_counter() - started
    rows = sum(counts.values())
    print(f"{args.youths} youths, {rows} rows in {seconds:.0f} s ({rows / seconds:.0f} rows/s)")
    for table, n in sorted(counts.items()):
        print(f"  {table:<16} {n}")


if __name__ == "__main__":
    main()
