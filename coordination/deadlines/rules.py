"""Deadline rules: the code behind the ``DeadlineRule`` rows (domain.md §5).

Each evaluator is a pure function of one youth's facts (loaded once by ``load_facts``) and the
rule's row, and yields the deadlines the facts call for, each with when it was fulfilled (if it
was). The ledger (``coordination.deadlines.ledger``) turns that into rows and reminders.
Where the law fixes a number it is in the rule's parameters (seeded from the constants here);
local-policy numbers are settings. A due day past the end of the calendar (a far date stored, a
huge parameter) is no deadline: days move with ``cases.dates.shift``.
"""

from __future__ import annotations

import calendar
import datetime
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.dates import local_day, shift
from cases.models import (
    CASELOAD_ROLES,
    Activity,
    ActivityPlan,
    ActivityStatus,
    FollowUpPeriod,
    Handover,
    HandoverKind,
    HandoverState,
    Innsatsgruppe,
    Message,
    NavDecision,
    Referral,
    ReferralState,
    Responsibility,
    ServiceKind,
    StaffMembership,
    ThreadKind,
    Youth,
)
from consent.ages import age_on, birthday
from consent.categories import Category
from consent.models import Consent, Decision, Giver
from coordination.models import (
    CHILD_COORDINATOR_MAX_AGE,
    OPEN_PLAN_STATUSES,
    ChildCoordinator,
    CoordinatorTerm,
    DeadlineRule,
    MeasureStatus,
    ParticipantKind,
    Plan,
    PlanMeasure,
    PlanParticipant,
    PlanReview,
    PlanStatus,
    SubjectType,
)

# --- The law's numbers, by rule --------------------------------------------------------------

# UG-2023: from 16 to the day before the 30th birthday, in these groups (NAV,
# veilarbvedtaksstotte `harUngdomsgaranti`; the guarantee from 1 July 2023).
UG_2023 = {
    "min_age": 16,
    "max_age": 30,
    "groups": [
        Innsatsgruppe.SITUASJONSBESTEMT_INNSATS.value,
        Innsatsgruppe.SPESIELT_TILPASSET_INNSATS.value,
    ],
    "in_force_from": "2023-07-01",
}
# UG-PLAN-1M: 20-24 year-olds with situasjonsbestemt innsats get an approved activity plan
# within one calendar month of the §14a decision (statsbudsjettet 2013).
UG_PLAN_1M = {
    "min_age": 20,
    "max_age": 25,
    "groups": [Innsatsgruppe.SITUASJONSBESTEMT_INNSATS.value],
    "months": 1,
}
# UG-90: under 30 with spesielt tilpasset innsats: at least 90 % with an approved plan.
UG_90 = {
    "max_age": 30,
    "groups": [Innsatsgruppe.SPESIELT_TILPASSET_INNSATS.value],
    "target_percent": 90,
}
# UG-U20: under 20 without school place or work (referred by OT): a work-oriented offer.
UG_U20 = {
    "max_age": 20,
    "offer_types": ["EKSTERNAKTIVITET", "STILLING_FRA_NAV", "IJOBB", "STILLING", "SOKEAVTALE"],
}
# UI-8W: job seekers under 30 get a strengthened offer (a measure) after 8 weeks (56 days).
UI_8W = {"max_age": 30, "days": 56, "offer_types": ["EKSTERNAKTIVITET"]}

PARAMETERS: dict[str, dict[str, Any]] = {
    "UG-2023": UG_2023,
    "UG-PLAN-1M": UG_PLAN_1M,
    "UG-90": UG_90,
    "UG-U20": UG_U20,
    "UI-8W": UI_8W,
}


# --- Calendar --------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date | None:
    """The same day ``months`` calendar months later; the month's last day where it has none
    (31 January + 1 month = 28 or 29 February). None past either end of the calendar."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        return None
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in Europe/Oslo; for the calendar's first day, its first
    moment in UTC (Oslo's is earlier: a moment before year 1, which could not be read back)."""
    first = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return max(first, datetime.datetime.min.replace(tzinfo=datetime.UTC))


# --- Facts about one youth --------------------------------------------------------------------


