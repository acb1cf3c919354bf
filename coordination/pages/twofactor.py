"""The second step of a password log-in: the TOTP code, or setting up the authenticator.

Until the code is given, a password session reaches only this page, the log-out and the
language switch; every other page sends it here.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

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
            return redirect(f"{reverse('login-totp')}?next={request.get_full_path()}")
        return self.get_response(request)


def _pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed device being set up, kept until its first code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="Samordna", confirmed=False)


def _qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@login_required
def totp(request: HttpRequest) -> HttpResponse:
    """Give the code, or set up the authenticator first (its QR code and secret shown here)."""
    user = request.user
    confirmed = twofactor.confirmed_device(user)
    setting_up = confirmed is None
    device = _pending_device(user) if confirmed is None else confirmed
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            twofactor.code_verified(request, user)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = reverse("landing")
            return redirect(target)
        twofactor.code_failed(request, user)
        form.add_error("otp_token", _("Feil kode. Prøv igjen med koden som vises nå."))
    context: dict[str, Any] = {"form": form, "setting_up": setting_up}
    if setting_up:
        context["qr"] = _qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "registration/totp.html", context)
