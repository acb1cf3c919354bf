"""Writes to the registry. Each service runs in one transaction and audits what it changed."""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access, identity
from cases.models import FollowUpPeriod, Guardian, Service, StaffMembership, Youth
from cases.validators import parse_national_id
from consent.audit import audit_record
from consent.errors import ApplicationError, ConflictError

M = TypeVar("M", bound=models.Model)


def _locked_at_version(model: type[M], pk: Any, version: int) -> M:
    """Lock the row and check the caller edited the version it read (optimistic concurrency).

    Must run inside a transaction: the row lock holds until it commits.
    """
    obj = model._default_manager.select_for_update().get(pk=pk)
    current = obj.version  # type: ignore[attr-defined]
    if current != version:
        raise ConflictError(
            _("Noen andre har endret dette i mellomtiden. Last inn på nytt og prøv igjen."),
            current_version=current,
        )
    return obj


def _check_responsible(responsible: Any, service: Service) -> None:
    if responsible is not None and not access.works_in(responsible, service):
        raise ApplicationError(
            _("Den ansvarlige må jobbe i tjenesten."),
            code="responsible_not_in_service",
            fields={"responsible": _("Den ansvarlige må jobbe i tjenesten.")},
        )


def _check_actor_works_in(actor: Any, service: Service) -> None:
    if not access.works_in(actor, service):
        raise ApplicationError(
            _("Du jobber ikke i denne tjenesten."),
            code="not_member_of_service",
            fields={"service": _("Du jobber ikke i denne tjenesten.")},
        )


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
def membership_add(*, user: Any, service: Service, role: str) -> StaffMembership:
    membership = StaffMembership(user=user, service=service, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=None,
        action="membership.added",
        target=membership,
        data={"user": user.get_username(), "service": str(service.pk), "role": role},
    )
    return membership


@transaction.atomic
def membership_end(*, actor: Any, membership: StaffMembership) -> StaffMembership:
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    audit_record(actor=actor, action="membership.ended", target=membership)
    return membership


# --- Youths ---------------------------------------------------------------------------------


def _field_error(field: str, message: Any, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _resolve_birth_date(
    parsed: identity.IdentityNumber, birth_date: datetime.date | None
) -> datetime.date:
    """The birth date the number carries; a given one must agree with it (DDMMYY and century)."""
    mismatch = _("Fødselsdatoen stemmer ikke med identitetsnummeret.")
    if birth_date is not None and not parsed.matches_birth_date(birth_date):
        raise _field_error("birth_date", mismatch, "mismatch")
    if parsed.birth_date is not None:
        if birth_date is not None and birth_date != parsed.birth_date:
            raise _field_error("birth_date", mismatch, "mismatch")
        return parsed.birth_date
    if birth_date is None:
        raise _field_error(
            "birth_date",
            _("Fødselsdato må oppgis: den kan ikke leses av dette nummeret."),
            "required",
        )
    return birth_date


@transaction.atomic
def youth_register(
    *,
    actor: Any,
    service: Service,
    national_id: str,
    first_name: str,
    last_name: str,
    municipality_number: str,
    reason: str,
    birth_date: datetime.date | None = None,
    email: str = "",
    phone: str = "",
    started_on: datetime.date | None = None,
    responsible: Any = None,
) -> tuple[Youth, FollowUpPeriod, bool]:
    """Register a youth with the actor's service: the youth record plus an open period.

    A youth already in the registry (same identity number) is not duplicated and not
    overwritten: the service starts following the existing record. Returns (youth, period,
    created).
    """
    _check_actor_works_in(actor, service)
    parsed = parse_national_id(national_id)
    youth = Youth.objects.filter(national_id=parsed.value).first()
    created = youth is None
    if youth is None:
        youth = Youth(
            national_id=parsed.value,
            national_id_kind=parsed.kind.value,
            birth_date=_resolve_birth_date(parsed, birth_date),
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            municipality_number=municipality_number,
            email=email,
            phone=phone,
        )
        youth.full_clean()
        try:
            with transaction.atomic():
                youth.save(force_insert=True)
        except IntegrityError:
            # Registered by someone else a moment ago: follow that record instead.
            youth = Youth.objects.get(national_id=parsed.value)
            created = False
        else:
            audit_record(actor=actor, action="youth.registered", subject=youth, target=youth)
    period = period_open(
        actor=actor,
        youth=youth,
        service=service,
        reason=reason,
        started_on=started_on,
        responsible=responsible,
    )
    return youth, period, created


YOUTH_EDITABLE_FIELDS = ("first_name", "last_name", "municipality_number", "email", "phone")


@transaction.atomic
def youth_update(*, actor: Any, youth: Youth, version: int, **changes: Any) -> Youth:
    """Update a youth's names and contact details; ``version`` must be the one the caller read."""
    unknown = set(changes) - set(YOUTH_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    locked = _locked_at_version(Youth, youth.pk, version)
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
) -> Guardian:
    guardian = Guardian(
        youth=youth,
        full_name=full_name,
        relation=relation,
        has_parental_responsibility=has_parental_responsibility,
        email=email,
        phone=phone,
    )
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
    started_on: datetime.date | None = None,
    responsible: Any = None,
) -> FollowUpPeriod:
    """The service starts following the youth. One open period per service and youth."""
    _check_actor_works_in(actor, service)
    responsible = responsible if responsible is not None else actor
    _check_responsible(responsible, service)
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        raise _field_error("started_on", _("Startdato kan ikke være fram i tid."), "future")
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
    audit_record(
        actor=actor,
        action="period.opened",
        subject=youth,
        target=period,
        data={"service": str(service.pk), "responsible": _username(responsible)},
    )
    return period


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _open_period_for_edit(period: FollowUpPeriod, version: int) -> FollowUpPeriod:
    locked = _locked_at_version(FollowUpPeriod, period.pk, version)
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
    _check_actor_works_in(actor, locked.service)
    ended_on = ended_on or timezone.localdate()
    if ended_on > timezone.localdate():
        raise _field_error("ended_on", _("Sluttdato kan ikke være fram i tid."), "future")
    locked.ended_on = ended_on
    locked.end_reason = end_reason
    locked.closed_by = actor
    if ended_on < locked.started_on:
        raise _field_error("ended_on", _("Sluttdato kan ikke være før startdato."), "before_start")
    locked.full_clean(validate_constraints=False)
    locked.version += 1
    locked.save(update_fields=["ended_on", "end_reason", "closed_by", "version", "updated_at"])
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
    _check_actor_works_in(actor, locked.service)
    _check_responsible(responsible, locked.service)
    previous = locked.responsible
    locked.responsible = responsible
    locked.version += 1
    locked.save(update_fields=["responsible", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="period.reassigned",
        subject=locked.youth,
        target=locked,
        data={"from": _username(previous), "to": _username(responsible)},
    )
    return locked
