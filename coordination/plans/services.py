"""Writes on plans. Each runs in one transaction, locks what it changes, writes a plan version
and an audit entry, and records that the youth's facts changed (``cases.events``), as every
write does: the ledger derives the deadlines (reviews, measures, a missing coordinator) from
them, once per youth, before the request's response (``coordination.deadlines.ledger``).

Who may do what: the coordinator edits the plan; a participant's staff may be given extra rights
on one plan (``grants``); the person responsible for a measure may move its status; managers of
a participating service may name a new coordinator when the plan has none.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access, dates
from cases import services as case_services
from cases.events import fact_changed
from cases.models import (
    CASELOAD_ROLES,
    FollowUpPeriod,
    Handover,
    HandoverKind,
    HandoverState,
    Service,
    StaffMembership,
    StaffRole,
    Youth,
)
from cases.services.common import locked_at_version
from consent import ages
from consent.ages import age_on
from consent.categories import Category
from consent.models import Consent, Decision
from consent.services import Flow
from coordination.deadlines.rules import child_coordinator_handover_due
from coordination.models import (
    CHILD_COORDINATOR_MAX_AGE,
    ChildCoordinator,
    ChildCoordinatorEnd,
    CloseReason,
    CoordinatorTerm,
    MeasureStatus,
    ParticipantKind,
    Plan,
    PlanGoal,
    PlanKind,
    PlanMeasure,
    PlanParticipant,
    PlanReview,
    PlanReviewGoal,
    PlanStatus,
    VersionAction,
)
from coordination.plans import child_coordinator, grants, versions
from core.audit import audit_record
from core.errors import ApplicationError

PLAN_PURPOSE_CODE = "individual-plan"
# From this age the child coordinator may offer the plan to a coordinator for adults: the last
# year before the role ends at 18 (earlier, the child coordinator coordinates, domain.md §6).
ADULT_COORDINATOR_FROM_AGE = 17


def _clean(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _refuse(message: Any, code: str, fld: str | None = None) -> ApplicationError:
    return ApplicationError(message, code=code, fields={fld: message} if fld else None)


@dataclass(frozen=True)
class PlanConsent:
    """The youth's (or, for a minor, the right giver's) consent to the plan and to the
    participants seeing each other's information in ``categories``."""

    giver: str
    method: str
    agreed_text: str
    categories: Sequence[str] = ()
    valid_until: datetime.datetime | None = None
    child_view: str = ""
    # For a guardians' consent: the guardians who gave it now, each in their own name.
    guardians: Sequence[Any] = ()


@dataclass(frozen=True)
class NewParticipant:
    service: Service | None = None
    contact: Any = None
    name: str = ""
    relation: str = ""
    contribution: str = ""
    kind: str = ParticipantKind.SERVICE


@dataclass(frozen=True)
class GoalNote:
    goal_id: Any
    achieved: str


# --- Checks -----------------------------------------------------------------------------------


def _follows(youth_id: Any, service: Service) -> bool:
    return FollowUpPeriod.objects.filter(
        youth_id=youth_id, service=service, ended_on__isnull=True
    ).exists()


def _check_follows(youth_id: Any, service: Service, fld: str) -> None:
    if not _follows(youth_id, service):
        raise _refuse(
            _("%(service)s følger ikke opp ungdommen. Henvis ungdommen dit først.")
            % {"service": service.name},
            "service_not_following",
            fld,
        )


def _works_in_id(user_id: Any, service_id: Any) -> bool:
    return StaffMembership.objects.filter(
        user_id=user_id, service_id=service_id, ended_at__isnull=True, role__in=CASELOAD_ROLES
    ).exists()


def _works_in(user: Any, service: Service) -> bool:
    return _works_in_id(user.pk, service.pk)


def _check_works_in(user: Any, service: Service, fld: str) -> None:
    if not _works_in(user, service):
        raise _refuse(
            _("%(user)s jobber ikke i %(service)s.")
            % {"user": user.get_full_name() or user.get_username(), "service": service.name},
            "not_member_of_service",
            fld,
        )


def _check_open(plan: Plan) -> None:
    if not plan.is_open:
        raise _refuse(_("Planen er avsluttet og kan bare leses."), "plan_closed")


def _is_coordinator(actor: Any, plan: Plan) -> bool:
    return plan.coordinator_id == actor.pk and _works_in(actor, plan.service)


def _check_coordinator(actor: Any, plan: Plan) -> None:
    if not _is_coordinator(actor, plan):
        raise _refuse(_("Bare planens koordinator kan gjøre dette."), "not_coordinator")


def _check_right(actor: Any, plan: Plan, codename: str) -> None:
    """The coordinator, or someone the coordinator gave this right on this plan."""
    if _is_coordinator(actor, plan):
        return
    if grants.has_grant(actor, plan, codename) and (
        grants.eligible_users(plan).filter(pk=actor.pk).exists()
    ):
        return
    raise _refuse(
        _("Du har ikke rett til dette i planen. Koordinatoren kan gi deg rettigheten."),
        "no_plan_right",
    )


def _service_of(part: Any) -> Service:
    """The service of a service participant (a relative has none)."""
    if part.service is None:
        raise _refuse(_("Velg tjenesten som skal delta."), "required", "service")
    return part.service


def _plan_consent(plan: Plan) -> Consent | None:
    return Consent.objects.filter(pk=plan.consent_id).first() if plan.consent_id else None


def _active_service_participants(plan: Plan) -> list[PlanParticipant]:
    return list(
        plan.participants.filter(kind=ParticipantKind.SERVICE, left_at__isnull=True)
        .select_related("service")
        .order_by("joined_at")
    )