@dataclass
class Facts:
    """Everything the evaluators read about one youth, loaded in a fixed number of queries."""

    youth: Youth
    decisions: list[NavDecision]
    periods: list[FollowUpPeriod]
    plans: dict[Any, ActivityPlan]  # by period id
    activities: list[Activity]
    referrals: list[Referral]
    consents: list[Consent]
    # period id → every contact person's term (since, until), current and past, by since.
    responsibilities: dict[Any, list[tuple[datetime.datetime, datetime.datetime | None]]]
    memberships: dict[Any, list[Any]] = field(default_factory=dict)  # user id → service ids
    # Plans across services (coordination's own records) and what their rules read.
    coordination_plans: list[Plan] = field(default_factory=list)
    plan_reviews: list[PlanReview] = field(default_factory=list)
    plan_measures: list[PlanMeasure] = field(default_factory=list)
    plan_participants: list[PlanParticipant] = field(default_factory=list)
    coordinator_terms: list[CoordinatorTerm] = field(default_factory=list)
    # (user id, service id) → when the membership ended (None: still working there).
    coordinator_memberships: dict[tuple[Any, Any], datetime.datetime | None] = field(
        default_factory=dict
    )
    # A child with a plan: the current child coordinator, and the offers of the plan's
    # coordinator role (any state).
    child_coordinators: list[ChildCoordinator] = field(default_factory=list)
    coordinator_handovers: list[Handover] = field(default_factory=list)
    # The messages of the youth's threads in which a message asks for an answer by a day
    # (each with its thread), oldest first, and the services their staff authors work or
    # worked in (user id → service ids).
    messages: list[Message] = field(default_factory=list)
    author_services: dict[Any, set[Any]] = field(default_factory=dict)

    def period_at(self, service_id: Any, day: datetime.date) -> FollowUpPeriod | None:
        """The service's period with the youth that was open on ``day`` (or opened after it)."""
        candidates = [
            p
            for p in self.periods
            if p.service_id == service_id and (p.ended_on is None or p.ended_on >= day)
        ]
        return min(candidates, key=lambda p: p.started_on) if candidates else None

    def open_period(self, service_id: Any) -> FollowUpPeriod | None:
        return next(
            (p for p in self.periods if p.service_id == service_id and p.ended_on is None), None
        )

    def activities_of(self, period: FollowUpPeriod | None) -> list[Activity]:
        plan = self.plans.get(period.pk) if period is not None else None
        return [a for a in self.activities if plan is not None and a.plan_id == plan.pk]


def _terms(
    rows: Iterable[tuple[Any, datetime.datetime, datetime.datetime | None]],
) -> dict[Any, list[tuple[datetime.datetime, datetime.datetime | None]]]:
    terms: dict[Any, list[tuple[datetime.datetime, datetime.datetime | None]]] = {}
    for period_id, since, until in rows:
        terms.setdefault(period_id, []).append((since, until))
    return terms


def _by_youth(rows: Iterable[Any], key: str = "youth_id") -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def load_facts(youth: Youth) -> Facts:
    return load_facts_many([youth])[youth.pk]


