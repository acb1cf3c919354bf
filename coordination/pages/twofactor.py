"""The second step of a password log-in: the TOTP code.

Until the code is given, a password session reaches only this page, the log-out and the
language switch; every other page sends it here. The page never sets up an authenticator: a
device is made out of band (``manage.py totp_enrol``, ``core.twofactor``); an account that
needs a code and has no device is told so, and gets no further.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login

from core import twofactor

OPEN_PATHS = ("login-totp", "logout", "set_language")


class CodeForm(forms.Form):
    otp_token = forms.RegexField(
        regex=r"^\d{6}$",
        label=_("Engangskode"),
        help_text=_("Seks sifre fra autentiseringsappen."),
        error_messages={"invalid": _("Engangskoden er seks sifre.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TwoFactorMiddleware:
    """After django-otp's middleware: a password session without its code goes to the code
    page (an API call through the session answers 403 there)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.open: set[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.open is None:
            self.open = {reverse(name) for name in OPEN_PATHS}
        if request.path not in self.open and twofactor.session_needs_code(request):
            if request.path.startswith("/api/"):
                return HttpResponse(status=403)
            return redirect(code_page_url(request, request.get_full_path()))
        return self.get_response(request)


def _safe(request: HttpRequest, target: str) -> bool:
    return url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    )


def code_page_url(request: HttpRequest, target: str) -> str:
    """The code page, with ``target`` (encoded) to go on to when it is a local URL."""
    page = reverse("login-totp")
    return f"{page}?{urlencode({'next': target})}" if _safe(request, target) else page


@login_required
def totp(request: HttpRequest) -> HttpResponse:
    """Give the code of the account's device. Without a device: a password log-in that needs a
    code is told that an administrator sets it up; one that needs none goes on."""
    user = request.user
    device = twofactor.confirmed_device(user)
    if device is None:
        if twofactor.session_needs_code(request):
            context = {"not_enrolled": twofactor.NOT_ENROLLED}
            return render(request, "registration/totp.html", context, status=403)
        return redirect("landing")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            otp_login(request, device)
            twofactor.code_verified(request, user)
            target = request.GET.get("next", "")
            return redirect(target if _safe(request, target) else reverse("landing"))
        twofactor.code_failed(request, user)
        form.add_error("otp_token", _("Feil kode. Prøv igjen med koden som vises nå."))
    return render(request, "registration/totp.html", {"form": form})
