"""A youth of 12 to 15 objects to their guardians being told about their health
(pasient- og brukerrettighetsloven § 3-4 second paragraph).

Health personnel hear the youth and record it, through a health service that follows the youth;
or the youth records it on *Min side*. While it stands, a guardian's *Min side* shows no health
matters and no health service (``cases.portal.withheld``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.models import HealthObjection, Service, ServiceKind, Youth
from consent import ages
from core.audit import audit_record
from core.errors import ApplicationError


def _error(message: Any, code: str, field: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: message})


def standing(youth_id: Any) -> HealthObjection | None:
    """The youth's objection that stands now, if any (one indexed row)."""
    return HealthObjection.objects.filter(youth_id=youth_id, withdrawn_at__isnull=True).first()


def _check_health_service(actor: Any, youth: Youth, service: Service | None) -> None:
    """Staff record it through a health service of theirs that follows the youth."""
    if service is None:
        return
    following = dict(access.following_services(access.viewer_for(actor), youth.pk))
    if following.get(service.pk) != ServiceKind.HEALTH:
        raise _error(
            _("Registreres av en helsetjeneste du jobber i og som følger opp ungdommen."),
            "not_a_following_health_service",
            "service",
        )


@transaction.atomic
def health_objection_record(
    *, actor: Any, youth: Youth, service: Service | None, at: datetime.datetime | None = None
) -> HealthObjection:
    """Record the youth's objection, from the 12th to the 16th birthday. ``service`` is the
    health service whose staff heard the youth (None when the youth records it on *Min side*;
    the caller has checked the account). The youth's row is locked, so two at once make one."""
    now = at or timezone.now()
    locked = Youth.objects.select_for_update().get(pk=youth.pk)
    if not ages.may_object_to_guardians_on_health(locked.birth_date, timezone.localdate(now)):
        raise _error(
            _(
                "Ungdom mellom 12 og 16 år kan motsette seg at foresatte får vite om helsen "
                "deres (pasient- og brukerrettighetsloven § 3-4)."
            ),
            "objection_age",
            "youth",
        )
    _check_health_service(actor, locked, service)
    if standing(locked.pk) is not None:
        raise _error(_("Ungdommen har allerede motsatt seg dette."), "already_objected", "youth")
    objection = HealthObjection(youth=locked, objected_at=now, recorded_by=actor, service=service)
    objection.full_clean()
    objection.save(force_insert=True)
    audit_record(
        actor=actor,
        action="health_objection.recorded",
        subject=locked,
        target=objection,
        data={"by_youth": service is None},
    )
    return objection


@transaction.atomic
def health_objection_withdraw(
    *, actor: Any, youth: Youth, service: Service | None
) -> HealthObjection:
    """The youth no longer objects: from now the guardians' page shows health matters again
    (until the 16th birthday)."""
    _check_health_service(actor, youth, service)
    objection = (
        HealthObjection.objects.select_for_update()
        .filter(youth_id=youth.pk, withdrawn_at__isnull=True)
        .first()
    )
    if objection is None:
        raise _error(_("Ungdommen har ikke motsatt seg dette."), "no_objection", "youth")
    objection.withdrawn_at = timezone.now()
    objection.withdrawn_by = actor
    objection.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=actor,
        action="health_objection.withdrawn",
        subject=youth,
        target=objection,
        data={"by_youth": service is None},
    )
    return objection
