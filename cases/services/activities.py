"""NAV follow-up: §14a decisions, activity plans and their activities, with NAV's own rules.

- A new §14a decision supersedes the current one; the history is kept.
- A completed or cancelled activity cannot change. Once agreed with NAV (*avtalt*), only its
  deadline and status may change; the content is what was agreed.
- An activity NAV proposes is agreed when the youth confirms it on *Min side*
  (``cases.services.youth_plan``), or when the advisor notes that it was agreed orally (who and
  when are recorded with the note); a card from NAV's own systems comes agreed there.
- Every change of an activity is a new version with who, when and what, and a text for staff and
  a plain-language text for the youth.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cases import access, dates
from cases.events import fact_changed
from cases.models import (
    Activity,
    ActivityPlan,
    ActivityStatus,
    ActivityVersion,
    AgreedHow,
    FollowUpPeriod,
    NavDecision,
    Service,
    ServiceKind,
    StaffRole,
    Youth,
    category_of,
)
from cases.services.common import check_actor_works_in, field_error, locked_at_version
from core.audit import audit_record
from core.errors import ApplicationError

# What staff may set on an activity; once agreed only AGREED_EDITABLE may change.
ACTIVITY_FIELDS = (
    "type",
    "status",
    "title",
    "description",
    "from_date",
    "to_date",
    "deadline",
    "responsible_service",
    "agreed",
)
AGREED_EDITABLE = frozenset({"deadline", "status"})
# How far from today each of an activity's dates may lie (``cases.dates``): the deadline brings
# reminders and escalations; from and to only say when it runs.
DATE_WINDOWS = {"from_date": dates.PERIOD, "to_date": dates.PERIOD, "deadline": dates.DEADLINE}


def _refuse(message: Any, code: str, field: str | None = None) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: message} if field else None)


def _open_nav_period(youth: Youth, service: Service) -> FollowUpPeriod:
    if service.kind != ServiceKind.NAV:
        raise _refuse(_("Bare et NAV-kontor kan gjøre dette."), "not_nav", "service")
    period = FollowUpPeriod.objects.filter(
        youth=youth, service=service, ended_on__isnull=True
    ).first()
    if period is None:
        raise _refuse(_("NAV-kontoret følger ikke opp ungdommen nå."), "not_followed", "service")
    return period


# --- §14a decisions -------------------------------------------------------------------------


@transaction.atomic
def decision_record(
    *,
    actor: Any,
    youth: Youth,
    service: Service,
    innsatsgruppe: str,
    main_goal: str,
    decided_on: datetime.date,
) -> NavDecision:
    """Record a §14a decision; it supersedes the youth's current decision."""
    check_actor_works_in(access.viewer_for(actor), service.pk)
    _open_nav_period(youth, service)
    if decided_on > timezone.localdate():
        raise field_error("decided_on", _("Vedtaksdato kan ikke være fram i tid."), "future")
    dates.check_date_windows(
        {"decided_on": decided_on}, {"decided_on": dates.HAPPENED}, born=youth.birth_date
    )
    current = (
        NavDecision.objects.select_for_update()
        .filter(youth=youth, superseded_at__isnull=True)
        .first()
    )
    if current is not None and decided_on < current.decided_on:
        raise field_error(
            "decided_on",
            _("Et nytt vedtak kan ikke ha dato før det gjeldende vedtaket."),
            "before_current",
        )
    decision = NavDecision(
        youth=youth,
        service=service,
        innsatsgruppe=innsatsgruppe,
        main_goal=main_goal,
        decided_on=decided_on,
        decided_by=actor,
    )
    decision.full_clean(validate_constraints=False)
    if current is not None:
        current.superseded_at = timezone.now()
        current.save(update_fields=["superseded_at"])
    decision.save(force_insert=True)
    if current is not None:
        current.superseded_by = decision
        current.save(update_fields=["superseded_by"])
    audit_record(
        actor=actor,
        action="decision.recorded",
        subject=youth,
        target=decision,
        data={"innsatsgruppe": innsatsgruppe, "supersedes": str(current.pk) if current else None},
    )
    fact_changed(youth.pk, "decision.recorded")
    return decision


# --- Activity plans -------------------------------------------------------------------------


def may_create_activity_plan(
    viewer: access.Viewer, *, service_id: Any, service_kind: str, followed: bool, has_plan: bool
) -> bool:
    """The rule ``activity_plan_create`` enforces, for pages that offer the action: the viewer
    works in a NAV office that follows the youth now (``followed``: an open period) and that
    period has no activity plan yet."""
    return (
        access.works_in(viewer, service_id)
        and service_kind == ServiceKind.NAV
        and followed
        and not has_plan
    )