def load_facts_many(youths: Sequence[Youth]) -> dict[Any, Facts]:
    """The facts of each of ``youths``, by youth id, in a fixed number of queries however many
    youths there are (each query reads them all; the rows are then split youth by youth)."""
    ids = [youth.pk for youth in youths]
    periods = _by_youth(FollowUpPeriod.objects.filter(youth_id__in=ids).select_related("service"))
    consents = _by_youth(
        Consent.objects.filter(subject_id__in=ids).prefetch_related("scopes", "replaced_by"),
        key="subject_id",
    )
    plans = _by_youth(Plan.objects.filter(youth_id__in=ids))
    with_plans = [youth_id for youth_id in ids if youth_id in plans]

    # Staff memberships the rules read: of each plan's coordinator (any, an open one winning
    # over an ended one), and the open ones of each consent's recorder.
    coordinators = {p.coordinator_id for rows in plans.values() for p in rows if p.coordinator_id}
    coordinator_memberships: dict[tuple[Any, Any], datetime.datetime | None] = {}
    if coordinators:
        for user_id, service_id, ended_at in StaffMembership.objects.filter(
            user_id__in=coordinators, role__in=CASELOAD_ROLES
        ).values_list("user_id", "service_id", "ended_at"):
            key = (user_id, service_id)
            if key not in coordinator_memberships or ended_at is None:
                coordinator_memberships[key] = ended_at
    recorders = {c.recorded_by_id for rows in consents.values() for c in rows}
    memberships: dict[Any, list[Any]] = {}
    if recorders:
        for user_id, service_id in StaffMembership.objects.filter(
            user_id__in=recorders, ended_at__isnull=True
        ).values_list("user_id", "service_id"):
            memberships.setdefault(user_id, []).append(service_id)

    child_coordinators = (
        _by_youth(
            ChildCoordinator.objects.filter(
                youth_id__in=with_plans, right_granted=True, ended_at__isnull=True
            )
        )
        if with_plans
        else {}
    )
    decisions = _by_youth(
        NavDecision.objects.filter(youth_id__in=ids).order_by("decided_on", "recorded_at")
    )
    activity_plans = _by_youth(ActivityPlan.objects.filter(youth_id__in=ids))
    activities = _by_youth(Activity.objects.filter(youth_id__in=ids))
    referrals = _by_youth(Referral.objects.filter(youth_id__in=ids).select_related("to_service"))
    terms: dict[Any, list[tuple[Any, datetime.datetime, datetime.datetime | None]]] = {}
    for youth_id, *term in (
        Responsibility.objects.filter(period__youth_id__in=ids)
        .order_by("since")
        .values_list("period__youth_id", "period_id", "since", "until")
    ):
        terms.setdefault(youth_id, []).append(tuple(term))  # type: ignore[arg-type]
    reviews = plan_measures = participants = coordinator_terms = {}
    if with_plans:
        reviews = _by_youth(
            PlanReview.objects.filter(plan__youth_id__in=with_plans)
            .annotate(youth_id=F("plan__youth_id"))
            .order_by("recorded_at", "held_on")
        )
        plan_measures = _by_youth(PlanMeasure.objects.filter(youth_id__in=with_plans))
        participants = _by_youth(
            PlanParticipant.objects.filter(
                plan__youth_id__in=with_plans,
                kind=ParticipantKind.SERVICE,
                left_at__isnull=True,
            )
            .annotate(youth_id=F("plan__youth_id"))
            .order_by("joined_at")
        )
        coordinator_terms = _by_youth(
            CoordinatorTerm.objects.filter(plan__youth_id__in=with_plans)
            .annotate(youth_id=F("plan__youth_id"))
            .order_by("since")
        )
    # The offers of a child's plan coordinator role, by the periods the offers were made from
    # (the foreign key's index): only for youths with a current child coordinator.
    offered = [youth_id for youth_id in with_plans if youth_id in child_coordinators]
    handovers: dict[Any, list[Handover]] = {}
    if offered:
        youth_of_period = {
            p.pk: youth_id for youth_id in offered for p in periods.get(youth_id, [])
        }
        for handover in Handover.objects.filter(
            period_id__in=list(youth_of_period),
            kind=HandoverKind.PLAN_COORDINATOR,
            about_id__in=[p.pk for youth_id in offered for p in plans[youth_id]],
        ):
            handovers.setdefault(youth_of_period[handover.period_id], []).append(handover)

    # Every message of a thread that asks for an answer somewhere: what answers it is a later
    # message (the thread index, the message's by thread and time).
    asking = Message.objects.filter(thread__youth_id__in=ids, answer_by__isnull=False)
    messages = _by_youth(
        Message.objects.filter(thread_id__in=asking.values("thread_id"))
        .select_related("thread")
        .annotate(youth_id=F("thread__youth_id"))
        .order_by("created_at", "id")
    )
    authors = {m.author_id for rows in messages.values() for m in rows if not m.by_youth}
    author_services: dict[Any, set[Any]] = {}
    if authors:
        for user_id, service_id in StaffMembership.objects.filter(user_id__in=authors).values_list(
            "user_id", "service_id"
        ):
            author_services.setdefault(user_id, set()).add(service_id)

    facts = {}
    for youth in youths:
        own_plans = plans.get(youth.pk, [])
        facts[youth.pk] = Facts(
            youth=youth,
            decisions=decisions.get(youth.pk, []),
            periods=periods.get(youth.pk, []),
            plans={p.period_id: p for p in activity_plans.get(youth.pk, [])},
            activities=activities.get(youth.pk, []),
            referrals=referrals.get(youth.pk, []),
            consents=consents.get(youth.pk, []),
            responsibilities=_terms(terms.get(youth.pk, [])),
            memberships=memberships,
            coordination_plans=own_plans,
            plan_reviews=reviews.get(youth.pk, []),
            plan_measures=plan_measures.get(youth.pk, []),
            plan_participants=participants.get(youth.pk, []),
            coordinator_terms=coordinator_terms.get(youth.pk, []),
            coordinator_memberships=coordinator_memberships,
            child_coordinators=child_coordinators.get(youth.pk, []),
            coordinator_handovers=handovers.get(youth.pk, []),
            messages=messages.get(youth.pk, []),
            author_services=author_services,
        )
    return facts


# --- What a rule yields ------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """A deadline the facts call for."""

    subject_type: str
    subject_id: uuid.UUID
    due_on: datetime.date
    service_id: Any
    staff_id: Any
    category: str
    fulfilled_at: datetime.datetime | None = None
    to_managers: bool = False


Evaluator = Callable[[DeadlineRule, Facts, datetime.date], Iterable[Expected]]


def _params(rule: DeadlineRule) -> dict[str, Any]:
    return {**PARAMETERS.get(rule.code, {}), **(rule.parameters or {})}


