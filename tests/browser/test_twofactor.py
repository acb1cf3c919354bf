"""A password log-in finished by a TOTP code in Chromium: the device made on the server
(``manage.py totp_enrol``), the code computed here from the printed ``otpauth://`` URI as an
authenticator app would, a wrong code refused, the right one letting the user in."""

from __future__ import annotations

import base64
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _authenticator(uri: str) -> Any:
    """The code an authenticator app shows now for the ``otpauth://`` URI."""
    query = parse_qs(urlsplit(uri).query)
    secret = query["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    period, digits = int(query.get("period", ["30"])[0]), int(query.get("digits", ["6"])[0])

    def code() -> str:
        return f"{totp(key, step=period, digits=digits):0{digits}d}"

    return code


def test_a_password_log_in_is_finished_by_the_code_of_the_enrolled_authenticator(
    people: Any, settings: Any, open_session: Any
) -> None:
    settings.LOCAL_PASSWORD_TOTP_REQUIRED = True  # as in production
    out = io.StringIO()
    call_command("totp_enrol", people.nav_advisor.username, stdout=out)
    uri = re.search(r"otpauth://\S+", out.getvalue())
    assert uri is not None
    code = _authenticator(uri.group(0))

    session = open_session()
    page = session.log_in(people.nav_advisor.username)
    expect(page).to_have_url(re.compile(r"/login/totp/"))
    expect(page.get_by_role("heading", name="Bekreft med engangskode")).to_be_visible()
    expect(page.locator("img")).to_have_count(0)  # no QR code: nothing is set up on the web
    page.goto("/day/")
    expect(page).to_have_url(re.compile(r"/login/totp/\?next=%2Fday%2F"))

    wrong = f"{(int(code()) + 500000) % 1000000:06d}"
    page.get_by_label("Engangskode").fill(wrong)
    page.get_by_role("button", name="Bekreft").click()
    expect(page.locator("#id_otp_token_error")).to_contain_text("Feil kode")
    session.screenshot("totp-01-wrong-code")

    page.wait_for_timeout(1500)  # django-otp waits a second after a wrong code
    page.get_by_label("Engangskode").fill(code())
    page.get_by_role("button", name="Bekreft").click()
    expect(page).to_have_url(re.compile(r"/day/$"))
    expect(page.get_by_role("heading", name="Min dag")).to_be_visible()
