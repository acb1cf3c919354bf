"""The youth register: the caseload, one youth, the look-up by identity number, follow-up
periods, services and memberships."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from cases import access, identity
from cases.caseload import Caseload, CaseloadFilter, CaseloadSort, name_search
from cases.models import FollowUpPeriod, Service, StaffMembership, Youth, national_id_matches

SCOPE_MINE = "mine"
SCOPE_OURS = "ours"


def youth_caseload(
    viewer: access.Viewer,
    *,
    scope: str = SCOPE_OURS,
    service_id: uuid.UUID | None = None,
    municipality_number: str | None = None,
    name: str | None = None,
    born_after: datetime.date | None = None,
    born_before: datetime.date | None = None,
    sort: CaseloadSort | None = None,
) -> Caseload:
    """The caseload: "ours" = open periods in my services; "mine" = those where I am responsible.
    ``name`` as the list writes names ("Etternavn, Fornavn") or words in any order
    (``caseload.name_search``); in name order, or by ``sort``.

    Two queries for the page and the total, and the page's youths' open periods (which services
    follow each youth: general information, but for the kinds whose involvement is
    confidential, ``cases.caseload``). The ``viewer`` is this
    request's, which the access log needs too.
    """
    filters = CaseloadFilter(
        reach=tuple(viewer.reach),
        cleared=viewer.cleared,
        responsible=viewer.user.pk if scope == SCOPE_MINE else None,
        service=service_id,
        municipality=municipality_number or None,
        born_after=born_after,
        born_before=born_before,
        **name_search(name),
    )
    return Caseload(filters, sort)


def youth_detail(*, viewer: access.Viewer, youth_id: Any) -> Youth:
    """A youth the viewer reaches, with guardians, the follow-up periods the viewer may see
    (``all_periods``: ``access.shown_periods``) and the viewer's allow-list of the youth's items
    (``allowed``: ``access.allowed_or_404``, which the youth's page reads its timeline with), or
    Http404."""
    allowed = access.allowed_or_404(viewer, youth_id, purpose="youth")
    youth = (
        Youth.objects.prefetch_related(
            "guardians",
            Prefetch(
                "periods",
                queryset=FollowUpPeriod.objects.select_related("service", "responsible"),
                to_attr="all_periods",
            ),
        )
        .filter(pk=allowed.youth_id)
        .first()
    )
    if youth is None:  # deleted since its services were read
        raise Http404
    youth.all_periods = access.shown_periods(allowed, youth.all_periods)
    youth.allowed = allowed  # type: ignore[attr-defined]
    return youth


def youth_by_national_id(*, viewer: access.Viewer, national_id: str) -> Youth | None:
    """Look a youth up by identity number within the viewer's reach (typed with spaces or a
    dash, it finds the youth as registering stored it), by the number's blind index. A youth
    registered but not in reach (not followed by the viewer's services, or a protected identity
    the viewer is not cleared for) is not found, and the refused attempt is written to the
    access log."""
    number = national_id_matches(identity.normalise(national_id))
    found = access.reachable_youths(viewer).filter(number).first()
    if found is None:
        registered = Youth.objects.filter(number).values_list("pk", flat=True).first()
        if registered is not None:
            access.log_denied(viewer, registered, "youth-lookup")
    return found


def period_list(*, viewer: access.Viewer) -> QuerySet[FollowUpPeriod]:
    return access.own_service_periods(viewer).select_related("service", "responsible", "youth")


def service_list() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True)


def membership_list(*, user: Any) -> QuerySet[StaffMembership]:
    return (
        StaffMembership.objects.filter(user=user, ended_at__isnull=True)
        .select_related("service")
        .order_by("service__name", "role")
    )