def _runs(decisions: Sequence[NavDecision], groups: Sequence[str]) -> Iterator[NavDecision]:
    """The first decision of each unbroken run of decisions in ``groups``: a new decision in the
    same group does not restart the clock, one outside the group ends the run."""
    previous_in_group = False
    for decision in decisions:
        in_group = decision.innsatsgruppe in groups
        if in_group and not previous_in_group:
            yield decision
        previous_in_group = in_group


def _run_ended(decisions: Sequence[NavDecision], first: NavDecision, groups: Sequence[str]) -> bool:
    later = [d for d in decisions if d.decided_on >= first.decided_on and d is not first]
    return any(d.innsatsgruppe not in groups for d in later)


def _not_before(moment: datetime.datetime | None, day: datetime.date) -> datetime.datetime | None:
    """A fulfilment that happened before the obligation arose counts from its first day."""
    if moment is None:
        return None
    return max(moment, start_of_day(day))


def _earliest(moments: Iterable[datetime.datetime | None]) -> datetime.datetime | None:
    present = [m for m in moments if m is not None]
    return min(present) if present else None


def _run_end(decisions: Sequence[NavDecision], first: NavDecision, groups: Sequence[str]) -> Any:
    """The day the run that ``first`` starts ends (a decision outside the group), or None."""
    return next(
        (
            d.decided_on
            for d in decisions
            if d.decided_on >= first.decided_on and d is not first and d.innsatsgruppe not in groups
        ),
        None,
    )


def _contact_person_from(
    terms: Sequence[tuple[datetime.datetime, datetime.datetime | None]], day: datetime.date
) -> datetime.datetime | None:
    """When the youth first had a contact person from ``day`` on: the guarantee promises one,
    so the first term that reaches ``day`` or begins after it fulfils it, and a later change of
    person (a reassignment) does not undo that."""
    start = start_of_day(day)
    return _earliest(max(since, start) for since, until in terms if until is None or until > start)


def ug_2023(rule: DeadlineRule, facts: Facts, today: datetime.date) -> Iterator[Expected]:
    """A fixed contact person within the local-policy number of days of entering the group.

    A youth enters the guarantee on the latest of: the first decision of an unbroken run in the
    groups, the 16th birthday, the day the guarantee came into force. So a youth decided at 15
    is picked up on the 16th birthday (by the nightly sweep, as nothing else changes that day),
    and one already in the group on 1 July 2023 from that day. Not before the entry day: until
    then the youth is not in the guarantee."""
    p = _params(rule)
    in_force = datetime.date.fromisoformat(p["in_force_from"])
    birth = facts.youth.birth_date
    too_old_on = birthday(birth, p["max_age"])
    for first in _runs(facts.decisions, p["groups"]):
        entry = max(first.decided_on, birthday(birth, p["min_age"]), in_force)
        run_end = _run_end(facts.decisions, first, p["groups"])
        if entry > today or entry >= too_old_on or (run_end is not None and run_end <= entry):
            continue
        period = facts.period_at(first.service_id, entry)
        if period is None or (period.ended_on is not None and period.ended_on < entry):
            continue
        fulfilled = _contact_person_from(facts.responsibilities.get(period.pk, []), entry)
        ended = run_end is not None or period.ended_on is not None
        aged_out = today >= too_old_on
        due = shift(entry, settings.DEADLINE_UG_CONTACT_PERSON_DAYS)
        if due is None or (fulfilled is None and (ended or aged_out)):
            continue
        yield Expected(
            SubjectType.DECISION,
            first.pk,
            due,
            first.service_id,
            period.responsible_id,
            Category.WORK_AND_WELFARE,
            fulfilled,
        )


def ug_plan_1m(rule: DeadlineRule, facts: Facts, today: datetime.date) -> Iterator[Expected]:
    """An approved activity plan within one calendar month of the decision."""
    p = _params(rule)
    for first in _runs(facts.decisions, p["groups"]):
        if not p["min_age"] <= age_on(facts.youth.birth_date, first.decided_on) < p["max_age"]:
            continue
        period = facts.period_at(first.service_id, first.decided_on)
        plan = facts.plans.get(period.pk) if period else None
        fulfilled = _not_before(plan.approved_at if plan else None, first.decided_on)
        ended = _run_ended(facts.decisions, first, p["groups"]) or (
            period is not None and period.ended_on is not None
        )
        due = add_months(first.decided_on, p["months"])
        if due is None or (fulfilled is None and ended):
            continue
        yield Expected(
            SubjectType.DECISION,
            first.pk,
            due,
            first.service_id,
            period.responsible_id if period else None,
            Category.WORK_AND_WELFARE,
            fulfilled,
        )


def _offer_made(activities: Iterable[Activity], types: Sequence[str]) -> datetime.datetime | None:
    return _earliest(
        a.agreed_at for a in activities if a.type in types and a.status != ActivityStatus.AVBRUTT
    )


