"""The follow-up log: write, edit within the grace period, correct, delete made-in-error."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.models import (
    FollowUpEntry,
    FollowUpPeriod,
    Service,
    StaffRole,
    Youth,
    kind_category,
)
from cases.services.common import check_actor_works_in, field_error, locked_at_version
from core.audit import audit_record
from core.errors import ApplicationError

ENTRY_EDITABLE_FIELDS = ("occurred_on", "kind", "category", "text")


def _open_period(youth: Youth, service: Service) -> FollowUpPeriod:
    period = FollowUpPeriod.objects.filter(
        youth=youth, service=service, ended_on__isnull=True
    ).first()
    if period is None:
        raise ApplicationError(
            _("Tjenesten har ingen åpen oppfølgingsperiode med ungdommen."),
            code="no_open_period",
            fields={"service": _("Tjenesten har ingen åpen oppfølgingsperiode med ungdommen.")},
        )
    return period


def _check_date(occurred_on: datetime.date, period: FollowUpPeriod) -> None:
    if occurred_on > timezone.localdate():
        raise field_error("occurred_on", _("Datoen kan ikke være fram i tid."), "future")
    if occurred_on < period.started_on:
        raise field_error(
            "occurred_on",
            _("Datoen er før oppfølgingsperioden startet."),
            "before_period",
        )


@transaction.atomic
def entry_log(
    *,
    actor: Any,
    youth: Youth,
    service: Service,
    occurred_on: datetime.date,
    kind: str,
    text: str,
    category: str | None = None,
    corrects: FollowUpEntry | None = None,
) -> FollowUpEntry:
    """Log an entry in the service's open follow-up period with the youth.

    Without a ``category`` the entry is in the service's own (``cases.models.kind_category``):
    what a health service notes is health information, and so on. General information, which
    every service that follows the youth sees, must be chosen. ``corrects`` makes it a
    correction of an earlier entry of the same service and youth.
    """
    check_actor_works_in(access.viewer_for(actor), service.pk)
    period = _open_period(youth, service)
    _check_date(occurred_on, period)
    if corrects is not None and (
        corrects.youth_id != youth.pk
        or corrects.service_id != service.pk
        or corrects.deleted_at is not None
    ):
        raise field_error(
            "corrects",
            _("Du kan bare rette tjenestens egne oppføringer om samme ungdom."),
            "invalid_correction",
        )
    entry = FollowUpEntry(
        youth=youth,
        service=service,
        period=period,
        occurred_on=occurred_on,
        kind=kind,
        category=category or kind_category(service.kind),
        text=text,
        corrects=corrects,
        author=actor,
    )
    entry.full_clean()
    entry.save(force_insert=True)
    audit_record(
        actor=actor,
        action="entry.corrected" if corrects else "entry.logged",
        subject=youth,
        target=entry,
        data={"category": category, "corrects": str(corrects.pk) if corrects else None},
    )
    return entry


def edit_window_closed(entry: FollowUpEntry, now: datetime.datetime | None = None) -> bool:
    limit = datetime.timedelta(hours=settings.FOLLOW_UP_ENTRY_EDIT_HOURS)
    return (now or timezone.now()) - entry.created_at > limit


@transaction.atomic
def entry_edit(*, actor: Any, entry: FollowUpEntry, version: int, **changes: Any) -> FollowUpEntry:
    """Edit an entry in place: only its author, only within the grace period (24 hours), only
    while the period is open. Later, log a correction instead."""
    unknown = set(changes) - set(ENTRY_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    locked = locked_at_version(FollowUpEntry, entry.pk, version)
    if locked.author_id != getattr(actor, "pk", None):
        raise ApplicationError(
            _("Bare den som skrev oppføringen kan endre den."), code="not_author"
        )
    if locked.deleted_at is not None:
        raise ApplicationError(_("Oppføringen er slettet."), code="entry_deleted")
    if edit_window_closed(locked):
        raise ApplicationError(
            _("Oppføringen er eldre enn 24 timer og kan ikke endres. Skriv en retting."),
            code="entry_locked",
        )
    period = FollowUpPeriod.objects.get(pk=locked.period_id)
    if not period.is_open:
        raise ApplicationError(_("Perioden er avsluttet og kan ikke endres."), code="period_closed")
    before = {name: str(getattr(locked, name)) for name in changes}
    for name, value in changes.items():
        setattr(locked, name, value)
    if "occurred_on" in changes:
        _check_date(locked.occurred_on, period)
    locked.full_clean()
    locked.version += 1
    locked.save(update_fields=[*changes, "version", "updated_at"])
    audit_record(
        actor=actor,
        action="entry.edited",
        subject=locked.youth,
        target=locked,
        data={"fields": sorted(changes), "before": before},
    )
    return locked


@transaction.atomic
def entry_delete(*, actor: Any, entry: FollowUpEntry, reason: str) -> FollowUpEntry:
    """Delete an entry made in error: hidden from then on, the row and the reason stay."""
    locked = FollowUpEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.author_id != getattr(actor, "pk", None) and not access.works_in(
        access.viewer_for(actor), locked.service_id, roles=[StaffRole.MANAGER]
    ):
        raise ApplicationError(
            _("Bare den som skrev oppføringen eller tjenestens leder kan slette den."),
            code="not_author",
        )
    if locked.deleted_at is not None:
        raise ApplicationError(_("Oppføringen er slettet."), code="entry_deleted")
    if not reason.strip():
        raise field_error("reason", _("Oppgi hvorfor oppføringen slettes."), "required")
    locked.deleted_at = timezone.now()
    locked.deleted_by = actor
    locked.deletion_reason = reason.strip()
    locked.version += 1
    locked.save(update_fields=["deleted_at", "deleted_by", "deletion_reason", "version"])
    audit_record(
        actor=actor,
        action="entry.deleted",
        subject=locked.youth,
        target=locked,
        data={"reason": locked.deletion_reason},
    )
    return locked
