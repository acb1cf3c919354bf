"""The navigation every page shows: staff links by role, or the youth's own page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cases.access import Membership
from cases.middleware import viewer_of
from cases.models import CASELOAD_ROLES, STAFF_MANAGING_ROLES, ServiceKind, StaffRole


def current_memberships(request: HttpRequest) -> list[Membership]:
    """Every role the request's user holds now, in any active service (the privacy officer's
    too): the request's viewer's, loaded once for the request."""
    return [m for m in viewer_of(request).memberships if m.service_is_active]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not hasattr(request, "_navigation"):
        memberships = current_memberships(request)
        roles = {m.role for m in memberships}
        request._navigation = {  # type: ignore[attr-defined]
            "nav_staff": bool(memberships),
            "nav_caseload": bool(roles & set(CASELOAD_ROLES)),
            "nav_reports": any(
                m.service_kind == ServiceKind.NAV and m.role in CASELOAD_ROLES for m in memberships
            ),
            "nav_manager": StaffRole.MANAGER in roles,
            "nav_team": bool(roles & set(STAFF_MANAGING_ROLES)),
            "nav_privacy": StaffRole.PRIVACY_OFFICER in roles,
            "nav_portal": user.portal_accounts.exists() if not memberships else False,
        }
    return request._navigation  # type: ignore[attr-defined]
