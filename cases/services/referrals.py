"""Referrals between services and handovers of responsibility (*stafett*)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access, workdays
from cases.events import fact_changed
from cases.models import (
    AWAITING_ANSWER,
    OT_REASONS,
    FollowUpPeriod,
    Handover,
    HandoverKind,
    HandoverState,
    Referral,
    ReferralReason,
    ReferralState,
    Service,
    ServiceKind,
    Youth,
)
from cases.services.common import check_actor_works_in, check_responsible, locked_at_version
from cases.services.registry import period_close, period_open, responsibility_change
from consent.audit import audit_record
from consent.categories import Category
from consent.coverage import flow_coverage
from consent.errors import ApplicationError


def _refuse(message: Any, code: str, field: str | None = None) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: message} if field else None)


def _check_reason(from_service: Service, to_service: Service, code: str, text: str) -> None:
    involves_ot = ServiceKind.OT in (from_service.kind, to_service.kind)
    if code in OT_REASONS and not involves_ot:
        raise _refuse(
            _("OT-årsaker brukes bare når oppfølgingstjenesten sender eller mottar."),
            "ot_reason_without_ot",
            "reason_code",
        )
    if code == ReferralReason.OTHER and not text.strip():
        raise _refuse(_("Beskriv årsaken."), "required", "reason")


@transaction.atomic
def referral_send(
    *,
    actor: Any,
    youth: Youth,
    from_service: Service,
    to_service: Service,
    reason_code: str,
    message: str,
    categories: Sequence[str],
    reason: str = "",
) -> Referral:
    """Refer a youth the sending service follows to another service.

    Every category carried beyond GENERAL must be covered by a consent or legal basis for
    sender → receiver; the error names what is missing. The receiver must answer within
    ``REFERRAL_RESPONSE_WORKING_DAYS`` working days.
    """
    check_actor_works_in(actor, from_service)
    if not FollowUpPeriod.objects.filter(
        youth=youth, service=from_service, ended_on__isnull=True
    ).exists():
        raise _refuse(
            _("Tjenesten din følger ikke opp ungdommen."), "not_following", "from_service"
        )
    if to_service.pk == from_service.pk or not to_service.is_active:
        raise _refuse(_("Velg en annen, aktiv tjeneste."), "invalid_receiver", "to_service")
    if FollowUpPeriod.objects.filter(
        youth=youth, service=to_service, ended_on__isnull=True
    ).exists():
        raise _refuse(
            _("Tjenesten følger allerede opp ungdommen."), "already_followed", "to_service"
        )
    if Referral.objects.filter(
        youth=youth, to_service=to_service, state__in=AWAITING_ANSWER
    ).exists():
        raise _refuse(
            _("Det finnes allerede en ubesvart henvisning til denne tjenesten."),
            "referral_pending",
            "to_service",
        )
    _check_reason(from_service, to_service, reason_code, reason)
    carried = sorted(set(categories) | {Category.GENERAL})
    bases: dict[str, str] = {Category.GENERAL: "referral"}
    missing = []
    for category in carried:
        if category == Category.GENERAL:
            continue
        coverage = flow_coverage(
            subject=youth, from_party=from_service, to_party=to_service, category=category
        )
        if coverage is None:
            missing.append(str(Category(category).label))
        else:
            bases[category] = coverage.basis
    if missing:
        raise _refuse(
            _("Mangler samtykke eller rettslig grunnlag for å dele: %(missing)s.")
            % {"missing": ", ".join(missing)},
            "not_covered",
            "categories",
        )
    referral = Referral(
        youth=youth,
        from_service=from_service,
        to_service=to_service,
        sent_by=actor,
        reason_code=reason_code,
        reason=reason.strip(),
        message=message,
        categories=carried,
        bases=bases,
        respond_by=workdays.add_working_days(
            timezone.localdate(), settings.REFERRAL_RESPONSE_WORKING_DAYS
        ),
    )
    referral.full_clean()
    referral.save(force_insert=True)
    audit_record(
        actor=actor,
        action="referral.sent",
        subject=youth,
        target=referral,
        data={"to": str(to_service.pk), "categories": carried, "bases": bases},
    )
    fact_changed(youth.pk, "referral.sent")
    return referral


def _transition(
    referral: Referral, version: int, allowed: Sequence[str], *, actor: Any, side: Service
) -> Referral:
    locked = locked_at_version(Referral, referral.pk, version)
    check_actor_works_in(actor, side)
    if locked.state not in allowed:
        raise _refuse(
            _("Henvisningen er «%(state)s» og kan ikke endres slik.")
            % {"state": locked.get_state_display()},
            "invalid_state",
        )
    return locked


def _save(referral: Referral, actor: Any, action: str, fields: list[str]) -> Referral:
    referral.version += 1
    referral.save(update_fields=[*fields, "state", "version"])
    audit_record(actor=actor, action=action, subject=referral.youth, target=referral)
    fact_changed(referral.youth_id, action)
    return referral


@transaction.atomic
def referral_open(*, actor: Any, referral: Referral) -> Referral:
    """The receiving service opens a sent referral: it is now received (once)."""
    updated = Referral.objects.filter(pk=referral.pk, state=ReferralState.SENT).update(
        state=ReferralState.RECEIVED,
        received_at=timezone.now(),
        received_by=actor,
        version=referral.version + 1,
    )
    if updated:
        audit_record(
            actor=actor, action="referral.received", subject=referral.youth, target=referral
        )
        referral.refresh_from_db()
    return referral


@transaction.atomic
def referral_accept(
    *, actor: Any, referral: Referral, version: int, responsible: Any = None
) -> Referral:
    """Accept: the receiving service opens its follow-up period with the youth."""
    locked = _transition(referral, version, AWAITING_ANSWER, actor=actor, side=referral.to_service)
    period = period_open(
        actor=actor,
        youth=locked.youth,
        service=locked.to_service,
        reason=str(ReferralReason(locked.reason_code).label),
        responsible=responsible,
    )
    locked.state = ReferralState.ACCEPTED
    locked.answered_at, locked.answered_by, locked.period = timezone.now(), actor, period
    return _save(locked, actor, "referral.accepted", ["answered_at", "answered_by", "period"])


@transaction.atomic
def referral_decline(*, actor: Any, referral: Referral, version: int, reason: str) -> Referral:
    """Decline with a reason: the referral goes back to the sender to re-route."""
    locked = _transition(referral, version, AWAITING_ANSWER, actor=actor, side=referral.to_service)
    if not reason.strip():
        raise _refuse(_("Oppgi hvorfor henvisningen avslås."), "required", "reason")
    locked.state = ReferralState.DECLINED
    locked.answered_at, locked.answered_by = timezone.now(), actor
    locked.decline_reason = reason.strip()
    return _save(
        locked, actor, "referral.declined", ["answered_at", "answered_by", "decline_reason"]
    )


@transaction.atomic
def referral_withdraw(*, actor: Any, referral: Referral, version: int) -> Referral:
    """The sender withdraws a referral that has not been accepted."""
    locked = _transition(
        referral, version, AWAITING_ANSWER, actor=actor, side=referral.from_service
    )
    locked.state = ReferralState.WITHDRAWN
    locked.closed_at = timezone.now()
    return _save(locked, actor, "referral.withdrawn", ["closed_at"])


@transaction.atomic
def referral_close(*, actor: Any, referral: Referral, version: int) -> Referral:
    """Close an answered referral (the sender acknowledges a decline, or either side after
    acceptance)."""
    locked = locked_at_version(Referral, referral.pk, version)
    sides = (
        [locked.from_service]
        if locked.state == ReferralState.DECLINED
        else [locked.from_service, locked.to_service]
    )
    if locked.state not in (ReferralState.ACCEPTED, ReferralState.DECLINED):
        raise _refuse(_("Bare besvarte henvisninger kan avsluttes."), "invalid_state")
    if not any(access.works_in(actor, service) for service in sides):
        check_actor_works_in(actor, locked.from_service)
    locked.state = ReferralState.CLOSED
    locked.closed_at = timezone.now()
    return _save(locked, actor, "referral.closed", ["closed_at"])


@transaction.atomic
def referral_reroute(
    *, actor: Any, referral: Referral, version: int, to_service: Service, message: str = ""
) -> Referral:
    """Send a declined referral on to another service; the declined one is closed."""
    locked = _transition(
        referral, version, [ReferralState.DECLINED], actor=actor, side=referral.from_service
    )
    new = referral_send(
        actor=actor,
        youth=locked.youth,
        from_service=locked.from_service,
        to_service=to_service,
        reason_code=locked.reason_code,
        reason=locked.reason,
        message=message or locked.message,
        categories=locked.categories,
    )
    locked.state = ReferralState.CLOSED
    locked.closed_at = timezone.now()
    locked.rerouted_to = new
    _save(locked, actor, "referral.rerouted", ["closed_at", "rerouted_to"])
    return new


# --- Handover (stafett) ---------------------------------------------------------------------


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
    check_actor_works_in(actor, locked.service)
    if not locked.is_open:
        raise _refuse(_("Perioden er avsluttet og kan ikke endres."), "period_closed")
    if kind == HandoverKind.PLAN_COORDINATOR:
        if to_user is None:
            raise _refuse(_("Velg hvem som skal overta."), "required", "to_user")
        check_responsible(to_user, to_service)
        pending = Handover.objects.filter(kind=kind, about_id=about_id, state=HandoverState.PENDING)
    else:
        if to_service.pk == locked.service_id and to_user is None:
            raise _refuse(_("Velg hvem i tjenesten som skal overta."), "required", "to_user")
        if to_user is not None:
            check_responsible(to_user, to_service)
        if (
            to_service.pk != locked.service_id
            and FollowUpPeriod.objects.filter(
                youth_id=locked.youth_id, service=to_service, ended_on__isnull=True
            ).exists()
        ):
            raise _refuse(
                _("Tjenesten følger allerede opp ungdommen."), "already_followed", "to_service"
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
    check_actor_works_in(actor, locked.to_service)
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
        period_open(
            actor=actor,
            youth=period.youth,
            service=locked.to_service,
            reason=str(_("Stafett fra %(service)s") % {"service": period.service.name}),
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
    check_actor_works_in(actor, locked.to_service)
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
