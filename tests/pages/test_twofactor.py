"""TOTP two-factor after a password: set up with a QR code and a first code, then asked at each
password log-in and by the token endpoint; required in production, optional in development."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from core.models import AuditEntry

PASSWORD = "hemmelig-passord"
START = timezone.make_aware(datetime.datetime(2026, 5, 4, 9, 0))


def _code(device: TOTPDevice, at: datetime.datetime) -> str:
    """The code an authenticator shows at ``at`` (the clock is travelled there)."""
    assert timezone.now() == at
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _wrong(device: TOTPDevice, at: datetime.datetime) -> str:
    """A code other than the one shown at ``at``."""
    return f"{(int(_code(device, at)) + 500000) % 1000000:06d}"


@pytest.fixture
def advisor(people: Any) -> Any:
    people.nav_advisor.set_password(PASSWORD)
    people.nav_advisor.save()
    return people.nav_advisor


def _log_in(client: Client) -> Any:
    return client.post("/login/", {"username": "ingrid.nav", "password": PASSWORD}, follow=True)


def test_where_required_a_password_log_in_sets_up_and_then_asks_for_a_code(
    advisor: Any, settings: Any
) -> None:
    settings.LOCAL_PASSWORD_TOTP_REQUIRED = True
    client = Client()
    with time_machine.travel(START, tick=False):
        page = _log_in(client)
        assert page.redirect_chain[-1][0].startswith("/login/totp/")
        text = page.content.decode()
        assert 'src="data:image/svg+xml;base64,' in text
        device = TOTPDevice.objects.get(user=advisor, confirmed=False)
        assert client.get("/day/").status_code == 302  # nothing else until the code
        assert client.get("/api/v1/me/memberships/").status_code == 403
        wrong = client.post("/login/totp/", {"otp_token": _wrong(device, START)})
        assert wrong.status_code == 200 and "Feil kode" in wrong.content.decode()
    # django-otp waits a second after a wrong code before it tries another.
    retry = START + datetime.timedelta(seconds=5)
    with time_machine.travel(retry, tick=False):
        right = client.post("/login/totp/?next=/day/", {"otp_token": _code(device, retry)})
        assert right.status_code == 302 and right["Location"] == "/day/"
        assert client.get("/day/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    failed = AuditEntry.objects.get(action="login.failed")
    assert failed.actor == advisor and failed.data["method"] == "totp"
    assert AuditEntry.objects.filter(action="login.totp_verified", actor=advisor).count() == 1
    # The next log-in asks for a code from the confirmed device, no QR code.
    later = START + datetime.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        other = Client()
        page = _log_in(other)
        assert "data:image/svg" not in page.content.decode()
        assert other.get("/day/").status_code == 302
        assert other.post("/login/totp/", {"otp_token": _code(device, later)}).status_code == 302
        assert other.get("/day/").status_code == 200


def test_in_development_two_factor_is_asked_only_of_who_set_it_up(
    advisor: Any, settings: Any
) -> None:
    settings.LOCAL_PASSWORD_TOTP_REQUIRED = False
    client = Client()
    with time_machine.travel(START, tick=False):
        _log_in(client)
        assert client.get("/day/").status_code == 200
        page = client.get("/login/totp/")  # offered, not required
        assert 'src="data:image/svg+xml;base64,' in page.content.decode()
        device = TOTPDevice.objects.get(user=advisor)
        assert client.post("/login/totp/", {"otp_token": _code(device, START)}).status_code == 302
    with time_machine.travel(START + datetime.timedelta(minutes=2), tick=False):
        other = Client()
        _log_in(other)
        assert other.get("/day/").status_code == 302


def test_where_required_the_token_endpoint_asks_for_the_code(advisor: Any, settings: Any) -> None:
    settings.LOCAL_PASSWORD_TOTP_REQUIRED = True
    api = APIClient()
    body = {"username": "ingrid.nav", "password": PASSWORD}
    with time_machine.travel(START, tick=False):
        missing = api.post("/api/v1/auth/token/", body, format="json")
        assert missing.status_code == 400
        assert missing.json()["error"]["code"] == "otp_required"
        assert "otp_token" in missing.json()["error"]["fields"]
        not_set_up = api.post("/api/v1/auth/token/", {**body, "otp_token": "123456"}, format="json")
        assert not_set_up.json()["error"]["code"] == "otp_not_set_up"
        device = TOTPDevice.objects.create(user=advisor, name="app", confirmed=True)
        wrong = api.post(
            "/api/v1/auth/token/", {**body, "otp_token": _wrong(device, START)}, format="json"
        )
        assert wrong.json()["error"]["code"] == "otp_invalid"
    retry = START + datetime.timedelta(seconds=5)
    with time_machine.travel(retry, tick=False):
        right = api.post(
            "/api/v1/auth/token/", {**body, "otp_token": _code(device, retry)}, format="json"
        )
        assert right.status_code == 200 and right.json()["token"]


@pytest.mark.parametrize(
    ("language", "message"),
    [("nb", "Engangskoden er seks sifre."), ("en", "The one-time code is six digits.")],
)
def test_a_malformed_code_answers_400_with_a_field_error(
    advisor: Any, language: str, message: str
) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "ingrid.nav", "password": PASSWORD, "otp_token": "12ab"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["otp_token"] == [
        {"code": "invalid", "message": message}
    ]
