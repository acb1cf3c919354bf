"""The child coordinator's (*barnekoordinator*) limits: who may hold the role and when it ends.

The municipality offers a child coordinator to the family of a child under 18 (pasient- og
brukerrettighetsloven § 2-5 c, helse- og omsorgstjenesteloven § 7-2 a, from 1 August 2022), so:

- only the municipality's services hold the role (``MUNICIPAL_SERVICE_KINDS``);
- the role ends when the child turns 18: the ledger ends it (``end_at_18``) whenever it derives
  the youth's deadlines, and the nightly sweep visits every youth with a current child
  coordinator, so it ends on the birthday even when nothing else about the child changes;
- before that, the plan is offered to a coordinator for adults (hol. § 7-2): the deadline rule
  ``CHILD-COORDINATOR-18`` (``coordination.deadlines.rules``).
"""

from __future__ import annotations

import datetime
from typing import Any

from cases.dates import local_day
from cases.models import Service, ServiceKind, Youth
from consent.ages import birthday
from coordination.deadlines.rules import start_of_day
from coordination.models import CHILD_COORDINATOR_MAX_AGE, ChildCoordinator, ChildCoordinatorEnd
from core.audit import audit_record

# The kinds of service a municipality runs itself and that may hold the role:
# - HEALTH: the municipality's health and care services (hol. § 3-1: helsestasjon,
#   skolehelsetjeneste, koordinerende enhet, hol. § 7-3), where hol. § 7-2 a puts the duty;
# - CHILD_WELFARE: the municipality's child welfare service (barnevernsloven § 15-1);
# - OTHER: the municipality's other services for children (PPT, opplæringslova 1998 § 5-6;
#   family and disability services), where many municipalities place the role: the law lets
#   the municipality choose where (Prop. 100 L (2020–2021)).
# Not: NAV (a partnership office of state and municipality, NAV-loven § 13, whose staff may be
# the state's), OT and Samordna's schools (upper secondary: the county's, opplæringslova).
# A service must also belong to a municipality (have a municipality number). The register
# records a service's kind, not its owner: a specialist health service (the health trust's)
# must not be registered as a municipal kind.
MUNICIPAL_SERVICE_KINDS = (ServiceKind.HEALTH, ServiceKind.CHILD_WELFARE, ServiceKind.OTHER)


def is_municipal(service: Service) -> bool:
    return service.kind in MUNICIPAL_SERVICE_KINDS and bool(service.municipality_number)


def end(
    record: ChildCoordinator,
    *,
    actor: Any,
    at: datetime.datetime,
    reason: str,
    note: str = "",
) -> ChildCoordinator:
    """End the role (``record`` locked by the caller, in its transaction), with an audit entry."""
    record.ended_at, record.end_reason = at, reason
    record.reasons = f"{record.reasons}\n\n{note.strip()}".strip()
    record.save(update_fields=["ended_at", "end_reason", "reasons"])
    audit_record(
        actor=actor,
        action="child_coordinator.ended",
        subject=record.youth,
        target=record,
        data={"reason": reason},
    )
    return record


def end_at_18(youth: Youth, *, now: datetime.datetime) -> int:
    """End the current child coordinator of a youth who has turned 18, as of the birthday's
    first moment (or the record's, if it was recorded later). Call with the youth locked, in
    the transaction that derives the youth's deadlines. Returns how many were ended (0 or 1)."""
    turns_18 = birthday(youth.birth_date, CHILD_COORDINATOR_MAX_AGE)
    if local_day(now) < turns_18:
        return 0
    records = ChildCoordinator.objects.select_for_update().filter(
        youth=youth, right_granted=True, ended_at__isnull=True
    )
    ended = 0
    for record in records:
        end(
            record,
            actor=None,
            at=max(start_of_day(turns_18), record.recorded_at),
            reason=ChildCoordinatorEnd.AGE_18,
        )
        ended += 1
    return ended