def ug_u20(rule: DeadlineRule, facts: Facts, today: datetime.date) -> Iterator[Expected]:
    """A work-oriented offer after OT referred a youth under 20 to NAV (local-policy days)."""
    p = _params(rule)
    for referral in facts.referrals:
        if referral.state not in (ReferralState.ACCEPTED, ReferralState.CLOSED):
            continue
        if referral.answered_at is None or referral.period_id is None:
            continue
        if (
            not referral.reason_code.startswith("OT_")
            or referral.to_service.kind != ServiceKind.NAV
        ):
            continue
        accepted_on = local_day(referral.answered_at)
        if age_on(facts.youth.birth_date, accepted_on) >= p["max_age"]:
            continue
        period = next((x for x in facts.periods if x.pk == referral.period_id), None)
        fulfilled = _not_before(
            _offer_made(facts.activities_of(period), p["offer_types"]), accepted_on
        )
        due = shift(accepted_on, settings.DEADLINE_UG_U20_OFFER_DAYS)
        if due is None or (
            fulfilled is None and period is not None and period.ended_on is not None
        ):
            continue
        yield Expected(
            SubjectType.REFERRAL,
            referral.pk,
            due,
            referral.to_service_id,
            period.responsible_id if period else None,
            Category.WORK_AND_WELFARE,
            fulfilled,
        )


def ui_8w(rule: DeadlineRule, facts: Facts, today: datetime.date) -> Iterator[Expected]:
    """A strengthened offer (a measure) 56 days after registering as a job seeker at NAV."""
    p = _params(rule)
    for period in facts.periods:
        if period.service.kind != ServiceKind.NAV:
            continue
        if age_on(facts.youth.birth_date, period.started_on) >= p["max_age"]:
            continue
        fulfilled = _not_before(
            _offer_made(facts.activities_of(period), p["offer_types"]), period.started_on
        )
        due = shift(period.started_on, p["days"])
        if due is None or (fulfilled is None and period.ended_on is not None):
            continue
        yield Expected(
            SubjectType.PERIOD,
            period.pk,
            due,
            period.service_id,
            period.responsible_id,
            Category.WORK_AND_WELFARE,
            fulfilled,
        )


def activity_deadlines(
    rule: DeadlineRule, facts: Facts, today: datetime.date
) -> Iterator[Expected]:
    """Each activity's *frist*: met when it is completed; gone when it is cancelled."""
    for activity in facts.activities:
        if activity.deadline is None or activity.status == ActivityStatus.AVBRUTT:
            continue
        period = facts.open_period(activity.responsible_service_id)
        fulfilled = (
            activity.status_changed_at if activity.status == ActivityStatus.FULLFORT else None
        )
        yield Expected(
            SubjectType.ACTIVITY,
            activity.pk,
            activity.deadline,
            activity.responsible_service_id,
            period.responsible_id if period else None,
            activity.category,
            fulfilled,
        )


def referral_response(rule: DeadlineRule, facts: Facts, today: datetime.date) -> Iterator[Expected]:
    """The receiving service answers a referral by its respond-by day (working days, setting)."""
    for referral in facts.referrals:
        if referral.state == ReferralState.WITHDRAWN or (
            referral.answered_at is None and referral.closed_at is not None
        ):
            continue
        yield Expected(
            SubjectType.REFERRAL,
            referral.pk,
            referral.respond_by,
            referral.to_service_id,
            None,  # the inbox is the service's: its notification address is reminded
            Category.GENERAL,
            referral.answered_at,
        )


def _consent_owner(facts: Facts, consent: Consent) -> tuple[Any, Any] | None:
    """The service that recorded the consent (one of the recorder's services that follows the
    youth, else a party of the consent) and the recorder."""
    following = {p.service_id for p in facts.periods if p.ended_on is None}
    mine = facts.memberships.get(consent.recorded_by_id, [])
    for service_id in mine:
        if service_id in following:
            return service_id, consent.recorded_by_id
    parties = [s.from_party_id or s.to_party_id for s in consent.scopes.all()]
    for service_id in parties:
        if service_id in following:
            return service_id, None
    return None


def _replacement(consent: Consent, giver: str | None = None) -> datetime.datetime | None:
    return _earliest(
        c.recorded_at
        for c in consent.replaced_by.all()
        if c.decision == Decision.GIVEN and (giver is None or c.giver == giver)
    )


def consent_expiry(rule: DeadlineRule, facts: Facts, today: datetime.date) -> Iterator[Expected]:
    """A consent with an end date: renew it before it lapses (met by a replacing consent)."""
    for consent in facts.consents:
        if consent.decision != Decision.GIVEN or consent.valid_until is None:
            continue
        if consent.withdrawn_at is not None and _replacement(consent) is None:
            continue
        owner = _consent_owner(facts, consent)
        if owner is None:
            continue
        yield Expected(
            SubjectType.CONSENT,
            consent.pk,
            local_day(consent.valid_until),
            owner[0],
            owner[1],
            Category.GENERAL,
            _replacement(consent),
        )


