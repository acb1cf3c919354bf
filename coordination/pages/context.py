"""The navigation every page shows: staff links by role, or the youth's own page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cases.models import CASELOAD_ROLES, ServiceKind, StaffMembership, StaffRole


def current_memberships(user: Any) -> Any:
    """Every role the user holds now, in any active service (the privacy officer's too)."""
    return StaffMembership.objects.filter(
        user=user, ended_at__isnull=True, service__is_active=True
    ).select_related("service")


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not hasattr(request, "_navigation"):
        memberships = list(current_memberships(user))
        roles = {m.role for m in memberships}
        request._navigation = {  # type: ignore[attr-defined]
            "nav_staff": bool(memberships),
            "nav_caseload": bool(roles & set(CASELOAD_ROLES)),
            "nav_reports": any(
                m.service.kind == ServiceKind.NAV and m.role in CASELOAD_ROLES for m in memberships
            ),
            "nav_manager": StaffRole.MANAGER in roles,
            "nav_privacy": StaffRole.PRIVACY_OFFICER in roles,
            "nav_portal": user.portal_accounts.exists() if not memberships else False,
        }
    return request._navigation  # type: ignore[attr-defined]
