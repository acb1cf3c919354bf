"""Referrals between services (*henvisning / tilmelding*)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access, consent_texts, workdays
from cases.events import fact_changed
from cases.models import (
    AWAITING_ANSWER,
    OT_REASONS,
    FollowUpPeriod,
    OtRegistrationReason,
    Referral,
    ReferralReason,
    ReferralState,
    Service,
    ServiceKind,
    Youth,
)
from cases.ot import check_ot_age
from cases.services.common import check_actor_works_in, locked_at_version
from cases.services.consents import consent_give
from cases.services.registry import period_open_as
from consent.categories import Category
from consent.coverage import flow_coverage
from consent.models import Decision
from consent.services import Flow
from core.audit import audit_record
from core.errors import ApplicationError


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
    if to_service.kind == ServiceKind.OT and code not in OT_REASONS:
        # Accepted, the referral is OT's registration, which carries its reason code.
        raise _refuse(
            _("En henvisning til oppfølgingstjenesten bruker en av OT-årsakene."),
            "ot_reason_required",
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

    Every category carried beyond GENERAL must be covered by a consent for
    sender → receiver; the error names what is missing. The receiver must answer within
    ``REFERRAL_RESPONSE_WORKING_DAYS`` working days.
    """
    viewer = access.viewer_for(actor)
    check_actor_works_in(viewer, from_service.pk)
    if not FollowUpPeriod.objects.filter(
        youth=youth, service=from_service, ended_on__isnull=True
    ).exists():
        raise _refuse(
            _("Tjenesten din følger ikke opp ungdommen."), "not_following", "from_service"
        )
    if to_service.pk == from_service.pk or not to_service.is_active:
        raise _refuse(_("Velg en annen, aktiv tjeneste."), "invalid_receiver", "to_service")
    # Whether a health or child welfare service follows the youth, or has been referred them,
    # is confidential: where the sender may not know it, the referral is sent (the receiver
    # closes it) rather than refused with what the refusal would tell.
    known = access.involvement_known(viewer, youth.pk, to_service.pk, to_service.kind)
    if (
        known
        and FollowUpPeriod.objects.filter(
            youth=youth, service=to_service, ended_on__isnull=True
        ).exists()
    ):
        raise _refuse(
            _("Tjenesten følger allerede opp ungdommen."), "already_followed", "to_service"
        )
    pending = Referral.objects.filter(youth=youth, to_service=to_service, state__in=AWAITING_ANSWER)
    if not known:
        pending = pending.filter(from_service_id__in=viewer.reach)
    if pending.exists():
        raise _refuse(
            _("Det finnes allerede en ubesvart henvisning til denne tjenesten."),
            "referral_pending",
            "to_service",
        )
    _check_reason(from_service, to_service, reason_code, reason)
    if ServiceKind.OT in (from_service.kind, to_service.kind):
        # OT refers, and is referred, only youths within its age range.
        check_ot_age(youth.birth_date, (timezone.localdate(),), "youth")
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
            _("Mangler samtykke for å dele: %(missing)s.") % {"missing": ", ".join(missing)},
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


@dataclass(frozen=True)
class ConsentGiven:
    """A consent the youth (or the guardians of a minor) gave just now for a referral: who
    gave it, how, and the text they agreed to (``cases.consent_texts.referral_text`` to start
    from)."""

    giver: str
    method: str
    purpose: str
    agreed_text: str
    guardians: Sequence[Any] = ()
    child_view: str = ""


@transaction.atomic
def referral_send_with_consent(
    *,
    actor: Any,
    youth: Youth,
    consent: ConsentGiven,
    from_service: Service,
    to_service: Service,
    categories: Sequence[str],
    **referral: Any,
) -> Referral:
    """Record the consent that lets the sender share what the referral carries with the
    receiver (one way: from the sender to the receiver, for those categories), then send the
    referral; one transaction, so a refusal of either leaves neither."""
    consent_give(
        actor=actor,
        youth=youth,
        decision=Decision.GIVEN,
        giver=consent.giver,
        purpose_code=consent_texts.REFERRAL,
        purpose=consent.purpose,
        method=consent.method,
        agreed_text=consent.agreed_text,
        flows=[
            Flow(
                categories=sorted({Category.GENERAL, *categories}),
                from_party=from_service,
                to_party=to_service,
            )
        ],
        guardians=consent.guardians,
        child_view=consent.child_view,
        referred_to=to_service,
    )
    return referral_send(
        actor=actor,
        youth=youth,
        from_service=from_service,
        to_service=to_service,
        categories=categories,
        **referral,
    )


def _transition(
    referral: Referral, version: int, allowed: Sequence[str], viewer: access.Viewer, side: Service
) -> Referral:
    """The referral locked at ``version``, in one of the ``allowed`` states, for a viewer who
    works in the ``side`` that may make the move."""
    locked = locked_at_version(Referral, referral.pk, version)
    check_actor_works_in(viewer, side.pk)
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
    viewer = access.viewer_for(actor)
    locked = _transition(referral, version, AWAITING_ANSWER, viewer, referral.to_service)
    period = period_open_as(
        viewer,
        youth=locked.youth,
        service=locked.to_service,
        reason=str(ReferralReason(locked.reason_code).label),
        # A referral to OT is sent with an OT reason: its registration reason when accepted.
        registration_reason=(
            OtRegistrationReason(locked.reason_code)
            if locked.to_service.kind == ServiceKind.OT and locked.reason_code in OT_REASONS
            else ""
        ),
        started_on=None,
        responsible=responsible,
        age_field="youth",
    )
    locked.state = ReferralState.ACCEPTED
    locked.answered_at, locked.answered_by, locked.period = timezone.now(), actor, period
    return _save(locked, actor, "referral.accepted", ["answered_at", "answered_by", "period"])


@transaction.atomic
def referral_decline(*, actor: Any, referral: Referral, version: int, reason: str) -> Referral:
    """Decline with a reason: the referral goes back to the sender to re-route."""
    viewer = access.viewer_for(actor)
    locked = _transition(referral, version, AWAITING_ANSWER, viewer, referral.to_service)
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
    viewer = access.viewer_for(actor)
    locked = _transition(referral, version, AWAITING_ANSWER, viewer, referral.from_service)
    locked.state = ReferralState.WITHDRAWN
    locked.closed_at = timezone.now()
    return _save(locked, actor, "referral.withdrawn", ["closed_at"])


@transaction.atomic
def referral_close(*, actor: Any, referral: Referral, version: int) -> Referral:
    """Close an answered referral (the sender acknowledges a decline, or either side after
    acceptance)."""
    locked = locked_at_version(Referral, referral.pk, version)
    sides = (
        [locked.from_service_id]
        if locked.state == ReferralState.DECLINED
        else [locked.from_service_id, locked.to_service_id]
    )
    if locked.state not in (ReferralState.ACCEPTED, ReferralState.DECLINED):
        raise _refuse(_("Bare besvarte henvisninger kan avsluttes."), "invalid_state")
    viewer = access.viewer_for(actor)
    if not any(access.works_in(viewer, side) for side in sides):
        check_actor_works_in(viewer, locked.from_service_id)
    locked.state = ReferralState.CLOSED
    locked.closed_at = timezone.now()
    return _save(locked, actor, "referral.closed", ["closed_at"])


@transaction.atomic
def referral_reroute(
    *, actor: Any, referral: Referral, version: int, to_service: Service, message: str = ""
) -> Referral:
    """Send a declined referral on to another service; the declined one is closed."""
    viewer = access.viewer_for(actor)
    locked = _transition(referral, version, [ReferralState.DECLINED], viewer, referral.from_service)
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
