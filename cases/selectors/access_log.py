"""The access log as the privacy officer reads it, and the item a read records in it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cases import access
from cases.models import StaffMembership, StaffRole
from consent.models import AccessLogEntry


def access_log_for_privacy_officer(*, user: Any) -> QuerySet[AccessLogEntry]:
    """Access-log rows of the staff of the services where the user is privacy officer."""
    services = StaffMembership.objects.filter(
        user=user, ended_at__isnull=True, role=StaffRole.PRIVACY_OFFICER
    ).values("service_id")
    return (
        AccessLogEntry.objects.filter(party_id__in=services)
        .select_related("party")
        .order_by("-at", "-id")
    )


def item(kind: str, obj: Any, category: str) -> dict[str, Any]:
    return {"type": kind, "id": str(obj.pk), "category": category, "basis": access.basis_of(obj)}