def _check_participating(plan: Plan, service: Service, fld: str) -> None:
    if not plan.participants.filter(
        kind=ParticipantKind.SERVICE, service=service, left_at__isnull=True
    ).exists():
        raise _refuse(
            _("%(service)s deltar ikke i planen.") % {"service": service.name},
            "service_not_participating",
            fld,
        )


def adult_coordinator_offer_from(
    record: ChildCoordinator, birth_date: datetime.date
) -> datetime.date:
    """From this day the plan may be offered to a coordinator for adults: the 17th birthday,
    or the handover deadline if that comes first (a lead time of more than a year)."""
    due = child_coordinator_handover_due(birth_date, record.decided_on)
    from_age = ages.birthday(birth_date, ADULT_COORDINATOR_FROM_AGE)
    return from_age if due is None else min(from_age, due)


def _check_child_coordinator(
    youth: Youth, coordinator: Any, fld: str, *, handover: bool = False
) -> None:
    """A child coordinator, if the child has one, coordinates the plan (domain.md §6). In the
    child's last year before 18 the plan may be offered (``handover``) to a coordinator for
    adults, who coordinates after the role ends."""
    current = ChildCoordinator.objects.filter(
        youth=youth, right_granted=True, ended_at__isnull=True, coordinator__isnull=False
    ).first()
    if current is None or current.coordinator_id == coordinator.pk:
        return
    if handover:
        opens = adult_coordinator_offer_from(current, youth.birth_date)
        if timezone.localdate() >= opens:
            return
        raise _refuse(
            _(
                "Barnet har barnekoordinator, og barnekoordinatoren koordinerer planen. "
                "Fra %(day)s kan planen tilbys en koordinator for voksne."
            )
            % {"day": f"{opens:%d.%m.%Y}"},
            "child_coordinator_coordinates",
            fld,
        )
    raise _refuse(
        _("Barnet har barnekoordinator, og barnekoordinatoren koordinerer planen."),
        "child_coordinator_coordinates",
        fld,
    )


def _check_municipal(service: Service, fld: str) -> None:
    if not child_coordinator.is_municipal(service):
        raise _refuse(
            _(
                "Bare kommunens egne tjenester kan ha barnekoordinator: helse- og "
                "omsorgstjenesten, barneverntjenesten eller en annen kommunal tjeneste for barn."
            ),
            "not_municipal",
            fld,
        )


def _locked_plan(plan_id: Any, version: int | None = None) -> Plan:
    locked = (
        locked_at_version(Plan, plan_id, version)
        if version is not None
        else Plan.objects.select_for_update().get(pk=plan_id)
    )
    # Load the relations snapshots read, after the lock (``select_for_update`` cannot join
    # nullable relations on PostgreSQL).
    return Plan.objects.select_related("service", "coordinator", "youth").get(pk=locked.pk)


def _bump(plan: Plan, actor: Any, before: dict[str, Any], fields: Iterable[str]) -> Plan:
    plan.version += 1
    plan.full_clean()
    plan.save(update_fields=[*fields, "version", "updated_at"])
    versions.record(
        plan=plan,
        actor=actor,
        obj=plan,
        object_type="plan",
        action=VersionAction.CHANGED,
        before=before,
    )
    return plan


PART_RELATIONS: dict[type, tuple[str, ...]] = {
    PlanParticipant: ("service", "contact"),
    PlanGoal: ("service",),
    PlanMeasure: ("service", "responsible"),
}
PART_TYPES: dict[type, str] = {
    PlanParticipant: "participant",
    PlanGoal: "goal",
    PlanMeasure: "measure",
}


def _part_for_edit(model: type[Any], part: Any, version: int) -> tuple[Any, Plan, dict[str, Any]]:
    """Lock the plan, then the part at the version the caller read (the plan first, as in every
    plan write); open plans only. Returns the part with what its snapshot reads, the plan, and
    the part's state before the change."""
    plan = _locked_plan(part.plan_id)
    _check_open(plan)
    locked_at_version(model, part.pk, version)
    locked = model.objects.select_related(*PART_RELATIONS[model]).get(pk=part.pk)
    return locked, plan, versions.STATE_OF[PART_TYPES[model]](locked)


def _set(obj: Any, values: Mapping[str, Any], names: Iterable[str]) -> None:
    for name in names:
        if name in values:
            setattr(obj, name, _clean(values[name]))


def _save_part(
    plan: Plan,
    actor: Any,
    part: Any,
    before: dict[str, Any],
    *,
    action: str = VersionAction.CHANGED,
    fields: Sequence[str] | None = None,
) -> None:
    """Save a changed part with a new version number and write its version row."""
    part.version += 1
    if fields is None:
        part.full_clean()
        part.save()
    else:
        part.save(update_fields=[*fields, "version"])
    versions.record(
        plan=plan,
        actor=actor,
        obj=part,
        object_type=PART_TYPES[type(part)],
        action=action,
        before=before,
    )


# --- The plan consent -------------------------------------------------------------------------


def consent_flows(
    services: Sequence[Service], categories: Iterable[str], holders: Collection[Any]
) -> list[Flow]:
    """From each of ``holders`` (the recording staff member's services) among ``services`` to
    every other, for the plan (GENERAL) and the categories the youth agreed to: only the holder
    opens its records (``cases.services.consents``); another participant records its own. With
    one service, the plan is shared with itself only. Without a holder among them, every flow,
    for the consent's rule to refuse by name."""
    cats = sorted({Category.GENERAL, *categories})
    sources = [s for s in services if s.pk in holders] or list(services)
    flows = [
        Flow(categories=cats, from_party=a, to_party=b)
        for a in sources
        for b in services
        if a.pk != b.pk
    ]
    return flows or [Flow(categories=cats, from_party=s, to_party=s) for s in sources]


