"""Consent on a youth, recorded by staff: resolves who gives it and calls the consent app."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cases import dates
from cases.events import fact_changed
from cases.models import Guardian, Youth
from consent import services as consent_services
from consent.models import Consent, Giver, Method
from core.errors import ApplicationError

# How far from today a consent's start and end may lie (``cases.dates``); that the end comes
# after the start is the consent app's rule.
DATE_WINDOWS = {"valid_from": dates.CONSENT_START, "valid_until": dates.CONSENT_END}


def needed_guardians(youth: Youth) -> list[Guardian]:
    """The guardians whose own consent a guardians' consent needs: every guardian with parental
    responsibility. One suffices where only one holds it (sole parental responsibility,
    barnelova §§ 34-35); where two hold it jointly, both consent (barnelova § 30: those with
    parental responsibility decide together; domain.md §7). Barnelova § 37 lets the parent the
    child lives with decide larger matters of daily care alone (kindergarten, where in Norway
    the child lives); lifting another service's duty of confidentiality is not daily care, so
    it does not make one parent's consent enough."""
    guardians = [g for g in youth.guardians.all() if g.has_parental_responsibility]
    if not guardians:
        message = _("Registrer foresatte med foreldreansvar før de kan samtykke.")
        raise ApplicationError(message, code="no_guardians", fields={"giver": message})
    return guardians


def _answers(
    youth: Youth,
    guardians: Sequence[Any],
    *,
    decision: str,
    method: str,
    documented_by: Any,
) -> list[consent_services.GuardianAnswer]:
    """The answers of ``guardians`` (Guardian rows or ids) of the youth, each their own."""
    by_id = {str(g.pk): g for g in youth.guardians.all()}
    answers = []
    for ref in guardians:
        guardian = by_id.get(str(getattr(ref, "pk", ref)))
        if guardian is None:
            message = _("Foresatt hører ikke til ungdommen.")
            raise ApplicationError(message, code="wrong_guardian", fields={"guardians": message})
        answers.append(
            consent_services.GuardianAnswer(
                guardian=guardian,
                name=guardian.full_name,
                decision=decision,
                method=method,
                documented_by=documented_by,
            )
        )
    return answers


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
    guardians: Sequence[Any] = (),
) -> Consent:
    """Record a consent or refusal the youth (or the guardians of a minor) gave a service.

    For a guardians' consent, ``guardians`` are the guardians who answered now (``decision``,
    each in their own name); it counts once every needed guardian gave it
    (``needed_guardians``; the others answer with ``consent_guardian_answer``). Oral consent is
    documented by the recording staff member unless another is named.
    """
    dates.check_date_windows({"valid_from": valid_from, "valid_until": valid_until}, DATE_WINDOWS)
    if method == Method.ORAL and documented_by is None:
        documented_by = actor
    answers: list[consent_services.GuardianAnswer] = []
    needed: list[Guardian] = []
    if giver == Giver.GUARDIANS:
        needed = needed_guardians(youth)
        answers = _answers(
            youth,
            guardians,
            decision=decision,
            method=method,
            documented_by=documented_by,
        )
    elif guardians:
        message = _("Foresatte svarer bare på samtykker som foresatte gir.")
        raise ApplicationError(message, code="guardians_not_givers", fields={"guardians": message})
    consent = consent_services.consent_record(
        subject=youth,
        subject_birth_date=youth.birth_date,
        municipality_number=youth.municipality_number,
        recorded_by=actor,
        decision=decision,
        giver=giver,
        giver_names=youth.full_name if giver == Giver.SUBJECT else "",
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
        guardian_answers=answers,
        guardians_needed={g.pk for g in needed},
    )
    fact_changed(youth.pk, "consent.recorded")
    return consent


@transaction.atomic
def consent_guardian_answer(
    *,
    actor: Any,
    consent: Consent,
    guardian: Any,
    decision: str,
    method: str,
    documented_by: Any = None,
) -> Consent:
    """Record one more guardian's own answer on a pending guardians' consent (the one who
    answers later, e.g. the other parent). Oral answers are documented by the recording staff
    member unless another is named."""
    youth = Youth.objects.get(pk=consent.subject_id)
    if method == Method.ORAL and documented_by is None:
        documented_by = actor
    needed = needed_guardians(youth)
    [answer] = _answers(
        youth, [guardian], decision=decision, method=method, documented_by=documented_by
    )
    answered = consent_services.guardian_answer_record(
        consent=consent, answer=answer, guardians_needed={g.pk for g in needed}, recorded_by=actor
    )
    fact_changed(youth.pk, "consent.recorded")
    return answered


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent, method: str) -> Consent:
    withdrawn = consent_services.consent_withdraw(consent=consent, by=actor, method=method)
    fact_changed(withdrawn.subject_id, "consent.withdrawn")
    return withdrawn
