"""Writes to the registry. Each service runs in one transaction and audits what it changed."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access, dates, identity, names
from cases.events import fact_changed
from cases.models import (
    ExternalSubject,
    FollowUpPeriod,
    Guardian,
    Responsibility,
    Service,
    ServiceKind,
    StaffMembership,
    StaffRole,
    Youth,
    national_id_matches,
)
from cases.models.registry import check_youth_birth_date
from cases.ot import check_ot_age
from cases.services.common import (
    check_actor_works_in,
    check_responsible,
    field_error,
    locked_at_version,
)
from cases.validators import parse_national_id
from core import tokens
from core.audit import audit_record
from core.errors import ApplicationError

# --- Services and staff ---------------------------------------------------------------------


@transaction.atomic
def service_create(
    *,
    kind: str,
    name: str,
    notification_email: str,
    municipality_number: str = "",
    county_number: str = "",
) -> Service:
    service = Service(
        kind=kind,
        name=name,
        notification_email=notification_email,
        municipality_number=municipality_number,
        county_number=county_number,
    )
    service.full_clean()
    service.save()
    return service


@transaction.atomic
def membership_add(*, actor: Any, user: Any, service: Service, role: str) -> StaffMembership:
    """Give ``user`` a role in ``service``: access to what the role reaches there. The audit
    entry names the ``actor`` who granted it (None only where no one did: the demo's seeding)."""
    membership = StaffMembership(user=user, service=service, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action="membership.added",
        target=membership,
        data={"user": user.get_username(), "service": str(service.pk), "role": role},
    )
    return membership


@transaction.atomic
def external_subject_link(*, actor: Any, user: Any, issuer: str, subject: str) -> ExternalSubject:
    """Let ``user`` (staff) log in through the OpenID Connect provider ``issuer`` as the
    person it calls ``subject`` (the ID token's ``sub``). What the user may do still comes
    from their memberships."""
    link = ExternalSubject(user=user, issuer=issuer, subject=subject)
    link.full_clean()
    link.save()
    audit_record(
        actor=actor,
        action="external_subject.linked",
        target=link,
        data={"user": user.get_username(), "issuer": issuer},
    )
    return link


@transaction.atomic
def external_subject_unlink(*, actor: Any, link: ExternalSubject) -> None:
    """The user no longer logs in as that subject of that provider."""
    audit_record(
        actor=actor,
        action="external_subject.unlinked",
        target=link,
        data={"user": link.user.get_username(), "issuer": link.issuer},
    )
    link.delete()


def _check_manager_of(viewer: access.Viewer, service_id: Any) -> None:
    """The actor (``viewer``) is a manager of the service."""
    if not access.works_in(viewer, service_id, roles=(StaffRole.MANAGER,)):
        raise ApplicationError(
            _("Bare en leder i tjenesten kan gjøre dette."),
            code="not_manager_of_service",
            fields={"service": _("Bare en leder i tjenesten kan gjøre dette.")},
        )


CLEARANCE_FIELDS = ("cleared_strengt_fortrolig", "cleared_fortrolig", "cleared_shielded")


@transaction.atomic
def membership_clearances_set(
    *, actor: Any, service: Service, user: Any, **clearances: bool
) -> list[StaffMembership]:
    """Grant or take away a staff member's clearances for youths with a protected identity in
    the service (on each of their memberships there that has not ended): the explicit
    permission NAV gives by membership of a special group. Only a manager of the service may;
    audited. Takes effect from the member's next request."""
    unknown = set(clearances) - set(CLEARANCE_FIELDS)
    if unknown:
        raise ValueError(f"not clearances: {sorted(unknown)}")
    _check_manager_of(access.viewer_for(actor), service.pk)
    memberships = list(
        StaffMembership.objects.select_for_update()
        .filter(user=user, service=service, ended_at__isnull=True)
        .order_by("role")
    )
    if not memberships:
        raise ApplicationError(
            _("Brukeren jobber ikke i denne tjenesten."),
            code="not_member_of_service",
            fields={"user": _("Brukeren jobber ikke i denne tjenesten.")},
        )
    for membership in memberships:
        before = {name: getattr(membership, name) for name in clearances}
        for name, value in clearances.items():
            setattr(membership, name, value)
        membership.save(update_fields=list(clearances))
        audit_record(
            actor=actor,
            action="membership.clearances_set",
            target=membership,
            data={
                "user": user.get_username(),
                "service": str(service.pk),
                "role": membership.role,
                "before": before,
                "after": dict(clearances),
            },
        )
    return memberships


@transaction.atomic
def membership_end(*, actor: Any, membership: StaffMembership) -> StaffMembership:
    """End a membership from now; the audit entry names the ``actor`` who ended it. When it was
    the user's last, their API tokens are revoked with it."""
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    audit_record(actor=actor, action="membership.ended", target=membership)
    if not StaffMembership.objects.filter(
        user_id=membership.user_id, ended_at__isnull=True
    ).exists():
        tokens.api_tokens_revoke_all(
            actor=actor, user=membership.user, reason=tokens.RevokedBecause.WORK_ENDED
        )
    return membership


# --- Youths ---------------------------------------------------------------------------------


def _resolve_birth_date(
    parsed: identity.IdentityNumber, birth_date: datetime.date | None, registered_on: datetime.date
) -> datetime.date:
    """The birth date the number carries; a given one must agree with it (DDMMYY and century).

    Where the number gives no century (the 2032 rule), the given date is taken once it agrees
    with DDMMYY. Either way the date must be one a youth can have (``check_youth_birth_date``);
    the error names the field the date came from.
    """
    mismatch = _("Fødselsdatoen stemmer ikke med identitetsnummeret.")
    if birth_date is not None and not parsed.matches_birth_date(birth_date):
        raise field_error("birth_date", mismatch, "mismatch")
    if parsed.birth_date is not None:
        if birth_date is not None and birth_date != parsed.birth_date:
            raise field_error("birth_date", mismatch, "mismatch")
        _check_plausible("national_id", parsed.birth_date, registered_on)
        return parsed.birth_date
    if birth_date is None:
        raise field_error(
            "birth_date",
            _("Fødselsdato må oppgis: den kan ikke leses av dette nummeret."),
            "required",
        )
    _check_plausible("birth_date", birth_date, registered_on)
    return birth_date


def _check_plausible(field: str, birth_date: datetime.date, registered_on: datetime.date) -> None:
    try:
        check_youth_birth_date(birth_date, registered_on)
    except ValidationError as exc:
        raise ValidationError({field: exc}) from None


class NameMismatch(ValidationError):
    """The names sent with an identity number are clearly not those of the youth on record."""

    def __init__(self, youth_id: Any, fields: list[str]) -> None:
        message = _(
            "Navnet stemmer ikke med det som er registrert på identitetsnummeret. Kontroller "
            "nummeret og navnet."
        )
        super().__init__(
            {field: ValidationError(message, code="name_mismatch") for field in fields}
        )
        self.youth_id = youth_id


def _check_names(youth: Youth, first_name: str, last_name: str) -> None:
    mismatched = names.mismatched_names(
        first_name=first_name,
        last_name=last_name,
        record_first_name=youth.first_name,
        record_last_name=youth.last_name,
    )
    if mismatched:
        raise NameMismatch(youth.pk, mismatched)


def youth_register(
    *,
    actor: Any,
    service: Service,
    national_id: str,
    first_name: str,
    last_name: str,
    municipality_number: str,
    reason: str,
    registration_reason: str = "",
    birth_date: datetime.date | None = None,
    email: str = "",
    phone: str = "",
    started_on: datetime.date | None = None,
    responsible: Any = None,
) -> tuple[Youth, FollowUpPeriod, bool]:
    """Register a youth with the actor's service: the youth record plus an open period.

    A youth already in the registry (same identity number) is not duplicated and not
    overwritten: the service starts following the existing record, once the names sent match
    the record's (``cases.names``). A refused attempt on an existing youth is written to the
    access log (in a transaction of its own when the caller has none open, so the refusal's
    rollback keeps it); what the service then sees of the youth is read through the gate.
    Returns (youth, period, created).
    """
    viewer = access.viewer_for(actor)
    check_actor_works_in(viewer, service.pk)
    try:
        return _youth_register(
            viewer,
            service=service,
            national_id=national_id,
            first_name=first_name,
            last_name=last_name,
            municipality_number=municipality_number,
            reason=reason,
            registration_reason=registration_reason,
            birth_date=birth_date,
            email=email,
            phone=phone,
            started_on=started_on,
            responsible=responsible,
        )
    except (NameMismatch, ProtectedIdentityRefused) as refused:
        access.log_denied(viewer, refused.youth_id, "youth-register", through=[service.pk])
        raise


@transaction.atomic
def _youth_register(
    viewer: access.Viewer,
    *,
    service: Service,
    national_id: str,
    first_name: str,
    last_name: str,
    municipality_number: str,
    reason: str,
    registration_reason: str,
    birth_date: datetime.date | None,
    email: str,
    phone: str,
    started_on: datetime.date | None,
    responsible: Any,
) -> tuple[Youth, FollowUpPeriod, bool]:
    actor: Any = viewer.user
    parsed = parse_national_id(national_id)
    youth = Youth.objects.filter(national_id_matches(parsed.value)).first()
    if youth is not None:
        check_cleared(viewer, youth, service.pk, field="national_id")
    created = youth is None
    if youth is None:
        now = timezone.now()
        youth = Youth(
            national_id_kind=parsed.kind.value,
            birth_date=_resolve_birth_date(parsed, birth_date, timezone.localdate(now)),
            created_at=now,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            municipality_number=municipality_number,
            email=email,
            phone=phone,
        )
        youth.national_id = parsed.value  # sealed to the row, with its blind index
        youth.full_clean()
        try:
            with transaction.atomic():
                youth.save(force_insert=True)
        except IntegrityError:
            # Registered by someone else a moment ago: follow that record instead.
            youth = Youth.objects.get(national_id_matches(parsed.value))
            created = False
        else:
            audit_record(actor=actor, action="youth.registered", subject=youth, target=youth)
    if not created:
        _check_names(youth, first_name, last_name)
    period = period_open_as(
        viewer,
        youth=youth,
        service=service,
        reason=reason,
        registration_reason=registration_reason,
        started_on=started_on,
        responsible=responsible,
        age_field="birth_date",
    )
    return youth, period, created


class ProtectedIdentityRefused(ApplicationError):
    """A youth with a protected identity, whom the actor may not reach through the service
    (``youth_id`` names the youth for the access log's refused attempt)."""

    def __init__(self, message: Any, *, youth_id: Any, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.youth_id = youth_id


def check_cleared(
    viewer: access.Viewer, youth: Youth, service_id: Any, *, field: str, purpose: str = ""
) -> None:
    """Only staff cleared for the youth's protected identity, through the service, may follow
    the youth (``access.clears``). With a ``purpose``, a refusal is written to the access log as
    a refused attempt (called outside the write's transaction, whose rollback would undo it)."""
    if not access.clears(viewer, youth, service_id):
        message = _(
            "Ungdommen har beskyttet identitet. Bare ansatte med særskilt tilgang i tjenesten "
            "kan registrere og følge opp ungdommen."
        )
        if purpose:
            access.log_denied(viewer, youth.pk, purpose, through=[service_id])
        raise ProtectedIdentityRefused(
            message, youth_id=youth.pk, code="protected_identity", fields={field: message}
        )


@transaction.atomic
def youth_protection_set(
    *, actor: Any, youth: Youth, version: int, address_protection: str, shielded: bool
) -> Youth:
    """Mark the youth's address protection (as the National Registry gives it) and whether the
    youth is shielded; ``version`` must be the one the caller read. Only a manager of a service
    that follows the youth may, who holds there the clearances the new marking calls for (so
    the youth is never left with no one who reaches them); audited."""
    viewer = access.viewer_for(actor)
    managing = [
        service_id
        for service_id, _kind in access.following_services(viewer, youth.pk)
        if access.works_in(viewer, service_id, roles=(StaffRole.MANAGER,))
    ]
    if not managing:
        raise ApplicationError(
            _("Bare en leder i en tjeneste som følger opp ungdommen kan endre dette."),
            code="not_manager_of_service",
        )
    locked = locked_at_version(Youth, youth.pk, version)
    before = {"address_protection": locked.address_protection, "shielded": locked.shielded}
    locked.address_protection = address_protection
    locked.shielded = shielded
    locked.full_clean()
    if not any(access.clears(viewer, locked, service_id) for service_id in managing):
        message = _(
            "Du må selv ha tilgang til personer med denne beskyttelsen i tjenesten før du "
            "markerer ungdommen."
        )
        raise ApplicationError(message, code="not_cleared", fields={"address_protection": message})
    locked.version += 1
    locked.save(update_fields=["address_protection", "shielded", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="youth.protection_set",
        subject=locked,
        target=locked,
        data={
            "before": before,
            "after": {"address_protection": address_protection, "shielded": shielded},
        },
    )
    return locked


YOUTH_EDITABLE_FIELDS = ("first_name", "last_name", "municipality_number", "email", "phone")


@transaction.atomic
def youth_update(*, actor: Any, youth: Youth, version: int, **changes: Any) -> Youth:
    """Update a youth's names and contact details; ``version`` must be the one the caller read."""
    unknown = set(changes) - set(YOUTH_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    locked = locked_at_version(Youth, youth.pk, version)
    before = {field: getattr(locked, field) for field in changes}
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    locked.version += 1
    locked.save(update_fields=[*changes, "version", "updated_at"])
    audit_record(
        actor=actor,
        action="youth.updated",
        subject=locked,
        target=locked,
        data={"fields": sorted(changes), "before": before},
    )
    return locked


@transaction.atomic
def guardian_add(
    *,
    actor: Any,
    youth: Youth,
    full_name: str,
    relation: str,
    has_parental_responsibility: bool,
    email: str = "",
    phone: str = "",
    national_id: str = "",
) -> Guardian:
    """A guardian of the youth; the identity number, when given, is validated and stored
    encrypted (a log-in by ID-porten finds the guardian by it)."""
    guardian = Guardian(
        youth=youth,
        full_name=full_name,
        relation=relation,
        has_parental_responsibility=has_parental_responsibility,
        email=email,
        phone=phone,
    )
    if national_id:
        try:
            guardian.national_id = parse_national_id(national_id).value
        except ValidationError as exc:
            raise ValidationError({"national_id": exc}) from None
    guardian.full_clean()
    guardian.save()
    audit_record(actor=actor, action="guardian.added", subject=youth, target=guardian)
    return guardian


# --- Follow-up periods ----------------------------------------------------------------------


@transaction.atomic
def period_open(
    *,
    actor: Any,
    youth: Youth,
    service: Service,
    reason: str,
    registration_reason: str = "",
    started_on: datetime.date | None = None,
    responsible: Any = None,
    age_field: str = "youth",
) -> FollowUpPeriod:
    """The service starts following the youth. One open period per service and youth; a youth
    with a protected identity only by staff cleared for it in the service.

    OT's period carries a registration reason code, and OT follows only youths within its age
    range on the start date and today (``cases.ot``; the refusal names ``age_field``)."""
    return period_open_as(
        access.viewer_for(actor),
        youth=youth,
        service=service,
        reason=reason,
        registration_reason=registration_reason,
        started_on=started_on,
        responsible=responsible,
        age_field=age_field,
    )


def period_open_as(
    viewer: access.Viewer,
    *,
    youth: Youth,
    service: Service,
    reason: str,
    registration_reason: str,
    started_on: datetime.date | None,
    responsible: Any,
    age_field: str,
) -> FollowUpPeriod:
    """``period_open`` by the viewer that the calling service made at its entry (a service
    call loads the actor's memberships once). Runs in the caller's transaction."""
    actor: Any = viewer.user
    check_actor_works_in(viewer, service.pk)
    check_cleared(viewer, youth, service.pk, field="youth")
    if responsible is None or responsible.pk == actor.pk:
        responsible = actor  # who works in the service: checked just above
    else:
        check_responsible(responsible, service.pk)
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        raise field_error("started_on", _("Startdato kan ikke være fram i tid."), "future")
    dates.check_date_windows(
        {"started_on": started_on}, {"started_on": dates.HAPPENED}, born=youth.birth_date
    )
    _check_ot_age(service, youth.birth_date, started_on, age_field)
    if FollowUpPeriod.objects.filter(youth=youth, service=service, ended_on__isnull=True).exists():
        raise ApplicationError(
            _("Tjenesten følger allerede opp denne ungdommen."), code="already_followed"
        )
    period = FollowUpPeriod(
        youth=youth,
        service=service,
        responsible=responsible,
        started_on=started_on,
        reason=reason,
        registration_reason=registration_reason,
        created_by=actor,
    )
    period.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            period.save(force_insert=True)
    except IntegrityError:
        raise ApplicationError(
            _("Tjenesten følger allerede opp denne ungdommen."), code="already_followed"
        ) from None
    responsibility_change(period=period, user=responsible)
    audit_record(
        actor=actor,
        action="period.opened",
        subject=youth,
        target=period,
        data={
            "service": str(service.pk),
            "responsible": _username(responsible),
            "registration_reason": registration_reason,
        },
    )
    return period


def _check_ot_age(
    service: Service, birth_date: datetime.date, started_on: datetime.date | None, field: str
) -> None:
    """OT registers a youth only within its age range, on the start date and today."""
    if service.kind == ServiceKind.OT:
        today = timezone.localdate()
        check_ot_age(birth_date, (started_on or today, today), field)


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _open_period_for_edit(period: FollowUpPeriod, version: int) -> FollowUpPeriod:
    locked = locked_at_version(FollowUpPeriod, period.pk, version)
    if not locked.is_open:
        raise ApplicationError(_("Perioden er avsluttet og kan ikke endres."), code="period_closed")
    return locked


@transaction.atomic
def period_close(
    *,
    actor: Any,
    period: FollowUpPeriod,
    version: int,
    end_reason: str,
    ended_on: datetime.date | None = None,
) -> FollowUpPeriod:
    """Close the period; from then on it and what was recorded in it are frozen."""
    locked = _open_period_for_edit(period, version)
    check_actor_works_in(access.viewer_for(actor), locked.service_id)
    ended_on = ended_on or timezone.localdate()
    if ended_on > timezone.localdate():
        raise field_error("ended_on", _("Sluttdato kan ikke være fram i tid."), "future")
    locked.ended_on = ended_on
    locked.end_reason = end_reason
    locked.closed_by = actor
    if ended_on < locked.started_on:
        raise field_error("ended_on", _("Sluttdato kan ikke være før startdato."), "before_start")
    locked.full_clean(validate_constraints=False)
    locked.version += 1
    locked.save(update_fields=["ended_on", "end_reason", "closed_by", "version", "updated_at"])
    responsibility_change(period=locked, user=None)
    audit_record(
        actor=actor,
        action="period.closed",
        subject=locked.youth,
        target=locked,
        data={"ended_on": ended_on.isoformat()},
    )
    return locked


@transaction.atomic
def period_reassign(
    *, actor: Any, period: FollowUpPeriod, version: int, responsible: Any
) -> FollowUpPeriod:
    """Make another staff member of the same service responsible for the period."""
    locked = _open_period_for_edit(period, version)
    check_actor_works_in(access.viewer_for(actor), locked.service_id)
    check_responsible(responsible, locked.service_id)
    previous = locked.responsible
    locked.responsible = responsible
    locked.version += 1
    locked.save(update_fields=["responsible", "version", "updated_at"])
    responsibility_change(period=locked, user=responsible)
    audit_record(
        actor=actor,
        action="period.reassigned",
        subject=locked.youth,
        target=locked,
        data={"from": _username(previous), "to": _username(responsible)},
    )
    return locked


def responsibility_change(*, period: FollowUpPeriod, user: Any) -> None:
    """Keep the history of who was responsible when: end the current row, start the next."""
    now = timezone.now()
    Responsibility.objects.filter(period=period, until__isnull=True).update(until=now)
    if user is not None:
        Responsibility.objects.create(period=period, user=user, since=now)
    fact_changed(period.youth_id, "period.responsibility")