def _record_consent(
    *,
    actor: Any,
    youth: Youth,
    services: Sequence[Service],
    consent: PlanConsent,
    replaces: Consent | None,
) -> Consent:
    categories = consent.categories
    if replaces is not None and not categories:
        categories = sorted({s.category for s in replaces.scopes.all()})
    return case_services.consent_give(
        actor=actor,
        youth=youth,
        decision=Decision.GIVEN,
        giver=consent.giver,
        purpose_code=PLAN_PURPOSE_CODE,
        purpose=str(_("Individuell plan: samarbeid mellom tjenestene som deltar i planen.")),
        method=consent.method,
        agreed_text=consent.agreed_text,
        flows=consent_flows(services, categories, access.viewer_for(actor).reach),
        valid_until=consent.valid_until,
        child_view=consent.child_view,
        replaces=replaces if replaces is not None and replaces.withdrawn_at is None else None,
        guardians=consent.guardians,
    )


# --- The plan ---------------------------------------------------------------------------------


PLAN_EDITABLE = (
    *versions.PLAN_TEXT_FIELDS,
    "starts_on",
    "ends_on",
    "next_review_on",
    "bti_level",
)
# How far from today a plan's dates may lie (``cases.dates``): the review dates bring reminders,
# the period only says when the plan runs. Only dates being set are held to them.
PLAN_DATE_WINDOWS = {
    "starts_on": dates.PERIOD,
    "ends_on": dates.PERIOD,
    "next_review_on": dates.DEADLINE,
}


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    youth: Youth,
    kind: str,
    service: Service,
    coordinator: Any = None,
    consent: PlanConsent | None = None,
    participants: Sequence[NewParticipant] = (),
    values: Mapping[str, Any] | None = None,
) -> Plan:
    """A new plan in draft, held by ``service`` with ``coordinator`` (default: the actor).

    An individual plan is made only with consent to the plan (recorded here, covering the
    participating services); a stafettlogg may have one. One open plan per youth.
    """
    Youth.objects.select_for_update().get(pk=youth.pk)  # one create per youth at a time
    coordinator = coordinator or actor
    _check_works_in(actor, service, "service")
    _check_works_in(coordinator, service, "coordinator")
    _check_follows(youth.pk, service, "service")
    _check_child_coordinator(youth, coordinator, "coordinator")
    values = dict(values or {})
    if kind == PlanKind.INDIVIDUAL and consent is None:
        raise _refuse(
            _("En individuell plan kan bare lages med samtykke fra ungdommen."),
            "consent_required",
            "consent",
        )
    if kind == PlanKind.INDIVIDUAL and values.get("bti_level") is not None:
        raise _refuse(_("BTI-nivå gjelder bare stafettlogg."), "invalid", "bti_level")
    dates.check_date_windows(values, PLAN_DATE_WINDOWS)
    if Plan.objects.filter(youth=youth, status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE]).exists():
        raise _refuse(_("Ungdommen har allerede en plan."), "plan_exists", "youth")
    service_parts = [p for p in participants if p.kind == ParticipantKind.SERVICE]
    services = [service] + [
        _service_of(p) for p in service_parts if _service_of(p).pk != service.pk
    ]
    for index, part in enumerate(service_parts):
        _check_follows(youth.pk, _service_of(part), f"participants[{index}].service")
        if part.contact is not None:
            _check_works_in(part.contact, _service_of(part), f"participants[{index}].contact")
    recorded = (
        _record_consent(actor=actor, youth=youth, services=services, consent=consent, replaces=None)
        if consent is not None
        else None
    )
    plan = Plan(
        youth=youth,
        kind=kind,
        service=service,
        coordinator=coordinator,
        consent=recorded,
        created_by=actor,
        **{k: v for k, v in values.items() if k in PLAN_EDITABLE},
    )
    plan.full_clean()
    plan.save(force_insert=True)
    versions.record(
        plan=plan, actor=actor, obj=plan, object_type="plan", action=VersionAction.CREATED
    )
    CoordinatorTerm.objects.create(plan=plan, user=coordinator, service=service)
    contributions = {_service_of(p).pk: p for p in service_parts}
    holder = contributions.get(service.pk, NewParticipant(service=service, contact=coordinator))
    _add_participant(plan, actor, holder)
    for part in participants:
        if part.kind == ParticipantKind.SERVICE and _service_of(part).pk == service.pk:
            continue
        _add_participant(plan, actor, part)
    audit_record(actor=actor, action="plan.created", subject=youth, target=plan)
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: Plan, version: int, values: Mapping[str, Any]) -> Plan:
    """Change the plan's own text, period, review date or BTI level (the coordinator)."""
    locked = _locked_plan(plan.pk, version)
    _check_open(locked)
    _check_coordinator(actor, locked)
    if "bti_level" in values and locked.kind != PlanKind.STAFETTLOGG:
        raise _refuse(_("BTI-nivå gjelder bare stafettlogg."), "invalid", "bti_level")
    before = versions.plan_state(locked)
    changed = [k for k in PLAN_EDITABLE if k in values and getattr(locked, k) != values[k]]
    if not changed:
        return locked
    dates.check_date_windows({k: values[k] for k in changed}, PLAN_DATE_WINDOWS)
    for name in changed:
        setattr(locked, name, values[name])
    _bump(locked, actor, before, changed)
    audit_record(
        actor=actor,
        action="plan.changed",
        subject=locked.youth,
        target=locked,
        data={"fields": changed},
    )
    return locked