def may_approve_activity_plan(viewer: access.Viewer, nav_service_id: Any) -> bool:
    """Only an advisor (or manager) of the NAV office that holds the plan approves it."""
    return access.works_in(viewer, nav_service_id, roles=[StaffRole.CASEWORKER, StaffRole.MANAGER])


def may_add_activity(
    viewer: access.Viewer, nav_service_id: Any, service_ids: Collection[Any]
) -> bool:
    """Staff of the NAV office that holds the plan, or of one of ``service_ids`` (the service
    made responsible for the activity; on a page: the services that take part)."""
    return access.works_in(viewer, nav_service_id) or any(
        access.works_in(viewer, service_id) for service_id in service_ids
    )


@transaction.atomic
def activity_plan_create(*, actor: Any, youth: Youth, service: Service) -> ActivityPlan:
    """Start the activity plan of the NAV office's open follow-up period with the youth
    (``may_create_activity_plan``, each refusal with its reason)."""
    viewer = access.viewer_for(actor)
    period = FollowUpPeriod.objects.filter(
        youth=youth, service=service, ended_on__isnull=True
    ).first()
    has_plan = period is not None and ActivityPlan.objects.filter(period=period).exists()
    if not may_create_activity_plan(
        viewer,
        service_id=service.pk,
        service_kind=service.kind,
        followed=period is not None,
        has_plan=has_plan,
    ):
        check_actor_works_in(viewer, service.pk)
        _open_nav_period(youth, service)
        raise _refuse(
            _("Oppfølgingsperioden har allerede en aktivitetsplan."), "plan_exists", "service"
        )
    assert period is not None
    plan = ActivityPlan.objects.create(youth=youth, period=period, created_by=actor)
    audit_record(actor=actor, action="plan.created", subject=youth, target=plan)
    return plan


def _plan_for_edit(plan: ActivityPlan, version: int | None = None) -> ActivityPlan:
    locked = (
        locked_at_version(ActivityPlan, plan.pk, version)
        if version is not None
        else ActivityPlan.objects.select_for_update().get(pk=plan.pk)
    )
    # The period with its service and youth: what every edit checks and records.
    period = FollowUpPeriod.objects.select_related("service", "youth").get(pk=locked.period_id)
    if not period.is_open:
        raise _refuse(_("Perioden er avsluttet og kan ikke endres."), "period_closed")
    locked.period = period
    if locked.youth_id == period.youth_id:
        locked.youth = period.youth
    return locked


@transaction.atomic
def activity_plan_approve(*, actor: Any, plan: ActivityPlan, version: int) -> ActivityPlan:
    """The advisor records that the plan is agreed with the youth (*godkjent*)."""
    locked = _plan_for_edit(plan, version)
    if not may_approve_activity_plan(access.viewer_for(actor), locked.period.service_id):
        raise _refuse(_("Bare en veileder ved NAV-kontoret kan godkjenne planen."), "not_advisor")
    locked.approved_at, locked.approved_by = timezone.now(), actor
    locked.version += 1
    locked.save(update_fields=["approved_at", "approved_by", "version"])
    audit_record(actor=actor, action="plan.approved", subject=locked.youth, target=locked)
    fact_changed(locked.youth_id, "plan.approved")
    return locked


# --- Activities -----------------------------------------------------------------------------


def _taking_part(youth_id: Any, service: Service) -> bool:
    """A service takes part when it follows the youth now (open period)."""
    return FollowUpPeriod.objects.filter(
        youth_id=youth_id, service=service, ended_on__isnull=True
    ).exists()


def _check_actor(viewer: access.Viewer, plan: ActivityPlan, responsible_service: Service) -> None:
    """NAV staff of the plan, or staff of the service responsible for the activity."""
    if may_add_activity(viewer, plan.period.service_id, [responsible_service.pk]):
        return
    raise _refuse(_("Du jobber ikke i en tjeneste som deltar i planen."), "not_member_of_service")


def _check_responsible_service(plan: ActivityPlan, service: Service) -> None:
    if service.pk != plan.period.service_id and not _taking_part(plan.youth_id, service):
        raise _refuse(
            _("Den ansvarlige tjenesten må følge opp ungdommen."),
            "service_not_taking_part",
            "responsible_service",
        )


