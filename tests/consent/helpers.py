"""Consents recorded through consent's own service at fixed dates, on the named people's youth.

The subject's birth date is passed to the service, as the upper app does, so the age rules apply
to the birth date a test names, whatever today is.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cases import services as case_services
from consent import services
from consent.models import Consent, Decision, Giver, Method
from consent.services import Flow, GuardianAnswer

OSLO = ZoneInfo("Europe/Oslo")
ADULT = datetime.date(2000, 1, 15)  # 25 on the day the consents below are given
GIVEN_AT = datetime.datetime(2025, 3, 1, 12, tzinfo=OSLO)


def at(day: str, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day), datetime.time(hour, minute), tzinfo=OSLO
    )


def record(
    people: Any,
    *flows: Flow,
    birth_date: datetime.date = ADULT,
    giver: str = Giver.SUBJECT,
    decision: str = Decision.GIVEN,
    valid_from: datetime.datetime = GIVEN_AT,
    **extra: Any,
) -> Consent:
    if giver == Giver.GUARDIANS and "guardian_answers" not in extra:
        # The only guardian with parental responsibility gives it (the child's view heard).
        guardian = case_services.guardian_add(
            actor=people.nav_advisor,
            youth=extra.get("subject", people.youth),
            full_name="Kari Hansen",
            relation="PARENT",
            has_parental_responsibility=True,
        )
        extra["guardian_answers"] = [
            GuardianAnswer(guardian, guardian.full_name, decision, Method.SIGNED_FORM)
        ]
        extra["guardians_needed"] = {guardian.pk}
        extra.setdefault("child_view", "Jeg vil at de snakker sammen.")
    return services.consent_record(
        subject=extra.pop("subject", people.youth),
        subject_birth_date=birth_date,
        municipality_number=extra.pop("municipality_number", "4003"),
        recorded_by=people.nav_advisor,
        decision=decision,
        giver=giver,
        giver_names="Emma Hansen",
        purpose_code="SAMARBEID",
        purpose="Samarbeid om oppfølging",
        method=extra.pop("method", Method.DIGITAL),
        agreed_text="Jeg samtykker til at tjenestene deler det som står nedenfor.",
        flows=list(flows),
        valid_from=valid_from,
        **extra,
    )