@transaction.atomic
def plan_activate(*, actor: Any, plan: Plan, version: int) -> Plan:
    """Draft → active: the plan is in use, so its review dates become deadlines."""
    locked = _locked_plan(plan.pk, version)
    _check_coordinator(actor, locked)
    if locked.status != PlanStatus.DRAFT:
        raise _refuse(_("Bare et utkast kan tas i bruk."), "invalid_state")
    if locked.next_review_on is None:
        raise _refuse(
            _("Sett dato for første evaluering før planen tas i bruk."),
            "required",
            "next_review_on",
        )
    before = versions.plan_state(locked)
    locked.status, locked.activated_at = PlanStatus.ACTIVE, timezone.now()
    _bump(locked, actor, before, ["status", "activated_at"])
    audit_record(actor=actor, action="plan.activated", subject=locked.youth, target=locked)
    return locked


@transaction.atomic
def plan_close(*, actor: Any, plan: Plan, version: int, reason: str, note: str = "") -> Plan:
    """Close the plan (read-only from now): grants removed, a pending coordinator handover
    withdrawn, its open deadlines fall away."""
    locked = _locked_plan(plan.pk, version)
    _check_open(locked)
    _check_coordinator(actor, locked)
    if reason not in CloseReason.values:
        raise _refuse(_("Velg en gyldig årsak."), "invalid_choice", "reason")
    before = versions.plan_state(locked)
    now = timezone.now()
    locked.status, locked.closed_at = PlanStatus.CLOSED, now
    locked.close_reason, locked.close_note = reason, note.strip()
    _bump(locked, actor, before, ["status", "closed_at", "close_reason", "close_note"])
    CoordinatorTerm.objects.filter(plan=locked, until__isnull=True).update(until=now)
    for pending in Handover.objects.filter(
        kind=HandoverKind.PLAN_COORDINATOR, about_id=locked.pk, state=HandoverState.PENDING
    ):
        case_services.handover_cancel(actor=actor, handover=pending)
    grants.grants_prune(plan=locked, actor=actor, reason="plan_closed")
    audit_record(
        actor=actor,
        action="plan.closed",
        subject=locked.youth,
        target=locked,
        data={"reason": reason},
    )
    return locked


@transaction.atomic
def plan_convert(*, actor: Any, plan: Plan, version: int, consent: PlanConsent) -> Plan:
    """Turn a stafettlogg into an individual plan, keeping its id, content and history. An IP
    needs the youth's consent to the plan: it is recorded here (replacing an earlier one)."""
    locked = _locked_plan(plan.pk, version)
    _check_open(locked)
    _check_coordinator(actor, locked)
    if locked.kind != PlanKind.STAFETTLOGG:
        raise _refuse(_("Planen er allerede en individuell plan."), "invalid_state")
    services = [_service_of(p) for p in _active_service_participants(locked)]
    previous = _plan_consent(locked)
    before = versions.plan_state(locked)
    locked.consent = _record_consent(
        actor=actor, youth=locked.youth, services=services, consent=consent, replaces=previous
    )
    locked.kind, locked.bti_level, locked.converted_at = PlanKind.INDIVIDUAL, None, timezone.now()
    _bump(locked, actor, before, ["consent", "kind", "bti_level", "converted_at"])
    audit_record(actor=actor, action="plan.converted", subject=locked.youth, target=locked)
    return locked


# --- Participants -----------------------------------------------------------------------------


def _add_participant(plan: Plan, actor: Any, part: NewParticipant) -> PlanParticipant:
    participant = PlanParticipant(
        plan=plan,
        kind=part.kind,
        service=part.service if part.kind == ParticipantKind.SERVICE else None,
        contact=part.contact if part.kind == ParticipantKind.SERVICE else None,
        name=part.name.strip(),
        relation=part.relation.strip(),
        contribution=part.contribution.strip(),
    )
    if part.kind == ParticipantKind.RELATIVE and not participant.name:
        raise _refuse(_("Oppgi navnet til den pårørende."), "required", "name")
    participant.full_clean()
    participant.save(force_insert=True)
    versions.record(
        plan=plan,
        actor=actor,
        obj=participant,
        object_type="participant",
        action=VersionAction.CREATED,
    )
    return participant


@transaction.atomic
def participant_add(
    *, actor: Any, plan: Plan, part: NewParticipant, consent: PlanConsent | None = None
) -> PlanParticipant:
    """Add a service or a relative. A new service in an individual plan needs its own consent
    (domain.md §7): the plan's consent is renewed to cover it, replacing the old one."""
    locked = _locked_plan(plan.pk)
    _check_open(locked)
    _check_coordinator(actor, locked)
    if part.kind == ParticipantKind.SERVICE:
        assert part.service is not None
        _check_follows(locked.youth_id, part.service, "service")
        if part.contact is not None:
            _check_works_in(part.contact, part.service, "contact")
        services = [_service_of(p) for p in _active_service_participants(locked)]
        if _service_of(part).pk in {s.pk for s in services}:
            raise _refuse(
                _("Tjenesten deltar allerede i planen."), "already_participating", "service"
            )
        if locked.consent_id is not None or locked.kind == PlanKind.INDIVIDUAL:
            if consent is None:
                raise _refuse(
                    _("En ny tjeneste i planen krever nytt samtykke fra ungdommen."),
                    "consent_required",
                    "consent",
                )
            before = versions.plan_state(locked)
            locked.consent = _record_consent(
                actor=actor,
                youth=locked.youth,
                services=[*services, _service_of(part)],
                consent=consent,
                replaces=_plan_consent(locked),
            )
            _bump(locked, actor, before, ["consent"])
    participant = _add_participant(locked, actor, part)
    audit_record(
        actor=actor, action="plan.participant_added", subject=locked.youth, target=participant
    )
    return participant