def _check_dates(values: Mapping[str, Any], changed: Collection[str] | None = None) -> None:
    """Each date being set within its window, and from before to. Only the ``changed`` dates
    are held to the window (all when None): an old activity keeps the dates it has."""
    dates.check_date_windows(
        {f: values.get(f) for f in DATE_WINDOWS if changed is None or f in changed}, DATE_WINDOWS
    )
    start, end = values.get("from_date"), values.get("to_date")
    if start and end and end < start:
        raise field_error("to_date", _("Til-dato kan ikke være før fra-dato."), "before_start")


def _display(field: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime.date):
        return str(date_format(value, "SHORT_DATE_FORMAT"))
    if isinstance(value, Service):
        return value.name
    if field == "status":
        return str(ActivityStatus(value).label)
    if isinstance(value, bool):
        return str(_("ja") if value else _("nei"))
    return str(value)


def _label(field: str) -> str:
    return str(getattr(Activity._meta.get_field(field), "verbose_name", field))


def _texts(activity: Activity, changes: Mapping[str, tuple[Any, Any]]) -> tuple[str, str]:
    """Default texts for a version: one for staff (fields), one in plain words for the youth."""
    if not changes:
        return str(_("Aktiviteten ble opprettet.")), str(
            _("En ny aktivitet er lagt til i planen din: %(title)s.") % {"title": activity.title}
        )
    staff = "; ".join(
        f"{_label(f)}: {_display(f, a)} → {_display(f, b)}" for f, (a, b) in changes.items()
    )
    parts = []
    if "deadline" in changes:
        parts.append(
            str(_("Fristen er nå %(date)s.") % {"date": _display("deadline", activity.deadline)})
        )
    if "status" in changes:
        parts.append(
            str(_("Aktiviteten er nå «%(status)s».") % {"status": activity.get_status_display()})
        )
    if "agreed" in changes and activity.agreed:
        parts.append(str(_("Aktiviteten er avtalt mellom deg og NAV.")))
    if not parts:
        parts.append(str(_("Aktiviteten «%(title)s» er endret.") % {"title": activity.title}))
    return staff, " ".join(parts)


def _write_version(
    activity: Activity,
    actor: Any,
    changes: Mapping[str, tuple[Any, Any]],
    staff_text: str,
    youth_text: str,
) -> None:
    default_staff, default_youth = _texts(activity, changes)
    ActivityVersion.objects.create(
        activity=activity,
        version=activity.version,
        changed_by=actor,
        changes={f: [_json(a), _json(b)] for f, (a, b) in changes.items()},
        staff_text=(staff_text or default_staff)[:1000],
        youth_text=(youth_text or default_youth)[:1000],
    )


def _json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Service):
        return str(value.pk)
    return value


def agreed_by_staff(activity: Activity, *, actor: Any, note: str, now: datetime.datetime) -> None:
    """Staff make an activity agreed: a card from another system is agreed there; otherwise the
    advisor notes the oral agreement with the youth (who and when are kept with the note). An
    activity NAV proposes without either waits for the youth's confirmation on *Min side*."""
    if activity.source:
        how = AgreedHow.SOURCE
    elif note.strip():
        how = AgreedHow.ORAL
    else:
        raise field_error(
            "agreed_note",
            _(
                "Skriv hvordan aktiviteten ble avtalt muntlig med ungdommen. Uten et slikt notat "
                "er den avtalt først når ungdommen bekrefter den på Min side."
            ),
            "agreement_needs_note",
        )
    activity.agreed, activity.agreed_at = True, now
    activity.agreed_how, activity.agreed_by, activity.agreed_note = how, actor, note.strip()


@transaction.atomic
def activity_add(
    *,
    actor: Any,
    plan: ActivityPlan,
    type: str,
    title: str,
    responsible_service: Service | None = None,
    status: str = ActivityStatus.PLANLAGT,
    description: str = "",
    from_date: datetime.date | None = None,
    to_date: datetime.date | None = None,
    deadline: datetime.date | None = None,
    agreed: bool = False,
    agreed_note: str = "",
    staff_text: str = "",
    youth_text: str = "",
    source: str = "",
    external_id: str = "",
) -> Activity:
    """Add an activity; the responsible service is any service taking part (NAV by default)."""
    locked = _plan_for_edit(plan)
    responsible_service = responsible_service or locked.period.service
    _check_actor(access.viewer_for(actor), locked, responsible_service)
    _check_responsible_service(locked, responsible_service)
    _check_dates({"from_date": from_date, "to_date": to_date, "deadline": deadline})
    now = timezone.now()
    activity = Activity(
        plan=locked,
        youth_id=locked.youth_id,
        type=type,
        status=status,
        category=category_of(type),
        title=title,
        description=description,
        from_date=from_date,
        to_date=to_date,
        deadline=deadline,
        responsible_service=responsible_service,
        status_changed_at=now,
        source=source,
        external_id=external_id,
        created_by=actor,
    )
    if agreed:
        agreed_by_staff(activity, actor=actor, note=agreed_note, now=now)
    activity.full_clean(validate_constraints=False)
    activity.save(force_insert=True)
    _write_version(activity, actor, {}, staff_text, youth_text)
    audit_record(actor=actor, action="activity.added", subject=locked.youth, target=activity)
    fact_changed(locked.youth_id, "activity.added")
    return activity


