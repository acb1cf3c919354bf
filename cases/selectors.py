"""Reads. Every read of a youth's records starts from the access gate in ``cases.access``."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from cases import access
from cases.models import FollowUpPeriod, Service, StaffMembership, Youth

SCOPE_MINE = "mine"
SCOPE_OURS = "ours"


def _open_periods() -> QuerySet[FollowUpPeriod]:
    return FollowUpPeriod.objects.filter(ended_on__isnull=True).select_related(
        "service", "responsible"
    )


def youth_caseload(
    *,
    user: Any,
    scope: str = SCOPE_OURS,
    service_id: str | None = None,
    municipality_number: str | None = None,
    name: str | None = None,
    born_after: datetime.date | None = None,
    born_before: datetime.date | None = None,
) -> QuerySet[Youth]:
    """The caseload: "ours" = open periods in my services; "mine" = those where I am responsible.

    One query for the page, one for the open periods of the page's youths (which services
    follow each youth is general information every following service sees).
    """
    periods = FollowUpPeriod.objects.filter(
        ended_on__isnull=True, service_id__in=access.service_ids(user)
    )
    if scope == SCOPE_MINE:
        periods = periods.filter(responsible=user)
    if service_id:
        periods = periods.filter(service_id=service_id)
    youths = access.reachable_youths(user).filter(pk__in=periods.values("youth_id"))
    if municipality_number:
        youths = youths.filter(municipality_number=municipality_number)
    if name:
        for part in name.split():
            youths = youths.filter(Q(first_name__istartswith=part) | Q(last_name__istartswith=part))
    if born_after:
        youths = youths.filter(birth_date__gte=born_after)
    if born_before:
        youths = youths.filter(birth_date__lte=born_before)
    return youths.order_by("last_name", "first_name", "id").prefetch_related(
        Prefetch("periods", queryset=_open_periods(), to_attr="open_periods")
    )


def youth_detail(*, user: Any, youth_id: Any) -> Youth:
    """A youth the user reaches, with guardians and all follow-up periods, or Http404."""
    return access.youth_for_user(
        user,
        youth_id,
        queryset=access.reachable_youths(user).prefetch_related(
            "guardians",
            Prefetch(
                "periods",
                queryset=FollowUpPeriod.objects.select_related("service", "responsible"),
                to_attr="all_periods",
            ),
        ),
    )


def youth_by_national_id(*, user: Any, national_id: str) -> Youth | None:
    """Look a youth up by identity number within the user's reach."""
    return access.reachable_youths(user).filter(national_id=national_id).first()


def period_list(*, user: Any) -> QuerySet[FollowUpPeriod]:
    return access.own_service_periods(user).select_related("service", "responsible", "youth")


def service_list() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True)


def membership_list(*, user: Any) -> QuerySet[StaffMembership]:
    return (
        StaffMembership.objects.filter(user=user, ended_at__isnull=True)
        .select_related("service")
        .order_by("service__name", "role")
    )
