"""Consent on a youth, recorded by staff: resolves who gives it and calls the consent app."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cases import dates
from cases.events import fact_changed
from cases.models import Youth
from consent import services as consent_services
from consent.models import Consent, Giver, Method
from core.errors import ApplicationError

# How far from today a consent's start and end may lie (``cases.dates``); that the end comes
# after the start is the consent app's rule.
DATE_WINDOWS = {"valid_from": dates.CONSENT_START, "valid_until": dates.CONSENT_END}


def _giver_names(youth: Youth, giver: str) -> str:
    if giver == Giver.SUBJECT:
        return youth.full_name
    guardians = [g.full_name for g in youth.guardians.all() if g.has_parental_responsibility]
    if not guardians:
        message = _("Registrer foresatte med foreldreansvar før de kan samtykke.")
        raise ApplicationError(message, code="no_guardians", fields={"giver": message})
    # Both parents with parental responsibility consent together (domain.md §7).
    return " og ".join(sorted(guardians))


@transaction.atomic
def consent_give(
    *,
    actor: Any,
    youth: Youth,
    decision: str,
    giver: str,
    purpose_code: str,
    purpose: str,
    method: str,
    agreed_text: str,
    flows: Sequence[consent_services.Flow],
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
    documented_by: Any = None,
    child_view: str = "",
    replaces: Consent | None = None,
) -> Consent:
    """Record a consent or refusal the youth (or the guardians of a minor) gave a service.

    Oral consent is documented by the recording staff member unless another is named.
    """
    dates.check_date_windows({"valid_from": valid_from, "valid_until": valid_until}, DATE_WINDOWS)
    if method == Method.ORAL and documented_by is None:
        documented_by = actor
    consent = consent_services.consent_record(
        subject=youth,
        subject_birth_date=youth.birth_date,
        municipality_number=youth.municipality_number,
        recorded_by=actor,
        decision=decision,
        giver=giver,
        giver_names=_giver_names(youth, giver),
        purpose_code=purpose_code,
        purpose=purpose,
        method=method,
        agreed_text=agreed_text,
        flows=flows,
        valid_from=valid_from,
        valid_until=valid_until,
        documented_by=documented_by,
        child_view=child_view,
        replaces=replaces,
    )
    fact_changed(youth.pk, "consent.recorded")
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent, method: str) -> Consent:
    withdrawn = consent_services.consent_withdraw(consent=consent, by=actor, method=method)
    fact_changed(withdrawn.subject_id, "consent.withdrawn")
    return withdrawn