def reconsent(rule: DeadlineRule, facts: Facts, today: datetime.date) -> Iterator[Expected]:
    """A guardian-given consent stops counting for a category on the birthday from which the
    youth consents alone for it (``ConsentScope.competent_until``: the municipality's sharing
    age, 16 for health): ask the youth ``CONSENT_RECONSENT_DAYS_BEFORE`` days before the first
    such day, so sharing the youth wants does not stop. Met by the youth's own consent
    replacing it."""
    for consent in facts.consents:
        if consent.decision != Decision.GIVEN or consent.giver != Giver.GUARDIANS:
            continue
        lapses = [s.competent_until for s in consent.scopes.all() if s.competent_until]
        if not lapses:
            continue
        due = min(lapses) - datetime.timedelta(days=settings.CONSENT_RECONSENT_DAYS_BEFORE)
        fulfilled = _replacement(consent, Giver.SUBJECT)
        if fulfilled is None and consent.withdrawn_at is not None:
            continue
        if fulfilled is None and consent.valid_until and local_day(consent.valid_until) < due:
            continue
        owner = _consent_owner(facts, consent)
        if owner is None:
            continue
        yield Expected(
            SubjectType.CONSENT,
            consent.pk,
            due,
            owner[0],
            owner[1],
            Category.GENERAL,
            fulfilled,
        )


def review_due_on(plan: Plan) -> datetime.date | None:
    """The review date ``IP-REVIEW`` holds an open plan to: the next review of a plan in use
    (a draft's date is only a plan; a closed plan is reviewed no more)."""
    if plan.status != PlanStatus.ACTIVE or plan.activated_at is None:
        return None
    return plan.next_review_on


def review_overdue(plan: Plan, today: datetime.date) -> bool:
    """Whether the plan's review deadline has passed: the day after the review date, like every
    deadline (``due_on < today``)."""
    due = review_due_on(plan)
    return due is not None and due < today


def plan_reviews(rule: DeadlineRule, facts: Facts, today: datetime.date) -> Iterator[Expected]:
    """Each review date of a plan in use, to its coordinator. A review fulfils the date that was
    due when it was recorded and sets the next one: a chain keyed by what set each date (the
    plan for the first, then each review)."""
    for plan in facts.coordination_plans:
        if plan.activated_at is None:
            continue
        reviews = [r for r in facts.plan_reviews if r.plan_id == plan.pk]
        set_by: Any = plan
        for review in reviews:
            if review.was_due_on is not None:
                yield Expected(
                    SubjectType.PLAN if set_by is plan else SubjectType.REVIEW,
                    set_by.pk,
                    review.was_due_on,
                    plan.service_id,
                    plan.coordinator_id,
                    Category.GENERAL,
                    _not_before(start_of_day(review.held_on), review.held_on),
                )
            set_by = review
        due = review_due_on(plan)
        if due is not None:
            yield Expected(
                SubjectType.PLAN if set_by is plan else SubjectType.REVIEW,
                set_by.pk,
                due,
                plan.service_id,
                plan.coordinator_id,
                Category.GENERAL,
            )


def plan_measures(rule: DeadlineRule, facts: Facts, today: datetime.date) -> Iterator[Expected]:
    """A measure's end date in a plan in use, to the person responsible: met when done."""
    active = {p.pk for p in facts.coordination_plans if p.status == PlanStatus.ACTIVE}
    for measure in facts.plan_measures:
        if measure.plan_id not in active or measure.removed_at is not None:
            continue
        if measure.ends_on is None or measure.status == MeasureStatus.CANCELLED:
            continue
        yield Expected(
            SubjectType.MEASURE,
            measure.pk,
            measure.ends_on,
            measure.service_id,
            measure.responsible_id,
            measure.category,
            measure.status_changed_at if measure.status == MeasureStatus.DONE else None,
        )


def _coordinator_gap(facts: Facts, plan: Plan) -> datetime.datetime | None:
    """Since when an active plan has had no active coordinator (None: it has one)."""
    participating = {p.service_id for p in facts.plan_participants if p.plan_id == plan.pk}
    key = (plan.coordinator_id, plan.service_id)
    has_one = plan.coordinator_id is not None and plan.service_id in participating
    if has_one and key in facts.coordinator_memberships:
        # Still working there: no gap; left: the gap began when they left.
        return facts.coordinator_memberships[key]
    terms = [t for t in facts.coordinator_terms if t.plan_id == plan.pk and t.until]
    last = max((t.until for t in terms if t.until), default=None)
    return last or plan.activated_at