def _apply(
    activity: Activity, values: Mapping[str, Any], *, actor: Any = None, agreed_note: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Apply NAV's rules to a change and return field → (before, after) of what differs."""
    changes = {
        f: (getattr(activity, f), v)
        for f, v in values.items()
        if f in ACTIVITY_FIELDS and getattr(activity, f) != v
    }
    if not changes:
        return {}  # the same values again (a repeated card) change nothing
    if activity.is_finished:
        raise _refuse(
            _("En fullført eller avbrutt aktivitet kan ikke endres."), "activity_finished"
        )
    if activity.agreed:
        if "agreed" in changes:
            raise _refuse(
                _("En avtalt aktivitet kan ikke gjøres uavtalt."), "activity_agreed", "agreed"
            )
        locked_fields = sorted(set(changes) - AGREED_EDITABLE)
        if locked_fields:
            raise ApplicationError(
                _("Aktiviteten er avtalt med NAV: bare frist og status kan endres."),
                code="activity_agreed",
                fields={f: _("Kan ikke endres når aktiviteten er avtalt.") for f in locked_fields},
            )
    for f, (_before, after) in changes.items():
        setattr(activity, f, after)
    now = timezone.now()
    if "type" in changes:
        activity.category = category_of(activity.type)
    if "status" in changes:
        activity.status_changed_at = now
    if changes.get("agreed", (None, False))[1]:
        agreed_by_staff(activity, actor=actor, note=agreed_note, now=now)
    return changes


@transaction.atomic
def activity_change(
    *,
    actor: Any,
    activity: Activity,
    version: int,
    values: Mapping[str, Any],
    agreed_note: str = "",
    staff_text: str = "",
    youth_text: str = "",
) -> Activity:
    """Change an activity at the version the caller read; writes a new version. Making it
    agreed takes the note of the oral agreement (``agreed_by_staff``)."""
    locked = locked_at_version(Activity, activity.pk, version)
    plan = _plan_for_edit(locked.plan)
    locked.plan = plan
    viewer = access.viewer_for(actor)
    _check_actor(viewer, plan, locked.responsible_service)
    changes = _apply(locked, values, actor=actor, agreed_note=agreed_note)
    if not changes:
        return locked
    if "responsible_service" in changes:
        _check_responsible_service(plan, locked.responsible_service)
        _check_actor(viewer, plan, locked.responsible_service)
    _check_dates(
        {"from_date": locked.from_date, "to_date": locked.to_date, "deadline": locked.deadline},
        changed=changes,
    )
    locked.full_clean(validate_constraints=False)
    locked.version += 1
    locked.save()
    _write_version(locked, actor, changes, staff_text, youth_text)
    audit_record(
        actor=actor,
        action="activity.changed",
        subject=plan.youth,
        target=locked,
        data={"fields": sorted(changes)},
    )
    fact_changed(locked.youth_id, "activity.changed")
    return locked


@transaction.atomic
def activity_push(
    *,
    actor: Any,
    plan: ActivityPlan,
    source: str,
    external_id: str,
    values: Mapping[str, Any],
) -> tuple[Activity, bool]:
    """Create or update an activity another system owns (*aktivitetskort*), idempotent on the
    sender's id: the same card twice changes nothing. Returns (activity, created)."""
    existing = (
        Activity.objects.select_for_update().filter(source=source, external_id=external_id).first()
    )
    if existing is None:
        return activity_add(
            actor=actor, plan=plan, source=source, external_id=external_id, **values
        ), True
    if existing.plan_id != plan.pk:
        raise _refuse(
            _("Aktivitetskortet hører til en annen plan."), "card_in_other_plan", "external_id"
        )
    fields = {k: v for k, v in values.items() if k in ACTIVITY_FIELDS}
    if "responsible_service" in fields and fields["responsible_service"] is None:
        fields.pop("responsible_service")
    texts = {k: values[k] for k in ("staff_text", "youth_text") if k in values}
    changed = activity_change(
        actor=actor, activity=existing, version=existing.version, values=fields, **texts
    )
    return changed, False