@transaction.atomic
def participant_change(
    *, actor: Any, participant: PlanParticipant, version: int, values: Mapping[str, Any]
) -> PlanParticipant:
    locked, plan, before = _part_for_edit(PlanParticipant, participant, version)
    _check_coordinator(actor, plan)
    if locked.left_at is not None:
        raise _refuse(_("Deltakeren er ikke lenger med i planen."), "participant_left")
    if "contact" in values and values["contact"] is not None:
        if locked.service is None:
            raise _refuse(_("Pårørende har ingen kontaktperson."), "invalid", "contact")
        _check_works_in(values["contact"], locked.service, "contact")
    _set(locked, values, ("contribution", "contact", "name", "relation"))
    _save_part(plan, actor, locked, before)
    return locked


@transaction.atomic
def participant_remove(
    *, actor: Any, participant: PlanParticipant, version: int
) -> PlanParticipant:
    """A participant leaves the plan: their service stops seeing it and its staff lose any
    rights the coordinator gave them on the plan."""
    locked, plan, before = _part_for_edit(PlanParticipant, participant, version)
    _check_coordinator(actor, plan)
    if locked.left_at is not None:
        raise _refuse(_("Deltakeren er ikke lenger med i planen."), "participant_left")
    if locked.service_id == plan.service_id:
        raise _refuse(
            _("Den koordinerende tjenesten kan ikke gå ut av planen. Bytt koordinator først."),
            "holder_cannot_leave",
        )
    locked.left_at = timezone.now()
    _save_part(plan, actor, locked, before, action=VersionAction.REMOVED, fields=["left_at"])
    grants.grants_prune(plan=plan, actor=actor, reason="participant_left")
    audit_record(actor=actor, action="plan.participant_removed", subject=plan.youth, target=locked)
    return locked


# --- Goals and measures -----------------------------------------------------------------------


def _actor_service(viewer: access.Viewer, plan: Plan) -> Service:
    """The participating service the actor (``viewer``) writes for (the holding one first)."""
    mine = set(viewer.reach)
    if plan.service_id in mine:
        return plan.service
    for participant in _active_service_participants(plan):
        if participant.service_id in mine:
            return participant.service  # type: ignore[return-value]
    raise _refuse(_("Du jobber ikke i en tjeneste som deltar i planen."), "not_participant")


def goal_in_plan(plan: Plan, goal_id: Any, fld: str) -> PlanGoal:
    """A live goal of the plan named in a request, else a 400 on ``fld``."""
    goal = PlanGoal.objects.filter(pk=goal_id, plan=plan, removed_at__isnull=True).first()
    if goal is None:
        raise _refuse(_("Målet finnes ikke i denne planen."), "invalid", fld)
    return goal


GOAL_FIELDS = ("title", "description", "category", "position", "achieved_at")


@transaction.atomic
def goal_add(
    *,
    actor: Any,
    plan: Plan,
    title: str,
    description: str = "",
    parent: PlanGoal | None = None,
    category: str = Category.GENERAL,
    position: int = 0,
) -> PlanGoal:
    """A main goal, or a sub-goal under one (two levels)."""
    locked = _locked_plan(plan.pk)
    _check_open(locked)
    _check_right(actor, locked, grants.EDIT_GOALS)
    if parent is not None and (parent.plan_id != locked.pk or parent.parent_id is not None):
        raise _refuse(_("Et delmål må høre til et hovedmål i samme plan."), "invalid", "parent")
    goal = PlanGoal(
        plan=locked,
        youth_id=locked.youth_id,
        parent=parent,
        title=title.strip(),
        description=description.strip(),
        service=_actor_service(access.viewer_for(actor), locked),
        category=category,
        position=position,
    )
    goal.full_clean()
    goal.save(force_insert=True)
    versions.record(
        plan=locked, actor=actor, obj=goal, object_type="goal", action=VersionAction.CREATED
    )
    return goal


@transaction.atomic
def goal_change(*, actor: Any, goal: PlanGoal, version: int, values: Mapping[str, Any]) -> PlanGoal:
    locked, plan, before = _part_for_edit(PlanGoal, goal, version)
    _check_right(actor, plan, grants.EDIT_GOALS)
    if locked.removed_at is not None:
        raise _refuse(_("Målet er fjernet fra planen."), "removed")
    values = dict(values)
    if "achieved" in values:
        achieved = values.pop("achieved")
        values["achieved_at"] = (locked.achieved_at or timezone.now()) if achieved else None
    _set(locked, values, GOAL_FIELDS)
    _save_part(plan, actor, locked, before)
    return locked


@transaction.atomic
def goal_remove(*, actor: Any, goal: PlanGoal, version: int) -> PlanGoal:
    """Remove a goal (kept in the history); it must have no measures or sub-goals left."""
    locked, plan, before = _part_for_edit(PlanGoal, goal, version)
    _check_right(actor, plan, grants.EDIT_GOALS)
    if locked.removed_at is not None:
        raise _refuse(_("Målet er fjernet fra planen."), "removed")
    if (
        locked.sub_goals.filter(removed_at__isnull=True).exists()
        or locked.measures.filter(removed_at__isnull=True).exists()
    ):
        raise _refuse(_("Fjern tiltakene og delmålene under målet først."), "goal_in_use")
    locked.removed_at = timezone.now()
    _save_part(plan, actor, locked, before, action=VersionAction.REMOVED, fields=["removed_at"])
    return locked


MEASURE_FIELDS = (
    "title",
    "scope",
    "how",
    "service",
    "responsible",
    "category",
    "starts_on",
    "ends_on",
    "status",
)


# A measure's end is a deadline for the person responsible; its start only says when it runs.
MEASURE_DATE_WINDOWS = {"starts_on": dates.PERIOD, "ends_on": dates.DEADLINE}


