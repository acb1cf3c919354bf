"""Log-in: local passwords where allowed, lock-out per username and per address on the log-in
page and the admin, and every log-in, failure, lock-out and log-out in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from core.models import AuditEntry

PASSWORD = "hemmelig-passord"


@pytest.fixture
def advisor(people: Any) -> Any:
    people.nav_advisor.set_password(PASSWORD)
    people.nav_advisor.save()
    return people.nav_advisor


def _post(client: Client, path: str, username: str, password: str, **extra: Any) -> Any:
    return client.post(path, {"username": username, "password": password}, **extra)


def _rows(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_password_log_in_and_log_out_are_audited_with_method_and_address(
    advisor: Any,
) -> None:
    client = Client(REMOTE_ADDR="10.1.0.1")
    assert _post(client, "/login/", "ingrid.nav", PASSWORD).status_code == 302
    client.post("/logout/")
    [login] = _rows("login.succeeded")
    assert login.actor == advisor
    assert login.data == {
        "method": "password",
        "backend": "core.logins.LocalPasswordBackend",
        "address": "10.1.0.1",
        "path": "/login/",
    }
    [logout] = _rows("logout")
    assert logout.actor == advisor and logout.data["method"] == "password"


def test_a_failed_log_in_keeps_no_password_and_no_unknown_username(advisor: Any) -> None:
    client = Client(REMOTE_ADDR="10.1.0.2")
    _post(client, "/login/", "ingrid.nav", "feil-passord")
    _post(client, "/login/", "feil-passord-i-brukerfeltet", "x")
    known, unknown = _rows("login.failed")
    assert known.actor == advisor
    assert known.data == {
        "method": "password",
        "known_user": True,
        "address": "10.1.0.2",
        "path": "/login/",
    }
    assert unknown.actor is None and unknown.data["known_user"] is False
    text = str([row.data for row in AuditEntry.objects.all()])
    assert "feil-passord" not in text and PASSWORD not in text


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_repeated_failures_lock_out_the_username_whatever_the_address(
    advisor: Any, settings: Any, path: str
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    answers = [
        _post(Client(REMOTE_ADDR=f"10.2.0.{n}"), path, "ingrid.nav", "feil").status_code
        for n in range(3)
    ]
    assert answers == [200, 200, 429]
    locked = _post(Client(REMOTE_ADDR="10.2.0.99"), path, "ingrid.nav", PASSWORD)
    assert locked.status_code == 429
    assert "For mange mislykkede forsøk" in locked.content.decode()
    rows = _rows("login.locked_out")  # the locking failure, and each try while locked
    assert rows and {(row.actor, row.data["path"]) for row in rows} == {(advisor, path)}
    assert not _rows("login.succeeded")


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_repeated_failures_lock_out_the_address_whatever_the_username(
    advisor: Any, settings: Any, path: str
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="10.3.0.1")
    answers = [_post(client, path, f"ukjent{n}", "feil").status_code for n in range(3)]
    assert answers == [200, 200, 429]
    assert _post(client, path, "ingrid.nav", PASSWORD).status_code == 429
    assert (
        _post(Client(REMOTE_ADDR="10.3.0.2"), "/login/", "ingrid.nav", PASSWORD).status_code == 302
    )
    rows = _rows("login.locked_out")
    assert rows and {row.data["address"] for row in rows} == {"10.3.0.1"}


def test_the_lock_out_ends_after_the_cool_off(advisor: Any, settings: Any) -> None:
    import datetime

    import time_machine
    from django.utils import timezone

    settings.AXES_FAILURE_LIMIT = 2
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(2):
            _post(Client(), "/login/", "ingrid.nav", "feil")
        assert _post(Client(), "/login/", "ingrid.nav", PASSWORD).status_code == 429
    # A failure during the lock-out started the cool-off again (at start).
    later = start + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert _post(Client(), "/login/", "ingrid.nav", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", "Innlogging med brukernavn og passord er slått av."),
        ("en", "Log-in with username and password is turned off."),
    ],
)
def test_the_log_in_page_refuses_passwords_where_they_are_off(
    advisor: Any, settings: Any, language: str, message: str
) -> None:
    settings.LOCAL_PASSWORD_LOGIN = False
    response = _post(Client(), "/login/", "ingrid.nav", PASSWORD, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not _rows("login.succeeded")


def test_only_a_break_glass_superuser_uses_a_password_where_they_are_off(
    people: Any, settings: Any
) -> None:
    settings.LOCAL_PASSWORD_LOGIN = False
    settings.LOCAL_PASSWORD_BREAK_GLASS_USERS = ["nodadmin", "ingrid.nav"]
    admin = people.nav_advisor.__class__.objects.create_superuser("nodadmin", password=PASSWORD)
    people.nav_advisor.set_password(PASSWORD)
    people.nav_advisor.save()
    assert _post(Client(), "/admin/login/", "nodadmin", PASSWORD).status_code == 302
    # Named, but not a superuser: refused.
    assert _post(Client(), "/login/", "ingrid.nav", PASSWORD).status_code == 200
    assert [row.actor for row in _rows("login.succeeded")] == [admin]
