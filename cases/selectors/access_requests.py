"""A request for access made on paper (GDPR art. 15): which youth the privacy officer may answer
it for.

A privacy officer answers for the records the services where they are privacy officer hold: a
youth those services follow or followed (a follow-up period, open or closed) or sent or received
a referral about. A youth with a protected identity is answered for only through a service in
which the privacy officer's own membership holds the matching clearance, by the gate's rule
(``access.screen``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from cases import access, identity
from cases.models import FollowUpPeriod, Referral, StaffRole, Youth, national_id_matches

PURPOSE = "access-request"


def privacy_officer(viewer: access.Viewer) -> access.Viewer:
    """The viewer as privacy officer: only their memberships in that role, so what they read
    in it is logged in that role and through those services."""
    return access.Viewer(
        viewer.user,
        tuple(m for m in viewer.memberships if m.role == StaffRole.PRIVACY_OFFICER),
    )


def _cleared(officer: access.Viewer) -> tuple[tuple[Any, ...], ...]:
    """For each of the gate's protections, the services in which the privacy officer's own
    membership holds that clearance (``Viewer.cleared`` counts caseload roles only)."""
    return tuple(
        tuple(sorted({m.service_id for m in officer.memberships if getattr(m, clearance)}, key=str))
        for clearance, _field, _values in access.PROTECTIONS
    )


def youths_for_privacy_officer(viewer: access.Viewer) -> QuerySet[Youth]:
    """The youths the viewer, as privacy officer, may answer for: followed or referred by a
    service where they are privacy officer, screened by their own clearances there (none for a
    viewer who is no privacy officer)."""
    officer = privacy_officer(viewer)
    services = tuple(m.service_id for m in officer.memberships)
    if not services:
        return Youth.objects.none()
    cleared = _cleared(officer)
    periods = FollowUpPeriod.objects.filter(
        access.screen(services, cleared), service_id__in=services, youth_id=OuterRef("pk")
    )
    received = Referral.objects.filter(
        access.screen(services, cleared, service="to_service_id"),
        to_service_id__in=services,
        youth_id=OuterRef("pk"),
    )
    sent = Referral.objects.filter(
        access.screen(services, cleared, service="from_service_id"),
        from_service_id__in=services,
        youth_id=OuterRef("pk"),
    )
    return Youth.objects.filter(Exists(periods) | Exists(received) | Exists(sent))


def youth_for_access_request(
    *, viewer: access.Viewer, national_id: str, purpose: str = PURPOSE
) -> Youth | None:
    """The youth with this identity number whom the viewer, as privacy officer, may answer a
    request for access for, else None. A youth registered but out of that reach is not found,
    and the refused attempt is written to the access log (``purpose``; outside any transaction
    the caller may roll back: call this before opening one). Three indexed lookups at most."""
    officer = privacy_officer(viewer)
    services = tuple(m.service_id for m in officer.memberships)
    number = identity.normalise(national_id)
    found = youths_for_privacy_officer(viewer).filter(national_id_matches(number)).first()
    if found is None:
        registered = (
            Youth.objects.filter(national_id_matches(number)).values_list("pk", flat=True).first()
        )
        if registered is not None:
            access.log_denied(officer, registered, purpose, through=services)
    return found
