"""TOTP two-factor after a password: a device made only on the server (``manage.py
totp_enrol``), its code asked at each password log-in and by the token endpoint; required in
production, for those with a device in development."""

from __future__ import annotations

import datetime
import io
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from coordination.pages.twofactor import code_page_url
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


def _enrol(user: Any) -> TOTPDevice:
    """The administrator's ``manage.py totp_enrol``; the device from the URI it printed."""
    out = io.StringIO()
    call_command("totp_enrol", user.get_username(), stdout=out)
    device = TOTPDevice.objects.get(user=user)
    assert device.config_url in out.getvalue()
    return device


def test_the_enrol_command_makes_a_confirmed_device_and_prints_its_uri_once(
    advisor: Any,
) -> None:
    out = io.StringIO()
    call_command("totp_enrol", "ingrid.nav", stdout=out)
    device = TOTPDevice.objects.get(user=advisor)
    assert device.confirmed
    printed = out.getvalue()
    assert printed.count(device.config_url) == 1
    assert device.config_url.startswith("otpauth://totp/")
    assert "\u2588" in printed or "\u2580" in printed  # the QR code, in block characters
    entry = AuditEntry.objects.get(action="totp_device.enrolled")
    assert entry.data == {"replaced": False, "method": "totp"}
    assert device.key not in str(entry.data)
    # A second run refuses; --replace makes a new key and deletes the old device.
    with pytest.raises(CommandError, match="already has"):
        call_command("totp_enrol", "ingrid.nav", stdout=io.StringIO())
    call_command("totp_enrol", "ingrid.nav", "--replace", stdout=io.StringIO())
    replaced = TOTPDevice.objects.get(user=advisor)
    assert replaced.pk != device.pk and replaced.key != device.key
    with pytest.raises(CommandError, match="No user"):
        call_command("totp_enrol", "nobody", stdout=io.StringIO())


def test_the_web_never_enrols_a_device_with_the_password_alone(advisor: Any, settings: Any) -> None:
    settings.LOCAL_PASSWORD_TOTP_REQUIRED = True
    client = Client()
    page = _log_in(client)
    assert page.redirect_chain[-1][0].startswith("/login/totp/")
    assert page.status_code == 403
    text = page.content.decode()
    assert "manage.py totp_enrol" in text
    assert "data:image/svg" not in text and "otpauth" not in text
    assert 'name="otp_token"' not in text
    # A code posted anyway sets nothing up, and nothing else opens.
    assert client.post("/login/totp/", {"otp_token": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=advisor).exists()
    assert client.get("/day/").status_code == 302
    assert client.get("/api/v1/me/memberships/").status_code == 403


def test_where_required_a_password_log_in_asks_for_the_enrolled_devices_code(
    advisor: Any, settings: Any
) -> None:
    settings.LOCAL_PASSWORD_TOTP_REQUIRED = True
    device = _enrol(advisor)
    client = Client()
    with time_machine.travel(START, tick=False):
        page = _log_in(client)
        assert page.redirect_chain[-1][0].startswith("/login/totp/")
        assert "data:image/svg" not in page.content.decode()
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
    failed = AuditEntry.objects.get(action="login.failed")
    assert failed.actor == advisor and failed.data["method"] == "totp"
    assert AuditEntry.objects.filter(action="login.totp_verified", actor=advisor).count() == 1


def test_in_development_two_factor_is_asked_only_of_who_has_a_device(
    advisor: Any, people: Any, settings: Any
) -> None:
    settings.LOCAL_PASSWORD_TOTP_REQUIRED = False
    client = Client()
    _log_in(client)
    assert client.get("/day/").status_code == 200
    # No set-up offered on the web: the code page sends the user on.
    page = client.get("/login/totp/")
    assert page.status_code == 302 and page["Location"] == "/"
    assert not TOTPDevice.objects.exists()
    _enrol(advisor)
    other = Client()
    _log_in(other)
    assert other.get("/day/").status_code == 302


def test_the_page_asked_for_comes_back_whole_after_the_code(advisor: Any, settings: Any) -> None:
    settings.LOCAL_PASSWORD_TOTP_REQUIRED = True
    device = _enrol(advisor)
    client = Client()
    with time_machine.travel(START, tick=False):
        _log_in(client)
        asked = client.get("/youths/?q=a b&page=2")
        assert asked.status_code == 302
        location = asked["Location"]
        assert location == "/login/totp/?" + urlencode({"next": "/youths/?q=a%20b&page=2"})
        back = client.post(location, {"otp_token": _code(device, START)})
        assert back.status_code == 302 and back["Location"] == "/youths/?q=a%20b&page=2"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_the_code_page_goes_on_only_to_a_local_url(
    advisor: Any, settings: Any, target: str
) -> None:
    settings.LOCAL_PASSWORD_TOTP_REQUIRED = True
    device = _enrol(advisor)
    client = Client()
    with time_machine.travel(START, tick=False):
        _log_in(client)
        back = client.post(
            "/login/totp/?" + urlencode({"next": target}), {"otp_token": _code(device, START)}
        )
        assert back.status_code == 302 and back["Location"] == "/"


def test_the_code_page_link_carries_no_foreign_target(rf: Any) -> None:
    request = rf.get("/")
    assert code_page_url(request, "//evil.example/") == "/login/totp/"
    assert code_page_url(request, "/day/?a=1&b=2") == "/login/totp/?next=%2Fday%2F%3Fa%3D1%26b%3D2"


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
