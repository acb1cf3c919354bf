"""Building blocks for plan tests: an individual plan around the named people's youth.

OT holds the plan (the coordinator ``eva.koord`` works there); NAV and the health service take
part. The youth's consent shares the plan and work-and-welfare information between them, but
not health information, unless a test asks for it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from cases import services
from consent.categories import Category
from consent.models import Giver, Method
from coordination.models import ChildCoordinator, Plan, PlanKind
from coordination.plans import services as plan_services
from tests import factories


def plan_consent(categories: tuple[str, ...] = (Category.WORK_AND_WELFARE,)) -> Any:
    return plan_services.PlanConsent(
        giver=Giver.SUBJECT,
        method=Method.DIGITAL,
        agreed_text="Jeg samtykker til individuell plan og at tjenestene i planen deler det "
        "som trengs.",
        categories=categories,
    )


def make_plan(
    people: Any,
    *,
    categories: tuple[str, ...] = (Category.WORK_AND_WELFARE,),
    kind: str = PlanKind.INDIVIDUAL,
    with_health: bool = True,
    **values: Any,
) -> Plan:
    if with_health:
        factories.follow(people.health_nurse, people.health, people.youth)
    participants = [
        plan_services.NewParticipant(
            service=people.nav, contact=people.nav_advisor, contribution="Arbeidsrettet bistand"
        )
    ]
    if with_health:
        participants.append(
            plan_services.NewParticipant(
                service=people.health, contact=people.health_nurse, contribution="Samtaler"
            )
        )
    plan = plan_services.plan_create(
        actor=people.coordinator,
        youth=people.youth,
        kind=kind,
        service=people.ot,
        consent=plan_consent(categories) if kind == PlanKind.INDIVIDUAL else None,
        participants=participants,
        values={"my_goals": "Fullføre skolen og få jobb", **values},
    )
    return factories.derived(plan)


def activate(people: Any, plan: Plan, review_in_days: int = 30) -> Plan:
    plan = plan_services.plan_update(
        actor=people.coordinator,
        plan=plan,
        version=plan.version,
        values={"next_review_on": datetime.date.today() + datetime.timedelta(days=review_in_days)},
    )
    plan = plan_services.plan_activate(actor=people.coordinator, plan=plan, version=plan.version)
    return factories.derived(plan)


def nav_and_plan_records(
    people: Any, *, plan_categories: tuple[str, ...] = (Category.WORK_AND_WELFARE,)
) -> Plan:
    """The records the routes on NAV follow-up and plans act on, for the fixture's youth: a §14a
    decision and an activity plan with one activity (NAV), an individual plan in use with a goal
    and a measure NAV holds, and a child-coordinator decision. Returns the individual plan."""
    p = people
    today = timezone.localdate()
    services.decision_record(
        actor=p.nav_advisor,
        youth=p.youth,
        service=p.nav,
        innsatsgruppe="SITUASJONSBESTEMT_INNSATS",
        main_goal="SKAFFE_ARBEID",
        decided_on=today,
    )
    activity_plan = services.activity_plan_create(actor=p.nav_advisor, youth=p.youth, service=p.nav)
    services.activity_add(
        actor=p.nav_advisor,
        plan=activity_plan,
        type="EGEN",
        title="Søke fem jobber",
        deadline=today + datetime.timedelta(days=14),
    )
    plan = activate(p, make_plan(p, with_health=False, categories=plan_categories))
    goal = plan_services.goal_add(actor=p.coordinator, plan=plan, title="Jobb")
    plan_services.measure_add(
        actor=p.coordinator,
        plan=plan,
        goal=goal,
        title="Arbeidstrening",
        service=p.nav,
        responsible=p.nav_advisor,
    )
    ChildCoordinator.objects.create(
        youth=p.youth,
        service=p.nav,
        decided_on=today,
        serious_condition=False,
        needs_complex_services=False,
        right_granted=False,
        reasons="Vilkårene er ikke oppfylt",
        recorded_by=p.nav_advisor,
    )
    return plan
