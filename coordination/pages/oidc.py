"""The log-in pages of OpenID Connect: the start (to the provider), the callback (back from it)
and the page that says why a log-in was refused. The rules are in ``cases.oidc``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from cases import oidc
from cases.invitations import SESSION_KEY
from core import logins

# A refusal of the person is a 403; a broken or stale attempt is a 400.
_STATUS = {
    "unknown_staff": 403,
    "inactive": 403,
    "level": 403,
    "staff_level": 403,
    "not_known": 403,
}


def _configured(client: str) -> None:
    if oidc.client_config(client) is None:
        raise Http404


def refused(request: HttpRequest, client: str, reason: str) -> HttpResponse:
    return render(
        request,
        "registration/oidc_refused.html",
        {"reason": reason, "client": client, "login_url": reverse(f"oidc-{client}-login")},
        status=_STATUS.get(reason, 400),
    )


class LoginStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a new state, nonce and PKCE challenge."""

    client = ""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the library's reads its settings here; ours, in get

    def get_settings(self, attr: str, *default: Any) -> Any:
        return oidc.client_setting(self.client, attr, *default)

    def get(self, request: HttpRequest) -> HttpResponse:
        _configured(self.client)
        if request.GET.get("for") != "invitation":
            # An invitation is accepted only by the log-in its page started: one left in the
            # session by a log-in given up at the provider must not go to whoever logs in
            # next in this browser.
            request.session.pop(SESSION_KEY, None)
        self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


class Callback(OIDCAuthenticationCallbackView):
    """The provider's answer: the code is exchanged and the ID token checked (``cases.oidc``);
    the user is logged in with Django's ``login`` (so the log-in is recorded like any other), or
    told why not."""

    client = ""

    def get_settings(self, attr: str, *default: Any) -> Any:
        if attr == "LOGIN_REDIRECT_URL":
            return "landing"
        return oidc.client_setting(self.client, attr, *default)

    def get(self, request: HttpRequest) -> HttpResponse:
        _configured(self.client)
        # Outside the password lock-out: a refusal here does not lock the address out.
        logins.provider_log_in(request, oidc.METHODS[self.client])
        try:
            return super().get(request)
        except SuspiciousOperation:
            # A state this browser did not start, or one already used: replayed or stale.
            return refused(request, self.client, "state")

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        self.request.session["oidc_client"] = self.client
        acr = getattr(self.request, "oidc_acr", "")
        if acr:
            self.request.session[oidc.ACR_SESSION_KEY] = acr
        return response

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, "login_refusal", None)
        if reason is None:
            reason = "cancelled" if self.request.GET.get("error") else "state"
        return refused(self.request, self.client, reason)


def end_session_url(request: HttpRequest) -> str | None:
    """Where to send the browser after the log-out of a user who came through a provider with
    an end-session endpoint (RP-initiated log-out), or None. Staff's ID token goes along as the
    hint; ID-porten's does not, as it carries the identity number (the provider asks the person
    instead)."""
    client = request.session.get("oidc_client")
    config = oidc.client_config(client) if client in oidc.CLIENTS else None
    if config is None or not config["end_session_endpoint"]:
        return None
    params = {
        "client_id": config["client_id"],
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    id_token = request.session.get("oidc_id_token")
    if client == oidc.STAFF and id_token:
        params["id_token_hint"] = id_token
    return f"{config['end_session_endpoint']}?{urlencode(params)}"