def plan_coordinator(rule: DeadlineRule, facts: Facts, today: datetime.date) -> Iterator[Expected]:
    """An active plan without an active coordinator is flagged at once to the managers of every
    participating service (one deadline per service), until someone takes the role."""
    for plan in facts.coordination_plans:
        if plan.status != PlanStatus.ACTIVE:
            continue
        gap = _coordinator_gap(facts, plan)
        if gap is None:
            continue
        for participant in facts.plan_participants:
            if participant.plan_id != plan.pk:
                continue
            yield Expected(
                SubjectType.PARTICIPANT,
                participant.pk,
                max(local_day(gap), local_day(plan.activated_at or gap)),
                participant.service_id,
                None,
                Category.GENERAL,
                to_managers=True,
            )


def child_coordinator_handover_due(
    birth_date: datetime.date, decided_on: datetime.date
) -> datetime.date | None:
    """When the child coordinator's plan is to be offered to a coordinator for adults: the
    local-policy number of calendar months before the 18th birthday, or the decision day for a
    child coordinator appointed later than that."""
    ends_on = birthday(birth_date, CHILD_COORDINATOR_MAX_AGE)
    due = add_months(ends_on, -settings.DEADLINE_CHILD_COORDINATOR_HANDOVER_MONTHS)
    return None if due is None else max(due, decided_on)


def child_coordinator_handover(
    rule: DeadlineRule, facts: Facts, today: datetime.date
) -> Iterator[Expected]:
    """The child coordinator's role ends at 18 (the ledger ends it then): before that, the plan
    they coordinate is offered to a coordinator for adults (hol. § 7-2), through the plan's
    coordinator handover. Met by the offer (pending or accepted); a declined or withdrawn offer
    does not count. Not called for when the child has no open plan, or when someone else
    coordinates it already."""
    plan = next((p for p in facts.coordination_plans if p.status in OPEN_PLAN_STATUSES), None)
    if plan is None:
        return
    for record in facts.child_coordinators:
        if record.coordinator_id is None:
            continue
        since = record.appointed_at or record.recorded_at
        offered = _earliest(
            h.created_at
            for h in facts.coordinator_handovers
            if h.about_id == plan.pk
            and h.to_user_id != record.coordinator_id
            and h.state in (HandoverState.PENDING, HandoverState.ACCEPTED)
            and h.created_at >= since
        )
        if offered is None and plan.coordinator_id != record.coordinator_id:
            continue
        due = child_coordinator_handover_due(facts.youth.birth_date, record.decided_on)
        if due is None:
            continue
        yield Expected(
            SubjectType.CHILD_COORDINATOR,
            record.pk,
            due,
            record.service_id,
            record.coordinator_id,
            Category.GENERAL,
            offered,
        )


def _answers(facts: Facts, asked: Message, later: Message) -> bool:
    """Whether ``later`` answers ``asked`` (the other side wrote): in a thread with the youth,
    the youth answers staff and staff answer the youth; in a thread between services, someone
    who shares no service with the one who asked."""
    if asked.thread.kind == ThreadKind.YOUTH:
        return later.by_youth != asked.by_youth
    if later.by_youth:
        return False
    mine = facts.author_services.get(asked.author_id, set())
    return not mine & facts.author_services.get(later.author_id, set())


def message_answer(rule: DeadlineRule, facts: Facts, today: datetime.date) -> Iterator[Expected]:
    """A message that needs an answer by a day (``Message.answer_by``): met when the other side
    answers in the thread. The deadline is the thread's service's, while it follows the youth
    (a thread's service that no longer follows the youth has nobody to answer for it):

    - the youth asks their contact persons: to the contact person (the responsible for the
      service's open period), who answers;
    - a contact person asks the youth: to the one who asked, who follows it up (the youth is
      told by the notices, not by a deadline);
    - in a thread between services, staff of another service ask: to the service's
      notification address, as a referral to its inbox; the service's own staff ask the other
      services: to the one who asked. The services that see the thread have the question in
      their inbox (*Min dag*) until one of them answers.
    """
    following = {p.service_id: p for p in facts.periods if p.ended_on is None}
    for index, asked in enumerate(facts.messages):
        if asked.answer_by is None:
            continue
        thread = asked.thread
        period = following.get(thread.service_id)
        if period is None:
            continue
        own = thread.service_id in facts.author_services.get(asked.author_id, set())
        if asked.by_youth:
            staff_id = period.responsible_id
        elif thread.kind == ThreadKind.YOUTH or own:
            staff_id = asked.author_id  # the answer comes from outside the service
        else:
            staff_id = None  # another service asks: the service's notification address
        answered = next(
            (
                later.created_at
                for later in facts.messages[index + 1 :]
                if later.thread_id == thread.pk and _answers(facts, asked, later)
            ),
            None,
        )
        yield Expected(
            SubjectType.MESSAGE,
            asked.pk,
            asked.answer_by,
            thread.service_id,
            staff_id,
            thread.category,
            answered,
        )


