"""Handovers of responsibility (*stafett*): offer, accept, decline, cancel."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.models import (
    FollowUpPeriod,
    Handover,
    HandoverKind,
    HandoverState,
    Service,
    ServiceKind,
)
from cases.services.common import check_actor_works_in, check_responsible
from cases.services.registry import period_close, period_open_as, responsibility_change
from core.audit import audit_record
from core.errors import ApplicationError


def _refuse(message: Any, code: str, field: str | None = None) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: message} if field else None)


@transaction.atomic
def handover_offer(
    *,
    actor: Any,
    period: FollowUpPeriod,
    to_service: Service,
    to_user: Any = None,
    message: str = "",
    kind: str = HandoverKind.RESPONSIBILITY,
    about_id: Any = None,
) -> Handover:
    """Offer responsibility to a colleague or another service. Nothing moves until accepted.

    For a plan's coordinator (``kind``), ``period`` is the offering service's period with the
    youth, ``about_id`` the plan, and the receiver is a named person; the upper app has checked
    the plan's own rules.
    """
    locked = FollowUpPeriod.objects.select_for_update().get(pk=period.pk)
    viewer = access.viewer_for(actor)
    check_actor_works_in(viewer, locked.service_id)
    if not locked.is_open:
        raise _refuse(_("Perioden er avsluttet og kan ikke endres."), "period_closed")
    if kind == HandoverKind.PLAN_COORDINATOR:
        if to_user is None:
            raise _refuse(_("Velg hvem som skal overta."), "required", "to_user")
        check_responsible(to_user, to_service.pk)
        pending = Handover.objects.filter(kind=kind, about_id=about_id, state=HandoverState.PENDING)
    else:
        if to_service.pk == locked.service_id and to_user is None:
            raise _refuse(_("Velg hvem i tjenesten som skal overta."), "required", "to_user")
        if to_user is not None:
            check_responsible(to_user, to_service.pk)
        # As for a referral: no refusal that tells whether a service whose involvement is
        # confidential follows the youth, to an offerer who may not know it.
        if (
            to_service.pk != locked.service_id
            and access.involvement_known(viewer, locked.youth_id, to_service.pk, to_service.kind)
            and FollowUpPeriod.objects.filter(
                youth_id=locked.youth_id, service=to_service, ended_on__isnull=True
            ).exists()
        ):
            raise _refuse(
                _("Tjenesten følger allerede opp ungdommen."), "already_followed", "to_service"
            )
        if (
            to_service.pk != locked.service_id
            and to_service.kind == ServiceKind.OT
            and not locked.registration_reason
        ):
            # OT registers by reason code: a referral to OT names it, a handover cannot.
            raise _refuse(
                _("Send en henvisning til oppfølgingstjenesten med tilmeldingsårsak."),
                "ot_reason_required",
                "to_service",
            )
        pending = Handover.objects.filter(period=locked, kind=kind, state=HandoverState.PENDING)
    if pending.exists():
        raise _refuse(_("Det finnes allerede en stafett som venter."), "handover_pending")
    handover = Handover.objects.create(
        kind=kind,
        about_id=about_id,
        period=locked,
        youth_id=locked.youth_id,
        from_user=actor,
        to_service=to_service,
        to_user=to_user,
        message=message,
    )
    audit_record(actor=actor, action="handover.offered", subject=locked.youth, target=handover)
    return handover


def _pending(handover: Handover, actor: Any) -> Handover:
    locked = Handover.objects.select_for_update().get(pk=handover.pk)
    if locked.state != HandoverState.PENDING:
        raise _refuse(_("Stafetten er allerede besvart."), "invalid_state")
    return locked


@transaction.atomic
def handover_accept(*, actor: Any, handover: Handover) -> Handover:
    """The receiver accepts: from now on they (or their service) are responsible."""
    locked = _pending(handover, actor)
    viewer = access.viewer_for(actor)
    check_actor_works_in(viewer, locked.to_service_id)
    if locked.to_user_id is not None and locked.to_user_id != actor.pk:
        raise _refuse(_("Stafetten er sendt til en annen ansatt."), "not_receiver")
    period = FollowUpPeriod.objects.select_for_update().get(pk=locked.period_id)
    if locked.kind != HandoverKind.RESPONSIBILITY:
        pass  # the caller (the plan's service) moves the coordinator in this transaction
    elif not period.is_open:
        raise _refuse(_("Perioden er avsluttet og kan ikke endres."), "period_closed")
    elif locked.to_service_id == period.service_id:
        period.responsible = actor
        period.version += 1
        period.save(update_fields=["responsible", "version", "updated_at"])
        responsibility_change(period=period, user=actor)
    else:
        period_open_as(
            viewer,
            youth=period.youth,
            service=locked.to_service,
            reason=str(_("Stafett fra %(service)s") % {"service": period.service.name}),
            registration_reason=(
                period.registration_reason if locked.to_service.kind == ServiceKind.OT else ""
            ),
            started_on=None,
            responsible=None,
            age_field="youth",
        )
        period_close(
            actor=locked.from_user,
            period=period,
            version=period.version,
            end_reason=str(_("Overført til %(service)s") % {"service": locked.to_service.name}),
        )
    locked.state = HandoverState.ACCEPTED
    locked.decided_at, locked.decided_by = timezone.now(), actor
    locked.save(update_fields=["state", "decided_at", "decided_by"])
    audit_record(actor=actor, action="handover.accepted", subject=period.youth, target=locked)
    return locked


@transaction.atomic
def handover_decline(*, actor: Any, handover: Handover, reason: str) -> Handover:
    """The receiver declines; the sender stays responsible."""
    locked = _pending(handover, actor)
    check_actor_works_in(access.viewer_for(actor), locked.to_service_id)
    locked.state = HandoverState.DECLINED
    locked.decided_at, locked.decided_by = timezone.now(), actor
    locked.decline_reason = reason.strip()
    locked.save(update_fields=["state", "decided_at", "decided_by", "decline_reason"])
    audit_record(actor=actor, action="handover.declined", subject=locked.youth, target=locked)
    return locked


@transaction.atomic
def handover_cancel(*, actor: Any, handover: Handover) -> Handover:
    """Withdraw a pending offer (the sender, or the system when what it was about ended)."""
    locked = _pending(handover, actor)
    locked.state = HandoverState.CANCELLED
    locked.decided_at, locked.decided_by = timezone.now(), actor
    locked.save(update_fields=["state", "decided_at", "decided_by"])
    audit_record(actor=actor, action="handover.cancelled", subject=locked.youth, target=locked)
    return locked
