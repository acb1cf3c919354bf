"""Handovers (stafett) the viewer's services take part in."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cases import access
from cases.models import Handover


def handover_list(*, viewer: access.Viewer) -> QuerySet[Handover]:
    mine = viewer.reach
    return (
        Handover.objects.filter(
            Q(access.screened(viewer, service="to_service_id"), to_service_id__in=mine)
            | Q(access.screened(viewer, service="period__service_id"), period__service_id__in=mine)
        )
        .select_related("youth", "to_service", "from_user", "to_user", "period__service")
        .order_by("-created_at")
    )


def handover_for_user(
    *, viewer: access.Viewer, handover_id: Any, purpose: str = "handover"
) -> Handover:
    """One handover the viewer's services take part in, else Http404 (a refused attempt
    logged: ``access.refused``)."""
    try:
        return handover_list(viewer=viewer).get(pk=handover_id)
    except (Handover.DoesNotExist, ValueError):
        raise access.refused(viewer, Handover, handover_id, purpose) from None
