"""Log-in, log-out and the landing page that sends each person where their work is."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cases import demo as cases_demo
from cases.models import CASELOAD_ROLES, StaffRole
from coordination import demo
from coordination.pages.context import current_memberships


class LoginView(auth_views.LoginView):
    """Local accounts for staff and for youths. An OIDC provider (ID-porten) would be a second
    button here that ends in the same session (docs/architecture.md)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if settings.DEBUG:
            context["demo_logins"] = demo.logins()
            context["demo_password"] = cases_demo.DEMO_PASSWORD
        return context


def landing(request: HttpRequest) -> HttpResponse:
    """Staff land on their day (privacy officers on the access log), youths on their own page;
    anyone else is asked to log in."""
    if not request.user.is_authenticated:
        return redirect("login")
    roles = {m.role for m in current_memberships(request)}
    if roles & set(CASELOAD_ROLES):
        return redirect("pages:day")
    if StaffRole.PRIVACY_OFFICER in roles:
        return redirect("pages:access-log")
    if request.user.portal_accounts.exists():
        return redirect("portal:home")
    return render(request, "home.html")
