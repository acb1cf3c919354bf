"""Demo plans on top of the demo municipality (``cases.demo``): individual plans and stafettlogg
plans for youths several services follow, coordinated by the demo coordinator at NAV Skien."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases import demo as cases_demo
from cases import portal
from cases.models import FollowUpPeriod, Guardian, PortalAccount, Service, Youth
from consent import ages
from consent.categories import Category
from consent.models import Giver, Method
from coordination.models import MeasureStatus, PlanKind
from coordination.plans import services as plan_services

COORDINATOR = "eva.koord"
YOUTH_USERNAME = "ungdom.demo"
GUARDIAN_USERNAME = "foresatt.demo"
GOALS = [
    ("Fullføre videregående", "Fagbrev som tømrer", Category.EDUCATION),
    ("Komme i arbeid", "Arbeidstrening hos lokal bedrift", Category.WORK_AND_WELFARE),
    ("Bedre psykisk helse", "Faste samtaler på helsestasjonen", Category.HEALTH),
    ("Egen bolig", "Søke kommunal bolig med støtte", Category.FAMILY_AND_ECONOMY),
]
OWN_WORDS = [
    "Jeg slutta på skolen i vg2. Det ble for mye fravær og jeg fikk ikke sove.",
    "Jeg har bodd hos tante siden i fjor. Jeg vil klare meg selv.",
    "Jeg liker å jobbe med hendene, og vil gjerne bli snekker.",
]


def _service_for(category: str, services: list[Service], holder: Service) -> Service:
    kinds: dict[str, tuple[str, ...]] = {
        Category.EDUCATION: ("SCHOOL", "OT"),
        Category.HEALTH: ("HEALTH",),
        Category.WORK_AND_WELFARE: ("NAV",),
    }
    wanted = kinds.get(str(category), ())
    return next((s for s in services if s.kind in wanted), holder)


def seed_plans(*, seed_value: int = 2026, share: float = 0.25) -> dict[str, int]:
    """Plans for a share of the youths NAV follows together with another service."""
    rng = random.Random(seed_value + 1)
    coordinator = get_user_model().objects.get(username=COORDINATOR)
    nav = Service.objects.get(name="NAV Skien")
    today = timezone.localdate()
    counts = {"plans": 0, "measures": 0, "reviews": 0}
    youths = (
        Youth.objects.filter(periods__service=nav, periods__ended_on__isnull=True)
        .order_by("created_at")
        .distinct()
    )
    for youth in youths:
        following = [
            p.service
            for p in FollowUpPeriod.objects.filter(youth=youth, ended_on__isnull=True)
            .select_related("service")
            .exclude(service=nav)
        ]
        if not following or rng.random() > share:
            continue
        individual = rng.random() < 0.6 and youth.age_on(today) >= 16
        categories = [Category.WORK_AND_WELFARE, Category.EDUCATION]
        # Whoever the consent rules name gives it: the youth from the sharing age, else the
        # guardians (who a minor the demo follows always has).
        giver = ages.giver_for(categories, youth.birth_date, today, youth.municipality_number)
        consent = (
            plan_services.PlanConsent(
                giver=giver,
                method=Method.SIGNED_FORM,
                agreed_text="Jeg samtykker til individuell plan og til at tjenestene i planen "
                "deler opplysningene som trengs for å samarbeide om den.",
                categories=categories,
            )
            if individual and giver is not None
            else None
        )
        if individual and consent is None:
            continue
        if (
            consent is not None
            and consent.giver == Giver.GUARDIANS
            and not youth.guardians.exists()
        ):
            continue
        plan = plan_services.plan_create(
            actor=coordinator,
            youth=youth,
            kind=PlanKind.INDIVIDUAL if individual else PlanKind.STAFETTLOGG,
            service=nav,
            consent=consent,
            participants=[
                plan_services.NewParticipant(service=s, contribution="Oppfølging i egen tjeneste")
                for s in following
            ],
            values={
                "my_life_so_far": rng.choice(OWN_WORDS),
                "my_goals": "Å komme meg i jobb eller tilbake på skolen.",
                "starts_on": today - datetime.timedelta(days=rng.randint(20, 120)),
                "next_review_on": today + datetime.timedelta(days=rng.randint(-5, 60)),
                **({} if individual else {"bti_level": rng.choice([1, 2, 3])}),
            },
        )
        plan = plan_services.plan_activate(actor=coordinator, plan=plan, version=plan.version)
        holders = [nav, *following]
        for title, measure_title, category in rng.sample(GOALS, 2):
            goal = plan_services.goal_add(
                actor=coordinator, plan=plan, title=title, category=category
            )
            plan_services.measure_add(
                actor=coordinator,
                plan=plan,
                goal=goal,
                title=measure_title,
                service=_service_for(category, holders, nav),
                category=category,
                scope="Ukentlig",
                starts_on=today - datetime.timedelta(days=10),
                ends_on=today + datetime.timedelta(days=rng.randint(-10, 90)),
            )
            counts["measures"] += 1
        counts["plans"] += 1
        if individual and rng.random() < 0.3:
            plan.refresh_from_db()
            measure = plan.measures.first()
            if measure is not None:
                plan_services.measure_change(
                    actor=coordinator,
                    measure=measure,
                    version=measure.version,
                    values={"status": MeasureStatus.ONGOING},
                )
    return counts


def seed_portal() -> dict[str, int]:
    """Log-ins to *Min side*: a youth of 18 or more with an individual plan, and a guardian of
    a minor the demo services follow."""
    today = timezone.localdate()
    adult_with_plan = (
        Youth.objects.filter(
            plans__kind=PlanKind.INDIVIDUAL,
            birth_date__lte=ages.latest_birth_date(today, 18),
        )
        .order_by("created_at")
        .first()
    )
    made = 0
    if adult_with_plan is not None:
        portal.account_create(
            youth=adult_with_plan,
            username=YOUTH_USERNAME,
            password=cases_demo.DEMO_PASSWORD,
        )
        made += 1
    guardian = (
        Guardian.objects.filter(
            has_parental_responsibility=True,
            youth__birth_date__gt=ages.latest_birth_date(today, 17),
            youth__periods__ended_on__isnull=True,
        )
        .order_by("youth__created_at", "full_name")
        .first()
    )
    if guardian is not None:
        portal.account_create(
            youth=guardian.youth,
            guardian=guardian,
            username=GUARDIAN_USERNAME,
            password=cases_demo.DEMO_PASSWORD,
        )
        made += 1
    return {"portal_accounts": made}


def logins() -> list[tuple[str, str]]:
    """Every demo log-in with who it is: staff, then the youth and guardian of *Min side*."""
    people = list(cases_demo.staff_logins())
    for account in PortalAccount.objects.filter(
        user__username__in=[YOUTH_USERNAME, GUARDIAN_USERNAME]
    ).select_related("user", "youth", "guardian"):
        who = (
            f"foresatt til {account.youth.full_name} (Min side)"
            if account.guardian
            else f"ungdommen {account.youth.full_name} (Min side)"
        )
        people.append((account.user.get_username(), who))
    return people


def print_logins(write: Callable[[str], object] = print) -> None:
    """Print the demo log-ins (for scripts/run and seed_demo)."""
    write(f"Demobrukere, alle med passord «{cases_demo.DEMO_PASSWORD}»:")
    for username, who in logins():
        write(f"  {username:<16} {who}")
