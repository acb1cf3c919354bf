"""What a coordinator must be told about an open plan: its review is overdue (the ``IP-REVIEW``
deadline has passed) or the consent it rests on no longer holds (withdrawn or expired). Plain
functions on a plan read with its consent (``select_related("consent")``), so a list of plans
gets its warnings without a query per plan; the plan page and *Min dag* show the same ones."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.deadlines.rules import review_due_on, review_overdue
from coordination.models import Plan


class ConsentState(StrEnum):
    HOLDS = "holds"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


def plan_consent_state(plan: Plan, at: datetime.datetime) -> ConsentState | None:
    """Whether the consent the plan rests on holds at ``at``: withdrawn, past its end, or
    holding; None for a plan without one (a stafettlogg may have none)."""
    if plan.consent_id is None:
        return None
    consent = plan.consent
    assert consent is not None
    if consent.withdrawn_at is not None and consent.withdrawn_at <= at:
        return ConsentState.WITHDRAWN
    if consent.valid_until is not None and consent.valid_until <= at:
        return ConsentState.EXPIRED
    return ConsentState.HOLDS


@dataclass(frozen=True)
class PlanWarning:
    code: str
    text: str


def plan_warnings(
    plan: Plan, *, today: datetime.date | None = None, at: datetime.datetime | None = None
) -> list[PlanWarning]:
    """The warnings of an open plan (none for a closed one), in the viewer's language."""
    if not plan.is_open:
        return []
    at = at or timezone.now()
    today = today or timezone.localdate(at)
    found = []
    if review_overdue(plan, today):
        due = review_due_on(plan)
        assert due is not None
        found.append(
            PlanWarning(
                "review_overdue",
                _("Evalueringen skulle vært holdt %(day)s. Registrer evalueringen.")
                % {"day": f"{due:%d.%m.%Y}"},
            )
        )
    state = plan_consent_state(plan, at)
    consent = plan.consent
    if state == ConsentState.WITHDRAWN and consent is not None and consent.withdrawn_at:
        found.append(
            PlanWarning(
                "consent_withdrawn",
                _(
                    "Samtykket planen bygger på ble trukket tilbake %(day)s. De andre tjenestene "
                    "ser ikke lenger planen. Snakk med ungdommen om et nytt samtykke, eller "
                    "avslutt planen."
                )
                % {"day": f"{timezone.localdate(consent.withdrawn_at):%d.%m.%Y}"},
            )
        )
    elif state == ConsentState.EXPIRED and consent is not None and consent.valid_until:
        found.append(
            PlanWarning(
                "consent_expired",
                _(
                    "Samtykket planen bygger på gjaldt til %(day)s. De andre tjenestene ser ikke "
                    "lenger planen. Snakk med ungdommen om et nytt samtykke, eller avslutt planen."
                )
                % {"day": f"{timezone.localdate(consent.valid_until):%d.%m.%Y}"},
            )
        )
    return found