def _check_measure_people(plan: Plan, service: Service, responsible: Any) -> None:
    _check_participating(plan, service, "service")
    if responsible is not None:
        _check_works_in(responsible, service, "responsible")


@transaction.atomic
def measure_add(
    *,
    actor: Any,
    plan: Plan,
    goal: PlanGoal,
    title: str,
    service: Service,
    responsible: Any = None,
    scope: str = "",
    how: str = "",
    category: str = Category.GENERAL,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> PlanMeasure:
    """A measure towards a goal with its responsible service and person; its end date becomes
    a deadline (reminding the responsible person) while the plan is active."""
    locked = _locked_plan(plan.pk)
    _check_open(locked)
    _check_right(actor, locked, grants.EDIT_MEASURES)
    if goal.plan_id != locked.pk or goal.removed_at is not None:
        raise _refuse(_("Målet finnes ikke i denne planen."), "invalid", "goal")
    _check_measure_people(locked, service, responsible)
    dates.check_date_windows({"starts_on": starts_on, "ends_on": ends_on}, MEASURE_DATE_WINDOWS)
    measure = PlanMeasure(
        plan=locked,
        youth_id=locked.youth_id,
        goal=goal,
        title=title.strip(),
        scope=scope.strip(),
        how=how.strip(),
        service=service,
        responsible=responsible,
        category=category,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    measure.full_clean()
    measure.save(force_insert=True)
    versions.record(
        plan=locked,
        actor=actor,
        obj=measure,
        object_type="measure",
        action=VersionAction.CREATED,
    )
    return measure


@transaction.atomic
def measure_change(
    *, actor: Any, measure: PlanMeasure, version: int, values: Mapping[str, Any]
) -> PlanMeasure:
    """Change a measure. The person responsible for it may move its status; everything else
    takes the coordinator or the right to edit measures."""
    locked, plan, before = _part_for_edit(PlanMeasure, measure, version)
    if locked.removed_at is not None:
        raise _refuse(_("Tiltaket er fjernet fra planen."), "removed")
    status_only = set(values) <= {"status"}
    if not (status_only and locked.responsible_id == actor.pk):
        _check_right(actor, plan, grants.EDIT_MEASURES)
    if "service" in values or "responsible" in values:
        _check_measure_people(
            plan,
            values.get("service", locked.service),
            values.get("responsible", locked.responsible),
        )
    if "status" in values and values["status"] != locked.status:
        if values["status"] not in MeasureStatus.values:
            raise _refuse(_("Ugyldig status."), "invalid_choice", "status")
        locked.status_changed_at = timezone.now()
    dates.check_date_windows(
        {
            k: values[k]
            for k in MEASURE_DATE_WINDOWS
            if k in values and getattr(locked, k) != values[k]
        },
        MEASURE_DATE_WINDOWS,
    )
    _set(locked, values, MEASURE_FIELDS)
    _save_part(plan, actor, locked, before)
    return locked


@transaction.atomic
def measure_remove(*, actor: Any, measure: PlanMeasure, version: int) -> PlanMeasure:
    locked, plan, before = _part_for_edit(PlanMeasure, measure, version)
    _check_right(actor, plan, grants.EDIT_MEASURES)
    if locked.removed_at is not None:
        raise _refuse(_("Tiltaket er fjernet fra planen."), "removed")
    locked.removed_at = timezone.now()
    _save_part(plan, actor, locked, before, action=VersionAction.REMOVED, fields=["removed_at"])
    return locked


# --- Reviews ----------------------------------------------------------------------------------

# The next review is a deadline for the coordinator; the day a review was held is in the past.
REVIEW_DATE_WINDOWS = {"held_on": dates.PERIOD, "next_review_on": dates.DEADLINE}


@transaction.atomic
def review_record(
    *,
    actor: Any,
    plan: Plan,
    version: int,
    held_on: datetime.date,
    next_review_on: datetime.date,
    attendee_ids: Sequence[Any] = (),
    youth_attended: bool = True,
    goal_notes: Sequence[GoalNote] = (),
    changes_agreed: str = "",
    youth_view: str = "",
) -> PlanReview:
    """Record a review (*evaluering*): it fulfils the review that was due and sets the next,
    which becomes the plan's next review deadline."""
    locked = _locked_plan(plan.pk, version)
    _check_coordinator(actor, locked)
    if locked.status != PlanStatus.ACTIVE:
        raise _refuse(_("Bare en aktiv plan kan evalueres."), "invalid_state")
    if held_on > timezone.localdate():
        raise _refuse(
            _("En evaluering kan ikke registreres før den er holdt."), "invalid", "held_on"
        )
    if next_review_on <= held_on:
        raise _refuse(_("Neste evaluering må være etter denne."), "invalid", "next_review_on")
    dates.check_date_windows(
        {"held_on": held_on, "next_review_on": next_review_on}, REVIEW_DATE_WINDOWS
    )
    participants = {str(p.pk): p for p in locked.participants.all()}
    unknown = [str(a) for a in attendee_ids if str(a) not in participants]
    if unknown:
        raise _refuse(_("Ukjent deltaker i planen."), "invalid", "attendees")
    goals = {str(g.pk): g for g in PlanGoal.objects.filter(plan=locked, removed_at__isnull=True)}
    if any(str(n.goal_id) not in goals for n in goal_notes):
        raise _refuse(_("Ukjent mål i planen."), "invalid", "goal_notes")
    review = PlanReview(
        plan=locked,
        held_on=held_on,
        youth_attended=youth_attended,
        changes_agreed=changes_agreed.strip(),
        youth_view=youth_view.strip(),
        next_review_on=next_review_on,
        was_due_on=locked.next_review_on,
        recorded_by=actor,
    )
    review.full_clean()
    review.save(force_insert=True)
    review.attendees.set([participants[str(a)] for a in attendee_ids])
    PlanReviewGoal.objects.bulk_create(
        PlanReviewGoal(
            review=review,
            goal=goals[str(n.goal_id)],
            youth_id=locked.youth_id,
            service_id=goals[str(n.goal_id)].service_id,
            category=goals[str(n.goal_id)].category,
            achieved=n.achieved.strip(),
        )
        for n in goal_notes
    )
    review = PlanReview.objects.prefetch_related("attendees", "goal_notes").get(pk=review.pk)
    versions.record(
        plan=locked, actor=actor, obj=review, object_type="review", action=VersionAction.CREATED
    )
    before = versions.plan_state(locked)
    locked.next_review_on = next_review_on
    _bump(locked, actor, before, ["next_review_on"])
    audit_record(actor=actor, action="plan.reviewed", subject=locked.youth, target=review)
    return review


# --- The coordinator --------------------------------------------------------------------------


def _offering_period(plan: Plan, viewer: access.Viewer) -> FollowUpPeriod:
    """The period the offer is made from: the holding service's, else one of the actor's
    (``viewer``)."""
    mine = viewer.reach
    periods = FollowUpPeriod.objects.filter(youth_id=plan.youth_id, ended_on__isnull=True)
    found = periods.filter(service_id=plan.service_id, service_id__in=mine).first() or (
        periods.filter(service_id__in=mine).first()
    )
    if found is None:
        raise _refuse(_("Du jobber ikke i en tjeneste som følger ungdommen."), "not_following")
    return found


def may_name_coordinator(actor: Any, plan: Plan) -> bool:
    """The coordinator hands over; without an active coordinator, a manager of a participating
    service names one."""
    if _is_coordinator(actor, plan):
        return True
    if plan.coordinator_id is not None and _works_in_id(plan.coordinator_id, plan.service_id):
        return False
    participating = [p.service_id for p in _active_service_participants(plan) if p.service_id]
    return StaffMembership.objects.filter(
        user=actor, service_id__in=participating, role=StaffRole.MANAGER, ended_at__isnull=True
    ).exists()


@transaction.atomic
def coordinator_offer(
    *, actor: Any, plan: Plan, to_user: Any, to_service: Service, message: str = ""
) -> Handover:
    """Offer the coordinator role (a handover): nothing moves until the new one accepts, and
    until then the current coordinator stays responsible. A child's plan goes to its child
    coordinator, except in the last year before 18, when it may be offered to a coordinator for
    adults (meeting the CHILD-COORDINATOR-18 deadline)."""
    locked = _locked_plan(plan.pk)
    _check_open(locked)
    if not may_name_coordinator(actor, locked):
        raise _refuse(
            _("Bare planens koordinator kan overlate koordinatorrollen."), "not_coordinator"
        )
    _check_participating(locked, to_service, "to_service")
    _check_works_in(to_user, to_service, "to_user")
    _check_child_coordinator(locked.youth, to_user, "to_user", handover=True)
    if to_user.pk == locked.coordinator_id and to_service.pk == locked.service_id:
        raise _refuse(_("Personen er allerede koordinator."), "already_coordinator", "to_user")
    handover = case_services.handover_offer(
        actor=actor,
        period=_offering_period(locked, access.viewer_for(actor)),
        to_service=to_service,
        to_user=to_user,
        message=message,
        kind=HandoverKind.PLAN_COORDINATOR,
        about_id=locked.pk,
    )
    audit_record(
        actor=actor,
        action="plan.coordinator_offered",
        subject=locked.youth,
        target=locked,
        data={"to": to_user.get_username()},
    )
    fact_changed(locked.youth_id, "plan.coordinator", ref=locked.pk)
    return handover


def pending_coordinator_handover(plan: Plan) -> Handover | None:
    return (
        Handover.objects.filter(
            kind=HandoverKind.PLAN_COORDINATOR, about_id=plan.pk, state=HandoverState.PENDING
        )
        .select_related("to_user", "to_service", "from_user")
        .first()
    )


def _pending_for(plan: Plan) -> Handover:
    handover = pending_coordinator_handover(plan)
    if handover is None:
        raise _refuse(_("Ingen koordinatorstafett venter på svar."), "no_pending_handover")
    return handover


def _set_coordinator(plan: Plan, actor: Any, user: Any, service: Service) -> Plan:
    now = timezone.now()
    before = versions.plan_state(plan)
    CoordinatorTerm.objects.filter(plan=plan, until__isnull=True).update(until=now)
    CoordinatorTerm.objects.create(plan=plan, user=user, service=service, since=now)
    plan.coordinator, plan.service = user, service
    _bump(plan, actor, before, ["coordinator", "service"])
    # The new coordinator has every right; their old grants are not needed.
    for codename in grants.PERMISSIONS:
        grants.revoke(
            actor=actor, plan=plan, user=user, codename=codename, reason="now_coordinator"
        )
    return plan


@transaction.atomic
def coordinator_accept(*, actor: Any, plan: Plan) -> Plan:
    """The new coordinator accepts: from now on they coordinate, for their service."""
    locked = _locked_plan(plan.pk)
    _check_open(locked)
    handover = case_services.handover_accept(actor=actor, handover=_pending_for(locked))
    _set_coordinator(locked, actor, actor, handover.to_service)
    audit_record(
        actor=actor, action="plan.coordinator_changed", subject=locked.youth, target=locked
    )
    return locked


@transaction.atomic
def coordinator_decline(*, actor: Any, plan: Plan, reason: str) -> Handover:
    locked = _locked_plan(plan.pk)
    handover = case_services.handover_decline(
        actor=actor, handover=_pending_for(locked), reason=reason
    )
    fact_changed(locked.youth_id, "plan.coordinator", ref=locked.pk)
    return handover


# --- Extra rights on one plan -----------------------------------------------------------------


@transaction.atomic
def grant_permission(*, actor: Any, plan: Plan, user: Any, codename: str) -> None:
    """The coordinator gives a participant's staff member a right on this plan."""
    locked = _locked_plan(plan.pk)
    _check_open(locked)
    _check_coordinator(actor, locked)
    grants.grant(actor=actor, plan=locked, user=user, codename=codename)


@transaction.atomic
def revoke_permission(*, actor: Any, plan: Plan, user: Any, codename: str) -> None:
    locked = _locked_plan(plan.pk)
    _check_coordinator(actor, locked)
    grants.revoke(actor=actor, plan=locked, user=user, codename=codename)


# --- The child coordinator --------------------------------------------------------------------


@transaction.atomic
def child_coordinator_record(
    *,
    actor: Any,
    youth: Youth,
    service: Service,
    decided_on: datetime.date,
    serious_condition: bool,
    needs_complex_services: bool,
    reasons: str,
    coordinator: Any = None,
) -> ChildCoordinator:
    """Record the municipality's decision on the family's right to a child coordinator: the
    right holds for a child under 18 with serious illness, injury or reduced function who
    will need long-term, complex or coordinated services (pbrl. § 2-5 c)."""
    Youth.objects.select_for_update().get(pk=youth.pk)
    _check_municipal(service, "service")
    _check_works_in(actor, service, "service")
    # No floor at the child's birth: the right also covers an expected child (pbrl. § 2-5 c).
    dates.check_date_windows({"decided_on": decided_on}, {"decided_on": dates.HAPPENED})
    if age_on(youth.birth_date, decided_on) >= CHILD_COORDINATOR_MAX_AGE:
        raise _refuse(
            _("Retten til barnekoordinator gjelder barn under 18 år."), "too_old", "decided_on"
        )
    granted = serious_condition and needs_complex_services
    if coordinator is not None and not granted:
        raise _refuse(
            _("Barnekoordinator kan bare oppnevnes når vilkårene er oppfylt."),
            "criteria_not_met",
            "coordinator",
        )
    if (
        granted
        and ChildCoordinator.objects.filter(
            youth=youth, right_granted=True, ended_at__isnull=True
        ).exists()
    ):
        raise _refuse(_("Barnet har allerede rett til barnekoordinator."), "already_granted")
    record = ChildCoordinator(
        youth=youth,
        service=service,
        decided_on=decided_on,
        serious_condition=serious_condition,
        needs_complex_services=needs_complex_services,
        right_granted=granted,
        reasons=reasons.strip(),
        recorded_by=actor,
    )
    record.full_clean()
    record.save(force_insert=True)
    audit_record(
        actor=actor,
        action="child_coordinator.granted" if granted else "child_coordinator.refused",
        subject=youth,
        target=record,
    )
    if coordinator is not None:
        return child_coordinator_appoint(actor=actor, record=record, coordinator=coordinator)
    fact_changed(youth.pk, "child_coordinator.changed", ref=record.pk)
    return record


@transaction.atomic
def child_coordinator_appoint(
    *, actor: Any, record: ChildCoordinator, coordinator: Any
) -> ChildCoordinator:
    """Appoint the child coordinator. They drive the individual plan: if the child has an open
    plan that their service takes part in, the coordinator role is offered to them."""
    locked = ChildCoordinator.objects.select_for_update().get(pk=record.pk)
    if not locked.right_granted or locked.ended_at is not None:
        raise _refuse(_("Retten til barnekoordinator er ikke innvilget."), "criteria_not_met")
    service = Service.objects.get(pk=locked.service_id)
    _check_municipal(service, "service")
    _check_works_in(actor, service, "service")
    _check_works_in(coordinator, service, "coordinator")
    locked.coordinator, locked.appointed_at = coordinator, timezone.now()
    locked.save(update_fields=["coordinator", "appointed_at"])
    audit_record(
        actor=actor,
        action="child_coordinator.appointed",
        subject=locked.youth,
        target=locked,
        data={"coordinator": coordinator.get_username()},
    )
    plan = Plan.objects.filter(
        youth_id=locked.youth_id, status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE]
    ).first()
    if (
        plan is not None
        and plan.coordinator_id != coordinator.pk
        and plan.participants.filter(service=service, left_at__isnull=True).exists()
        and pending_coordinator_handover(plan) is None
    ):
        case_services.handover_offer(
            actor=actor,
            period=_offering_period(plan, access.viewer_for(actor)),
            to_service=service,
            to_user=coordinator,
            message=str(_("Barnekoordinatoren overtar som koordinator for planen.")),
            kind=HandoverKind.PLAN_COORDINATOR,
            about_id=plan.pk,
        )
    fact_changed(locked.youth_id, "child_coordinator.changed", ref=locked.pk)
    return locked


@transaction.atomic
def child_coordinator_end(
    *, actor: Any, record: ChildCoordinator, reasons: str
) -> ChildCoordinator:
    locked = ChildCoordinator.objects.select_for_update().get(pk=record.pk)
    if locked.ended_at is not None:
        raise _refuse(_("Allerede avsluttet."), "invalid_state")
    _check_works_in(actor, Service.objects.get(pk=locked.service_id), "service")
    child_coordinator.end(
        locked,
        actor=actor,
        at=timezone.now(),
        reason=ChildCoordinatorEnd.DECIDED,
        note=reasons,
    )
    fact_changed(locked.youth_id, "child_coordinator.changed", ref=locked.pk)
    return locked
