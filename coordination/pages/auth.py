"""Log-in, log-out and the landing page that sends each person where their work is."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render

from cases import demo as cases_demo
from cases.models import CASELOAD_ROLES, StaffRole
from coordination import demo
from coordination.pages.context import current_memberships
from coordination.pages.oidc import end_session_url
from core import logins


class LoginForm(AuthenticationForm):
    """Username and password, refused with a clear message where local passwords are off
    (``core.logins``); a lock-out is answered by ``locked_out``."""

    def clean(self) -> dict[str, Any]:
        if not logins.password_login_allowed(self.data.get("username")):
            raise ValidationError(logins.PASSWORD_LOGIN_OFF, code="password_login_off")
        return super().clean()


class LoginView(auth_views.LoginView):
    """Local accounts, and a button for each OpenID Connect provider that is configured: staff
    through their organisation's, youths and guardians through ID-porten (docs/login.md).
    Where two-factor applies to a local account, the code page follows."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_staff"] = "staff" in settings.SAMORDNA_OIDC
        context["oidc_idporten"] = "idporten" in settings.SAMORDNA_OIDC
        if settings.DEBUG:
            context["demo_logins"] = demo.logins()
            context["demo_password"] = cases_demo.DEMO_PASSWORD
        return context


class LogoutView(auth_views.LogoutView):
    """Ends the session here, then, for a user who came through a provider with an end-session
    endpoint, there too (RP-initiated log-out)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider_logout = end_session_url(request)  # read before the session is flushed
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_logout) if provider_logout else response


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a locked-out attempt: the API's own (429 in its error shape) is
    kept; the log-in page and the admin's say why, with 429."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    context = {"form": LoginForm(request), "locked_out": logins.LOCKED_OUT}
    return render(request, "registration/login.html", context, status=429)


def landing(request: HttpRequest) -> HttpResponse:
    """Staff land on their day (privacy officers on the access log, staff administrators on the
    staff page), youths on their own page; anyone else is asked to log in."""
    if not request.user.is_authenticated:
        return redirect("login")
    roles = {m.role for m in current_memberships(request)}
    if roles & set(CASELOAD_ROLES):
        return redirect("pages:day")
    if StaffRole.PRIVACY_OFFICER in roles:
        return redirect("pages:access-log")
    if StaffRole.ADMIN in roles:
        return redirect("pages:team-home")
    if request.user.portal_accounts.exists():
        return redirect("portal:home")
    return render(request, "home.html")