# UG-90 has no evaluator here: it is a figure per office (``coordination.deadlines.compliance``).
EVALUATORS: dict[str, Evaluator] = {
    "UG-2023": ug_2023,
    "UG-PLAN-1M": ug_plan_1m,
    "UG-U20": ug_u20,
    "UI-8W": ui_8w,
    "ACTIVITY": activity_deadlines,
    "REFERRAL-RESPONSE": referral_response,
    "CONSENT-EXPIRY": consent_expiry,
    "RECONSENT-18": reconsent,
    "IP-REVIEW": plan_reviews,
    "IP-MEASURE": plan_measures,
    "IP-COORDINATOR": plan_coordinator,
    "CHILD-COORDINATOR-18": child_coordinator_handover,
    "ANSWER-BY": message_answer,
}


# --- What fulfils each rule, in words, and the action that does it ---------------------------

# The actions a page offers for a deadline (``coordination.pages.worklist`` turns each into a
# link for the deadline's subject).
ACTION_HANDOVER = "handover"
ACTION_ACTIVITY_PLAN = "activity-plan"
ACTION_ACTIVITY = "activity"
ACTION_REFERRAL = "referral"
ACTION_CONSENT = "consent"
ACTION_PLAN = "plan"
ACTION_YOUTH_PLANS = "youth-plans"
ACTION_THREAD = "thread"


@dataclass(frozen=True)
class Fulfilment:
    """What fulfils a rule's deadline (``text``, the same condition its evaluator checks) and the
    action that does it (``action``, one of the ``ACTION_*``, with its button text)."""

    text: Promise
    action: str
    action_label: Promise


FULFILMENT: dict[str, Fulfilment] = {
    "UG-2023": Fulfilment(
        _("Innfridd når NAV-perioden har en ansvarlig kontaktperson."),
        ACTION_HANDOVER,
        _("Gi ungdommen en kontaktperson"),
    ),
    "UG-PLAN-1M": Fulfilment(
        _("Innfridd når aktivitetsplanen er godkjent sammen med ungdommen."),
        ACTION_ACTIVITY_PLAN,
        _("Til aktivitetsplanen"),
    ),
    "UG-U20": Fulfilment(
        _("Innfridd når aktivitetsplanen har et arbeidsrettet tiltak (tilbudet)."),
        ACTION_ACTIVITY_PLAN,
        _("Legg inn tiltaket"),
    ),
    "UI-8W": Fulfilment(
        _("Innfridd når aktivitetsplanen har et tiltak (det forsterkede tilbudet)."),
        ACTION_ACTIVITY_PLAN,
        _("Legg inn tiltaket"),
    ),
    "ACTIVITY": Fulfilment(
        _("Innfridd når aktiviteten er fullført."),
        ACTION_ACTIVITY,
        _("Endre aktiviteten"),
    ),
    "REFERRAL-RESPONSE": Fulfilment(
        _("Innfridd når henvisningen er tatt imot eller avslått."),
        ACTION_REFERRAL,
        _("Svar på henvisningen"),
    ),
    "CONSENT-EXPIRY": Fulfilment(
        _("Innfridd når et nytt samtykke erstatter det som utløper."),
        ACTION_CONSENT,
        _("Registrer nytt samtykke"),
    ),
    "RECONSENT-18": Fulfilment(
        _("Innfridd når ungdommen selv har samtykket i stedet for foresatte."),
        ACTION_CONSENT,
        _("Registrer ungdommens samtykke"),
    ),
    "IP-REVIEW": Fulfilment(
        _("Innfridd når koordinatoren har registrert en evaluering av planen."),
        ACTION_PLAN,
        _("Evaluer planen"),
    ),
    "IP-MEASURE": Fulfilment(
        _("Innfridd når tiltaket er merket som gjennomført."),
        ACTION_PLAN,
        _("Til tiltaket i planen"),
    ),
    "IP-COORDINATOR": Fulfilment(
        _("Innfridd når noen har tatt over som koordinator for planen."),
        ACTION_PLAN,
        _("Til planen"),
    ),
    "CHILD-COORDINATOR-18": Fulfilment(
        _(
            "Innfridd når planen er tilbudt en koordinator for voksne "
            "(et avslått tilbud teller ikke)."
        ),
        ACTION_YOUTH_PLANS,
        _("Tilby planen videre"),
    ),
    "ANSWER-BY": Fulfilment(
        _("Innfridd når den andre parten har svart i samtalen."),
        ACTION_THREAD,
        _("Til samtalen"),
    ),
}
