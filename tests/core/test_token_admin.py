"""The admin lists API tokens by their first characters, never with a secret or its digest,
and revokes them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from core.models import ApiToken, AuditEntry
from core.tokens import api_token_create


def test_the_admin_lists_tokens_without_secrets_and_revokes_them(people: Any) -> None:
    issued = api_token_create(user=people.nav_advisor)
    superuser = get_user_model().objects.create_superuser("drift", password="x-hemmelig")
    client = Client()
    client.force_login(superuser)
    listing = client.get("/admin/core/apitoken/").content.decode()
    detail = client.get(f"/admin/core/apitoken/{issued.token.pk}/change/").content.decode()
    for page in (listing, detail):
        assert issued.token.prefix in page
        assert issued.secret not in page and issued.token.digest not in page
    assert client.get("/admin/core/apitoken/add/").status_code == 403
    response = client.post(
        "/admin/core/apitoken/",
        {"action": "revoke", "_selected_action": [str(issued.token.pk)]},
    )
    assert response.status_code == 302
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert token.revoked_at is not None and token.revoked_reason == "revoked"
    assert AuditEntry.objects.get(action="api_token.revoked").actor == superuser


def test_a_token_made_at_the_endpoint_is_audited_as_a_password_log_in(people: Any) -> None:
    from rest_framework.test import APIClient

    people.nav_advisor.set_password("hemmelig-passord")
    people.nav_advisor.save()
    response = APIClient(REMOTE_ADDR="10.9.0.1").post(
        "/api/v1/auth/token/",
        {"username": "ingrid.nav", "password": "hemmelig-passord"},
        format="json",
    )
    secret = response.json()["token"]
    [login] = AuditEntry.objects.filter(action="login.succeeded")
    assert login.actor == people.nav_advisor
    assert login.data == {
        "method": "password",
        "backend": "core.logins.LocalPasswordBackend",
        "address": "10.9.0.1",
        "path": "/api/v1/auth/token/",
    }
    assert secret not in str(list(AuditEntry.objects.values_list("data", flat=True)))
