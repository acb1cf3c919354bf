"""API tokens: made for staff with a password, shown once, stored as a digest, expiring,
revoked by their holder, a new password and the end of the last membership; throttled, locked
out after repeated failures, refused to accounts on Min side."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases import portal, services
from core.models import ApiToken, AuditEntry
from core.tokens import ApiTokenAuthentication, api_token_create
from tests import factories

TOKEN_URL = "/api/v1/auth/token/"
ME = "/api/v1/me/memberships/"
PASSWORD = "hemmelig-passord"


@pytest.fixture
def advisor(people: Any) -> Any:
    people.nav_advisor.set_password(PASSWORD)
    people.nav_advisor.save()
    return people.nav_advisor


def _obtain(api: APIClient, username: str = "ingrid.nav", password: str = PASSWORD, **extra: Any):
    return api.post(TOKEN_URL, {"username": username, "password": password, **extra}, format="json")


def _with(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_token_is_shown_once_and_only_its_digest_is_stored(advisor: Any, api: APIClient) -> None:
    response = _obtain(api)
    assert response.status_code == 200, response.content
    body = response.json()
    secret = body["token"]
    assert len(secret) >= 43  # 256 random bits
    assert _with(secret).get(ME).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, prefix FROM core_apitoken WHERE user_id = %s", [advisor.pk])
        rows = cursor.fetchall()
    assert rows == [(hashlib.sha256(secret.encode()).hexdigest(), secret[:8])]
    with connection.cursor() as cursor:  # the secret is in no column of the table
        cursor.execute(
            "SELECT count(*) FROM core_apitoken WHERE core_apitoken::text LIKE %s", [f"%{secret}%"]
        )
        assert cursor.fetchone() == (0,)
    listed = _with(secret).get("/api/v1/auth/tokens/").json()["results"]
    assert [row["prefix"] for row in listed] == [secret[:8]]
    assert "token" not in listed[0] and "digest" not in listed[0]
    assert AuditEntry.objects.filter(action="api_token.created", actor=advisor).count() == 1


def test_the_old_drf_token_table_is_gone(db: Any) -> None:
    assert "authtoken_token" not in connection.introspection.table_names()


def test_a_token_expires_after_the_configured_lifetime(advisor: Any, settings: Any) -> None:
    settings.API_TOKEN_LIFETIME_HOURS = 2
    made = timezone.now()
    with time_machine.travel(made, tick=False):
        secret = api_token_create(user=advisor).secret
    with time_machine.travel(made + datetime.timedelta(hours=2, seconds=-1), tick=False):
        assert _with(secret).get(ME).status_code == 200
    with time_machine.travel(made + datetime.timedelta(hours=2), tick=False):
        response = _with(secret).get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"


def test_the_holder_revokes_a_token(advisor: Any) -> None:
    issued = api_token_create(user=advisor)
    other = api_token_create(user=advisor)
    client = _with(other.secret)
    response = client.post(f"/api/v1/auth/tokens/{issued.token.pk}/revoke/")
    assert response.status_code == 200
    assert response.json()["revoked_reason"] == "revoked"
    assert _with(issued.secret).get(ME).status_code == 401
    assert client.get(ME).status_code == 200  # the other one still works


def test_a_token_of_someone_else_cannot_be_revoked(advisor: Any, people: Any) -> None:
    theirs = api_token_create(user=people.ot_counsellor)
    response = _with(api_token_create(user=advisor).secret).post(
        f"/api/v1/auth/tokens/{theirs.token.pk}/revoke/"
    )
    assert response.status_code == 404
    assert _with(theirs.secret).get(ME).status_code == 200


def test_a_new_password_revokes_the_users_tokens(advisor: Any) -> None:
    secret = api_token_create(user=advisor).secret
    advisor.set_password("et-helt-nytt-passord")
    advisor.save()
    assert _with(secret).get(ME).status_code == 401
    assert ApiToken.objects.get(user=advisor).revoked_reason == "password_changed"


def test_the_end_of_the_last_membership_revokes_the_users_tokens(people: Any) -> None:
    user = people.ot_counsellor
    secret = api_token_create(user=user).secret
    second = services.membership_add(
        actor=people.manager, user=user, service=people.elsewhere, role="CASEWORKER"
    )
    services.membership_end(
        actor=people.manager, membership=user.memberships.get(service=people.ot)
    )
    assert _with(secret).get(ME).status_code == 200  # still works in NAV Porsgrunn
    services.membership_end(actor=people.manager, membership=second)
    assert _with(secret).get(ME).status_code == 401
    assert ApiToken.objects.get(user=user).revoked_reason == "memberships_ended"
    revoked = AuditEntry.objects.get(action="api_token.revoked_all")
    assert revoked.actor == people.manager and revoked.data == {
        "reason": "memberships_ended",
        "count": 1,
    }


def test_an_account_on_min_side_gets_no_token(people: Any, api: APIClient) -> None:
    portal.account_create(youth=people.youth, username="ung.bruker", password=PASSWORD)
    response = _obtain(api, username="ung.bruker")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "portal_account"
    assert not ApiToken.objects.exists()


def test_a_user_without_a_membership_gets_no_token(people: Any, api: APIClient) -> None:
    user = factories.UserFactory(username="uten.rolle")
    user.set_password(PASSWORD)
    user.save()
    response = _obtain(api, username="uten.rolle")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_membership"


@pytest.mark.parametrize(
    ("language", "message"),
    [("nb", "Dette feltet er påkrevd."), ("en", "This field is required.")],
)
def test_a_token_request_without_a_password_answers_400_with_field_errors(
    people: Any, api: APIClient, language: str, message: str
) -> None:
    response = api.post(
        TOKEN_URL,
        {"username": "ingrid.nav", "extra": 1},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["password"] == [{"code": "required", "message": message}]
    assert fields["extra"][0]["code"] == "unknown_field"


@pytest.mark.parametrize(
    ("language", "message"),
    [("nb", "Feil brukernavn eller passord."), ("en", "Wrong username or password.")],
)
def test_a_wrong_password_answers_400_in_the_callers_language(
    advisor: Any, api: APIClient, language: str, message: str
) -> None:
    response = api.post(
        TOKEN_URL,
        {"username": "ingrid.nav", "password": "feil"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid_credentials", "message": message}


def test_the_token_endpoint_is_throttled_per_address(
    advisor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rest_framework.throttling import ScopedRateThrottle

    # The rates are read into the class when DRF is imported; put back after the test.
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "auth-token": "3/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    answers = [_obtain(APIClient()).status_code for _ in range(4)]
    other_address = _obtain(APIClient(REMOTE_ADDR="10.0.0.9")).status_code
    assert answers == [200, 200, 200, 429]
    assert other_address == 200


def test_repeated_failures_lock_out_the_username_on_the_token_endpoint(
    advisor: Any, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    answers = [
        _obtain(APIClient(REMOTE_ADDR=f"10.0.1.{n}"), password="feil").status_code for n in range(3)
    ]
    assert answers == [400, 400, 429]
    # The right password from a fresh address: the username stays locked.
    locked = _obtain(APIClient(REMOTE_ADDR="10.0.1.99"))
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
    assert AuditEntry.objects.filter(action="login.locked_out", actor=advisor).exists()
    assert not ApiToken.objects.exists()


def test_repeated_failures_lock_out_the_address_on_the_token_endpoint(
    advisor: Any, people: Any, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    api = APIClient(REMOTE_ADDR="10.0.2.1")
    answers = [_obtain(api, username=f"ukjent{n}", password="feil").status_code for n in range(3)]
    assert answers == [400, 400, 429]
    assert _obtain(api).status_code == 429  # a known user with the right password, same address
    assert _obtain(APIClient(REMOTE_ADDR="10.0.2.2")).status_code == 200


def test_password_tokens_are_refused_where_local_passwords_are_off(
    advisor: Any, api: APIClient, settings: Any
) -> None:
    settings.LOCAL_PASSWORD_LOGIN = False
    response = _obtain(api)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "password_login_off"


def test_token_authentication_is_one_query_by_the_digests_index(advisor: Any) -> None:
    secrets = [api_token_create(user=advisor).secret for _ in range(3)]
    for secret in secrets:
        with CaptureQueriesContext(connection) as captured:
            user, _token = ApiTokenAuthentication().authenticate_credentials(secret)
        assert user == advisor and len(captured) == 1
    index_columns = [
        c["columns"]
        for c in connection.introspection.get_constraints(
            connection.cursor(), "core_apitoken"
        ).values()
        if c["index"] or c["unique"]
    ]
    assert ["digest"] in index_columns
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT * FROM core_apitoken WHERE digest = %s AND revoked_at IS NULL",
            [hashlib.sha256(secrets[0].encode()).hexdigest()],
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "core_apitoken_digest" in plan


def test_a_token_request_counts_the_same_queries_however_many_tokens_exist(advisor: Any) -> None:
    counts = []
    for existing in (3, 30):
        ApiToken.objects.filter(~Q(user=None)).delete()
        made = [api_token_create(user=advisor) for _ in range(existing)]
        client = _with(made[-1].secret)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(ME).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
