"""Disclosures: a holder gives chosen items to another service on a legal basis.

A named staff member of the holding service discloses entries of that service, or a written
report, to a named recipient under a named legal basis, with the reason the law's conditions are
met. The consent app checks the basis (its routes, categories and age limit); this module checks
that the staff member works in the holder, that the holder holds the entries, and that the
recipient is an active service. The recipient then sees exactly those items through the gate
(``access.visible``, ``access.allowed_for``, ``access.disclosures_for``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.models import FollowUpEntry, Service, Youth
from cases.services.common import check_actor_works_in
from consent import services as consent_services
from consent.models import Disclosure
from core.errors import ApplicationError


def _refuse(message: Any, code: str, field: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: message})


@transaction.atomic
def disclosure_make(
    *,
    actor: Any,
    youth: Youth,
    from_service: Service,
    to_service: Service,
    basis: str,
    reason: str,
    report: str = "",
    entry_ids: Sequence[uuid.UUID] = (),
) -> Disclosure:
    """Disclose ``entry_ids`` (entries ``from_service`` holds on the youth) and/or ``report``
    to ``to_service`` on the legal basis ``basis``; logged for both services."""
    viewer = access.viewer_for(actor)
    check_actor_works_in(viewer, from_service.pk)
    if not to_service.is_active:
        raise _refuse(_("Velg en aktiv tjeneste."), "inactive_service", "to_service")
    wanted = set(entry_ids)
    if len(wanted) > consent_services.MAX_DISCLOSED_ITEMS:
        raise _refuse(
            _("En utlevering kan ha høyst %(max)s opplysninger.")
            % {"max": consent_services.MAX_DISCLOSED_ITEMS},
            "too_many_items",
            "entries",
        )
    entries = list(
        FollowUpEntry.objects.filter(
            pk__in=wanted, youth=youth, service=from_service, deleted_at__isnull=True
        ).order_by("occurred_on", "created_at", "pk")
    )
    if len(entries) != len(wanted):
        raise _refuse(
            _("Bare tjenestens egne notater om ungdommen kan gis videre."),
            "not_held",
            "entries",
        )
    membership = next(m for m in viewer.memberships if m.service_id == from_service.pk)
    try:
        return consent_services.disclosure_record(
            subject=youth,
            subject_birth_date=youth.birth_date,
            from_party=from_service,
            to_party=to_service,
            basis_code=basis,
            reason=reason,
            report=report,
            items=[
                consent_services.Item(access.DISCLOSABLE[FollowUpEntry], e.pk, e.category)
                for e in entries
            ],
            disclosed_by=actor,
            role=membership.role,
        )
    except ApplicationError as error:
        if "items" in error.fields:
            error.fields["entries"] = error.fields.pop("items")
        raise
