"""The youth's copy (GDPR art. 15) for a youth with a realistic amount of data: how long the read,
the JSON and the PDF take, and how many queries the read runs.

    python -m bench.copy                 # two and a half years of follow-up by four services
    python -m bench.copy --quick         # a small youth (the test suite runs this)

Run against an empty, migrated database (``scripts/with_postgres.py`` makes a throwaway one):

    uv run --frozen python scripts/with_postgres.py -- bash -c \\
        "python manage.py migrate -v0 && python -m bench.copy"

The youth is made through the services, as the tests make theirs: entries, referrals,
handovers, a §14a decision with an activity plan, an individual plan with goals, measures and
reviews, consents, deadlines and reminders, and the audit trail they write; the access log gets
the looks of ``--days`` days of follow-up by four services (``_looks``). Results go to
``var/bench/copy.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any


@dataclass
class Volume:
    entries: int = 240
    referrals: int = 8
    activities: int = 30
    goals: int = 8
    reviews: int = 5
    consents: int = 10
    days: int = 900  # of looks in the access log


QUICK = Volume(entries=10, referrals=2, activities=3, goals=2, reviews=1, consents=2, days=14)


@dataclass
class Timing:
    rows: int
    sections: dict[str, int]
    queries: int
    read_ms: float
    read_cpu_ms: float
    json_ms: float
    pdf_ms: float
    pdf_cpu_ms: float
    json_bytes: int
    pdf_bytes: int
    pdf_pages: int
    rounds: int


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
    import django

    django.setup()


def make_youth(volume: Volume) -> Any:
    """One youth of 17, followed by NAV, OT, the school and the health service and referred
    to PPT, with ``volume`` records, made through the services."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from cases import demo, services
    from cases.models import Activity, FollowUpPeriod, ServiceKind, StaffRole
    from consent.categories import Category
    from consent.services import Flow
    from coordination.deadlines import ledger
    from coordination.plans import services as plans

    today = timezone.localdate()
    users = get_user_model()

    def service(kind: str, name: str) -> Any:
        return services.service_create(
            kind=kind, name=name, notification_email="x@samordna.test", municipality_number="4003"
        )

    def staff(place: Any, username: str, role: str = StaffRole.CASEWORKER) -> Any:
        user = users.objects.create_user(username, first_name="Ansatt", last_name=username)
        services.membership_add(actor=None, user=user, service=place, role=role)
        return user

    nav, ot = service(ServiceKind.NAV, "NAV Benk"), service(ServiceKind.OT, "OT Benk")
    school = service(ServiceKind.SCHOOL, "Benk videregående")
    health = service(ServiceKind.HEALTH, "Helsestasjon Benk")
    elsewhere = service(ServiceKind.OTHER, "PPT Benk")
    advisor, counsellor = staff(nav, "veileder.benk"), staff(ot, "ot.benk")
    teacher, nurse = staff(school, "skole.benk"), staff(health, "helse.benk")
    coordinator = staff(ot, "koordinator.benk", StaffRole.COORDINATOR)
    manager = staff(nav, "leder.benk", StaffRole.MANAGER)
    born = today.replace(year=today.year - 17, day=1) - datetime.timedelta(days=50)
    since = today - datetime.timedelta(days=900)
    youth, _period, _created = services.youth_register(
        actor=advisor,
        service=nav,
        national_id=demo.synthetic_national_id(random.Random(17), born),
        first_name="Benk",
        last_name="Ungdom",
        municipality_number="4003",
        reason="Arbeidsrettet oppfølging",
        started_on=since,
    )
    for who, where in ((counsellor, ot), (teacher, school), (nurse, health)):
        services.period_open(
            actor=who,
            youth=youth,
            service=where,
            reason="Samarbeid om oppfølging",
            registration_reason="OT_DROPPED_OUT" if where == ot else "",
            started_on=since,
        )
    writers = [(advisor, nav), (counsellor, ot), (teacher, school), (nurse, health)]
    for n in range(volume.entries):
        who, where = writers[n % len(writers)]
        services.entry_log(
            actor=who,
            youth=youth,
            service=where,
            occurred_on=today - datetime.timedelta(days=n * 3),
            kind="CONVERSATION",
            text=f"Samtale {n}: hvordan det går med skole, arbeid og hverdag. " * 4,
        )
    sent: list[Any] = []
    for n in range(volume.referrals):
        for earlier in sent[-1:]:  # one unanswered referral per receiver: withdraw the last
            services.referral_withdraw(actor=advisor, referral=earlier, version=earlier.version)
        sent.append(
            services.referral_send(
                actor=advisor,
                youth=youth,
                from_service=nav,
                to_service=elsewhere,
                reason_code="OTHER",
                reason="Utredning",
                message=f"Henvisning {n}",
                categories=[],
            )
        )
    services.handover_offer(
        actor=advisor,
        period=FollowUpPeriod.objects.get(youth=youth, service=nav),
        to_service=nav,
        to_user=manager,
    )
    services.decision_record(
        actor=advisor,
        youth=youth,
        service=nav,
        innsatsgruppe="SITUASJONSBESTEMT_INNSATS",
        main_goal="SKAFFE_ARBEID",
        decided_on=today,
    )
    activity_plan = services.activity_plan_create(actor=advisor, youth=youth, service=nav)
    for n in range(volume.activities):
        services.activity_add(
            actor=advisor,
            plan=activity_plan,
            type="EGEN",
            title=f"Aktivitet {n}",
            deadline=today + datetime.timedelta(days=n + 1),
        )
    for activity in Activity.objects.filter(youth=youth):
        services.activity_change(
            actor=advisor,
            activity=activity,
            version=activity.version,
            values={"status": "GJENNOMFORES"},
            youth_text="Du har begynt",
        )
    for n in range(volume.consents):
        services.consent_give(
            actor=counsellor,
            youth=youth,
            decision="GIVEN",
            giver="SUBJECT",
            purpose_code="SAMARBEID",
            purpose=f"Samarbeid {n}",
            method="DIGITAL",
            agreed_text="Jeg samtykker.",
            flows=[Flow(categories=[Category.EDUCATION], from_party=ot, to_party=nav)],
        )
    plan = plans.plan_create(
        actor=coordinator,
        youth=youth,
        kind="INDIVIDUAL",
        service=ot,
        consent=plans.PlanConsent(
            giver="SUBJECT",
            method="DIGITAL",
            agreed_text="Jeg samtykker til individuell plan.",
            categories=(Category.WORK_AND_WELFARE,),
        ),
        participants=[plans.NewParticipant(service=nav, contact=advisor, contribution="Arbeid")],
        values={"my_goals": "Fullføre skolen og få jobb"},
    )
    plan = plans.plan_update(
        actor=coordinator,
        plan=plan,
        version=plan.version,
        values={"next_review_on": today + datetime.timedelta(days=30)},
    )
    plan = plans.plan_activate(actor=coordinator, plan=plan, version=plan.version)
    for n in range(volume.goals):
        goal = plans.goal_add(actor=coordinator, plan=plan, title=f"Mål {n}")
        for m in range(2):
            plans.measure_add(
                actor=coordinator,
                plan=plan,
                goal=goal,
                title=f"Tiltak {n}.{m}",
                service=nav,
                responsible=advisor,
            )
    for n in range(volume.reviews):
        plan.refresh_from_db()
        plans.review_record(
            actor=coordinator,
            plan=plan,
            version=plan.version,
            held_on=today - datetime.timedelta(days=volume.reviews - n),
            next_review_on=today + datetime.timedelta(days=30 + n),
            youth_view=f"Evaluering {n}",
        )
    ledger.derive_changed()
    _looks(youth, writers, days=volume.days, seed=volume.days)
    return youth


