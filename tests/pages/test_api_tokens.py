"""A staff member's own API tokens from the session: made (the secret shown once), listed and
revoked on a page, with the same expiry as the token endpoint's; a *Min side* account gets
none."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cases import oidc
from cases.models import PortalAccount
from core import tokens
from core.models import ApiToken, AuditEntry
from tests import factories

START = timezone.make_aware(datetime.datetime(2026, 5, 4, 9, 0))


def _secret(page: str) -> str:
    found = re.search(r'id="new-token" readonly value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_staff_make_a_token_from_the_session_and_see_its_secret_once(
    people: Any, settings: Any
) -> None:
    settings.LOCAL_PASSWORD_LOGIN = False  # as in production: the token endpoint is closed
    settings.API_TOKEN_LIFETIME_HOURS = 48
    client = Client()
    client.force_login(people.nav_advisor)
    with time_machine.travel(START, tick=False):
        made = client.post("/account/api-tokens/")
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    secret = _secret(made.content.decode())
    token = ApiToken.objects.get(user=people.nav_advisor)
    assert token.digest == tokens.digest_of(secret) and secret.startswith(token.prefix)
    assert token.expires_at == START + datetime.timedelta(hours=48)
    assert AuditEntry.objects.filter(action="api_token.created", actor=people.nav_advisor).exists()
    # The secret works on the API, and is never shown again.
    with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
        api = Client(HTTP_AUTHORIZATION=f"Token {secret}")
        assert api.get("/api/v1/me/memberships/").status_code == 200
        listed = client.get("/account/api-tokens/").content.decode()
    assert secret not in listed and f"{token.prefix}…" in listed
    # Expired by the same rule as any token.
    with time_machine.travel(START + datetime.timedelta(hours=49), tick=False):
        expired = Client(HTTP_AUTHORIZATION=f"Token {secret}")
        assert expired.get("/api/v1/me/memberships/").status_code == 401


def test_staff_revoke_their_own_token_and_not_anothers(people: Any) -> None:
    own = tokens.api_token_create(user=people.nav_advisor)
    other = tokens.api_token_create(user=people.manager)
    client = Client()
    client.force_login(people.nav_advisor)
    assert client.post(f"/account/api-tokens/{other.token.pk}/revoke/").status_code == 404
    response = client.post(f"/account/api-tokens/{own.token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/account/api-tokens/"
    own.token.refresh_from_db()
    other.token.refresh_from_db()
    assert own.token.revoked_at is not None and own.token.revoked_reason == "revoked"
    assert other.token.revoked_at is None
    api = Client(HTTP_AUTHORIZATION=f"Token {own.secret}")
    assert api.get("/api/v1/me/memberships/").status_code == 401
    assert "Trukket tilbake" in client.get("/account/api-tokens/").content.decode()


def test_a_min_side_account_gets_no_token_page(people: Any, settings: Any) -> None:
    user = oidc.portal_user_for(
        issuer="https://idporten.example", subject="s", number=people.youth.national_id
    )
    client = Client()
    client.force_login(user)
    assert client.get("/account/api-tokens/").status_code == 403
    assert client.post("/account/api-tokens/").status_code == 403
    assert not ApiToken.objects.exists()


def test_staff_who_also_hold_a_min_side_account_are_told_and_get_none(people: Any) -> None:
    minor = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(15)
    )
    PortalAccount.objects.create(user=people.manager, youth=minor)
    client = Client()
    client.force_login(people.manager)
    page = client.post("/account/api-tokens/")
    assert page.status_code == 400
    assert "Min side" in page.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("count", [3, 30])
def test_the_token_list_takes_a_fixed_number_of_queries(
    people: Any, django_assert_num_queries: Any, count: int
) -> None:
    for _ in range(count):
        tokens.api_token_create(user=people.nav_advisor)
    client = Client()
    client.force_login(people.nav_advisor)
    client.get("/account/api-tokens/")  # the session's first request notes its start
    # session, user, memberships (the staff check and the menu), portal account and membership
    # (who may hold a token), the tokens
    with django_assert_num_queries(6):
        page = client.get("/account/api-tokens/")
    assert page.content.decode().count("<tr>") == count + 1
