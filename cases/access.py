"""The one access gate: which youths and records a staff member reaches.

Reach is derived from domain rows, never copied into permission rows: a user reaches a youth when
one of the services they work in (with a caseload role, membership not ended) has an open
follow-up period with that youth. Everything is a lazy queryset filtered with indexed ``Exists``
subqueries, so withdrawal of reach takes effect on the very next query and a list costs one query.

Superusers get no bypass here: the API shows them what their memberships give, like anyone.
Anything not reached answers 404, the same as what does not exist.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from cases.models import CASELOAD_ROLES, FollowUpPeriod, Service, StaffMembership, Youth


def _is_staff_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def active_memberships(user: Any) -> QuerySet[StaffMembership]:
    """The user's memberships that give reach: not ended, with a caseload role."""
    if not _is_staff_user(user):
        return StaffMembership.objects.none()
    return StaffMembership.objects.filter(
        user=user, ended_at__isnull=True, role__in=CASELOAD_ROLES, service__is_active=True
    )


def service_ids(user: Any) -> QuerySet[StaffMembership, Any]:
    """A subquery of the ids of the services the user works in."""
    return active_memberships(user).values("service_id")


def reachable_youths(user: Any) -> QuerySet[Youth]:
    """Youths with an open follow-up period in one of the user's services."""
    if not _is_staff_user(user):
        return Youth.objects.none()
    followed_by_my_service = FollowUpPeriod.objects.filter(
        youth=OuterRef("pk"), ended_on__isnull=True, service_id__in=service_ids(user)
    )
    return Youth.objects.filter(Exists(followed_by_my_service))


def youth_for_user(
    user: Any, youth_id: uuid.UUID | str, *, queryset: QuerySet[Youth] | None = None
) -> Youth:
    """The youth if the user reaches it, else Http404 (unknown and unreachable look the same).

    ``queryset`` may add prefetches; it must itself come from ``reachable_youths(user)``.
    """
    try:
        return (queryset if queryset is not None else reachable_youths(user)).get(pk=youth_id)
    except (Youth.DoesNotExist, ValueError):
        raise Http404 from None


def own_service_periods(user: Any) -> QuerySet[FollowUpPeriod]:
    """Follow-up periods (open and closed) of the user's own services: their own records."""
    if not _is_staff_user(user):
        return FollowUpPeriod.objects.none()
    return FollowUpPeriod.objects.filter(service_id__in=service_ids(user))


def service_for_user(user: Any, service_id: uuid.UUID | str) -> Service:
    """One of the user's own services, else Http404."""
    if not _is_staff_user(user):
        raise Http404
    try:
        return Service.objects.get(pk=service_id, pk__in=service_ids(user))
    except (Service.DoesNotExist, ValueError):
        raise Http404 from None


def works_in(user: Any, service: Service) -> bool:
    return active_memberships(user).filter(service=service).exists()