def _looks(youth: Any, readers: list[tuple[Any, Any]], *, days: int, seed: int) -> None:
    """The access log of ``days`` of follow-up by the services ``readers`` (a staff member and
    their service): on a working day each opens their caseload (one look per listing) on
    three days in five, one to three times, and reads the youth (timeline, five items) on one
    day in four."""
    import time_machine
    from django.utils import timezone

    from cases.models import StaffRole
    from consent.categories import Category
    from consent.services import Access, access_log_record

    rng = random.Random(seed)
    today = timezone.localdate()
    for back in range(days, 0, -1):
        day = today - datetime.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for reader, service in readers:
            looks: list[tuple[str, list[dict[str, Any]], list[str]]] = []
            if rng.random() < 0.6:
                looks += [("caseload", [], ["general"])] * rng.randint(1, 3)
            if rng.random() < 0.25:
                items = [
                    {"type": "entry", "id": str(n), "category": "EDUCATION", "basis": "own"}
                    for n in range(5)
                ]
                looks.append(("timeline", items, ["own"]))
            for n, (purpose, items, bases) in enumerate(looks):
                moment = datetime.datetime.combine(
                    day, datetime.time(8 + n * 2, rng.randint(0, 59))
                )
                with time_machine.travel(timezone.make_aware(moment), tick=False):
                    access_log_record(
                        actor=reader,
                        accesses=[
                            Access(
                                subject_id=youth.pk,
                                granted=True,
                                purpose=purpose,
                                party_id=service.pk,
                                role=StaffRole.CASEWORKER,
                                categories=[Category.GENERAL, *(i["category"] for i in items)],
                                items=items,
                                bases=bases,
                            )
                        ],
                    )


