"""The youth takes part in NAV's activity plan on *Min side*: comments on an activity, marks it
done, asks to change it, and confirms an activity NAV proposes, which makes it agreed with NAV
(*avtalt med NAV*; the advisor's note of an oral agreement is the other way,
``cases.services.activities.agreed_by_staff``). The advisor answers a request to change by
changing the activity or declining, and staff comment too.

The youth acts on their own page only (``account``: their own link, not a guardian's, which
reads). Each change of the activity is a new version (``ActivityVersion``) at the version the
youth read, so a stale form writes nothing; each action is audited, and one that a deadline
reads (status, agreed) records the fact change.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.events import fact_changed
from cases.models import (
    Activity,
    ActivityChangeRequest,
    ActivityComment,
    ActivityStatus,
    AgreedHow,
    ChangeRequestOutcome,
    PortalAccount,
)
from cases.services.activities import (
    _check_actor,
    _plan_for_edit,
    _refuse,
    _write_version,
    may_add_activity,
)
from cases.services.common import field_error, locked_at_version
from core.audit import audit_record


def _youth_activity(account: PortalAccount, activity: Activity, version: int | None) -> Activity:
    """The activity locked (at ``version`` when given) for the youth of ``account``, in a plan
    whose period is open."""
    if account.guardian_id is not None:
        raise _refuse(_("Bare ungdommen selv kan gjøre dette."), "not_the_youth")
    if activity.youth_id != account.youth_id:
        raise _refuse(_("Aktiviteten hører ikke til deg."), "wrong_youth")
    locked = (
        locked_at_version(Activity, activity.pk, version)
        if version is not None
        else Activity.objects.select_for_update().get(pk=activity.pk)
    )
    locked.plan = _plan_for_edit(locked.plan)
    return locked


def _not_finished(activity: Activity) -> None:
    if activity.is_finished:
        raise _refuse(
            _("En fullført eller avbrutt aktivitet kan ikke endres."), "activity_finished"
        )


def _text(text: str, field: str = "text") -> str:
    text = text.strip()
    if not text:
        raise field_error(field, _("Skriv noe."), "blank")
    return text


def may_confirm(activity: Activity) -> bool:
    """The youth may confirm an activity that is not agreed with NAV yet and still runs."""
    return not activity.agreed and not activity.is_finished


def may_mark_done(activity: Activity) -> bool:
    return not activity.is_finished


@transaction.atomic
def activity_youth_confirm(
    *, actor: Any, account: PortalAccount, activity: Activity, version: int
) -> Activity:
    """The youth confirms an activity NAV proposed: it is agreed with NAV from now, by the
    youth; a proposal (*forslag*) becomes planned."""
    locked = _youth_activity(account, activity, version)
    _not_finished(locked)
    if locked.agreed:
        raise _refuse(_("Aktiviteten er allerede avtalt."), "already_agreed")
    now = timezone.now()
    changes: dict[str, tuple[Any, Any]] = {"agreed": (False, True)}
    locked.agreed, locked.agreed_at = True, now
    locked.agreed_how, locked.agreed_by, locked.agreed_note = AgreedHow.YOUTH, actor, ""
    if locked.status == ActivityStatus.FORSLAG:
        changes["status"] = (locked.status, ActivityStatus.PLANLAGT)
        locked.status, locked.status_changed_at = ActivityStatus.PLANLAGT, now
    locked.version += 1
    locked.save()
    _write_version(
        locked,
        actor,
        changes,
        str(_("Ungdommen bekreftet aktiviteten på Min side: den er avtalt med NAV.")),
        str(_("Du bekreftet aktiviteten. Den er nå avtalt mellom deg og NAV.")),
    )
    audit_record(
        actor=actor,
        action="activity.confirmed",
        subject=locked.plan.youth,
        target=locked,
        data={"by": "youth"},
    )
    fact_changed(locked.youth_id, "activity.changed")
    return locked


@transaction.atomic
def activity_youth_done(
    *, actor: Any, account: PortalAccount, activity: Activity, version: int
) -> Activity:
    """The youth marks an activity done (*fullført*); its deadline is then met."""
    locked = _youth_activity(account, activity, version)
    _not_finished(locked)
    before = locked.status
    locked.status, locked.status_changed_at = ActivityStatus.FULLFORT, timezone.now()
    locked.version += 1
    locked.save()
    _write_version(
        locked,
        actor,
        {"status": (before, locked.status)},
        str(_("Ungdommen markerte aktiviteten som fullført på Min side.")),
        str(_("Du markerte aktiviteten som fullført.")),
    )
    audit_record(
        actor=actor,
        action="activity.changed",
        subject=locked.plan.youth,
        target=locked,
        data={"fields": ["status"], "by": "youth"},
    )
    fact_changed(locked.youth_id, "activity.changed")
    return locked


@transaction.atomic
def activity_comment_add(
    *,
    actor: Any,
    activity: Activity,
    text: str,
    account: PortalAccount | None = None,
    corrects: ActivityComment | None = None,
) -> ActivityComment:
    """A comment on an activity: by the youth on their page (``account``), or by staff of the
    NAV office or the responsible service. Never edited; a correction names the comment it
    corrects, by the same writer."""
    if account is not None:
        locked = _youth_activity(account, activity, None)
    else:
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        locked.plan = _plan_for_edit(locked.plan)
        _check_actor(access.viewer_for(actor), locked.plan, locked.responsible_service)
    if corrects is not None and (
        corrects.activity_id != locked.pk or corrects.written_by_id != actor.pk
    ):
        raise _refuse(_("Du kan bare rette dine egne kommentarer."), "not_own_comment", "corrects")
    comment = ActivityComment(
        activity=locked,
        youth_id=locked.youth_id,
        text=_text(text),
        by_youth=account is not None,
        written_by=actor,
        corrects=corrects,
    )
    comment.full_clean()
    comment.save(force_insert=True)
    audit_record(
        actor=actor,
        action="activity.commented",
        subject=locked.plan.youth,
        target=locked,
        data={"comment": str(comment.pk), "by": "youth" if account else "staff"},
    )
    return comment


@transaction.atomic
def activity_change_request(
    *, actor: Any, account: PortalAccount, activity: Activity, version: int, text: str
) -> ActivityChangeRequest:
    """The youth asks to change the activity as they read it (``version``); one open request
    at a time."""
    locked = _youth_activity(account, activity, version)
    _not_finished(locked)
    if ActivityChangeRequest.objects.filter(activity=locked, answered_at__isnull=True).exists():
        raise _refuse(
            _("Du har allerede bedt om en endring som venter på svar."), "request_open", "text"
        )
    request = ActivityChangeRequest(
        activity=locked,
        youth_id=locked.youth_id,
        text=_text(text),
        activity_version=locked.version,
        requested_by=actor,
    )
    request.full_clean()
    request.save(force_insert=True)
    audit_record(
        actor=actor,
        action="activity.change_requested",
        subject=locked.plan.youth,
        target=locked,
        data={"request": str(request.pk)},
    )
    return request


def may_answer(viewer: access.Viewer, activity: Activity) -> bool:
    """Staff of the NAV office that holds the plan, or of the responsible service."""
    return may_add_activity(
        viewer, activity.plan.period.service_id, [activity.responsible_service_id]
    )


@transaction.atomic
def change_request_answer(
    *, actor: Any, request: ActivityChangeRequest, outcome: str, answer: str = ""
) -> ActivityChangeRequest:
    """The advisor answers the youth's request: ``CHANGED`` once the activity has changed since
    the youth asked, or ``DECLINED`` with the reason. The answer is shown to the youth."""
    locked = ActivityChangeRequest.objects.select_for_update().get(pk=request.pk)
    activity = Activity.objects.select_related("plan__period").get(pk=locked.activity_id)
    if not may_answer(access.viewer_for(actor), activity):
        raise _refuse(_("Du jobber ikke i en tjeneste som deltar i planen."), "not_member")
    if not locked.is_open:
        raise _refuse(_("Ønsket er allerede besvart."), "already_answered")
    if outcome == ChangeRequestOutcome.CHANGED:
        if activity.version <= locked.activity_version:
            raise _refuse(
                _("Endre aktiviteten først, eller avslå ønsket med en begrunnelse."),
                "not_changed",
                "outcome",
            )
        answer = answer.strip()
    elif outcome == ChangeRequestOutcome.DECLINED:
        answer = _text(answer, "answer")
    else:
        raise field_error("outcome", _("Velg et svar."), "invalid")
    locked.outcome, locked.answer = outcome, answer
    locked.answered_by, locked.answered_at = actor, timezone.now()
    locked.full_clean()
    locked.save(update_fields=["outcome", "answer", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        action="activity.change_request_answered",
        subject=activity.plan.youth,
        target=activity,
        data={"request": str(locked.pk), "outcome": outcome},
    )
    return locked