def measure(youth: Any, rounds: int) -> Timing:
    import io

    import pypdf
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from coordination.export.copy import as_json, as_pdf, youth_copy

    translation.activate("nb")
    reads, jsons, pdfs, cpus, read_cpus = [], [], [], [], []
    for _ in range(rounds):
        connection.queries_log.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            copy = youth_copy(youth=youth, produced_by="Benk Ungdom")
        read = time.perf_counter()
        read_cpus.append((time.process_time() - started_cpu) * 1000)
        body = as_json(copy)
        written, cpu = time.perf_counter(), time.process_time()
        pdf = as_pdf(copy)
        done = time.perf_counter()
        cpus.append((time.process_time() - cpu) * 1000)
        reads.append((read - started) * 1000)
        jsons.append((written - read) * 1000)
        pdfs.append((done - written) * 1000)
    sections = {key: len(rows) for key, rows in copy.sections.items()}
    return Timing(
        rows=sum(sections.values()),
        sections=sections,
        queries=len(queries),
        read_ms=round(statistics.median(reads), 1),
        read_cpu_ms=round(statistics.median(read_cpus), 1),
        json_ms=round(statistics.median(jsons), 1),
        pdf_ms=round(statistics.median(pdfs), 1),
        pdf_cpu_ms=round(statistics.median(cpus), 1),
        json_bytes=len(body),
        pdf_bytes=len(pdf),
        pdf_pages=len(pypdf.PdfReader(io.BytesIO(pdf)).pages),
        rounds=rounds,
    )


def run(volume: Volume, rounds: int, out: Path | None = None) -> Timing:
    youth = make_youth(volume)
    timing = measure(youth, rounds)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "copy.json").write_text(json.dumps(asdict(timing), indent=1))
    return timing


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small youth, one round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--days", type=int, default=None, help="days of looks in the access log")
    parser.add_argument("--out", type=Path, default=Path("var/bench"))
    args = parser.parse_args(argv)
    _setup_django()
    volume = QUICK if args.quick else Volume()
    if args.days is not None:
        volume = replace(volume, days=args.days)
    timing = run(volume, 1 if args.quick else args.rounds, args.out)
    print(json.dumps(asdict(timing), indent=1))


if __name__ == "__main__":
    main()
