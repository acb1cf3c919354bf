"""Sessions end when idle too long and when too old, however busy: tested at several instants."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from core.models import AuditEntry

START = timezone.make_aware(datetime.datetime(2026, 3, 28, 22, 0))  # summer time starts that night


def _client_at(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _still_in(client: Client) -> bool:
    response = client.get("/day/")
    return response.status_code == 200


@pytest.mark.parametrize(
    ("idle_minutes", "logged_in"),
    [(1, True), (29, True), (30, False), (31, False), (7 * 60, False)],
)
def test_a_session_idle_for_the_idle_timeout_ends(
    people: Any, settings: Any, idle_minutes: int, logged_in: bool
) -> None:
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    with time_machine.travel(START, tick=False):
        client = _client_at(people.nav_advisor)
        assert _still_in(client)
    with time_machine.travel(START + datetime.timedelta(minutes=idle_minutes), tick=False):
        assert _still_in(client) is logged_in
    if not logged_in:
        [row] = AuditEntry.objects.filter(action="logout")
        assert row.actor == people.nav_advisor and row.data["reason"] == "idle_timeout"


def test_a_busy_session_ends_at_the_absolute_timeout(people: Any, settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    settings.SESSION_ABSOLUTE_TIMEOUT_HOURS = 2
    with time_machine.travel(START, tick=False):
        client = _client_at(people.nav_advisor)
        assert _still_in(client)
    # A request every 20 minutes keeps it alive until two hours after the first.
    for minutes in (20, 40, 60, 80, 100, 119):
        with time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False):
            assert _still_in(client), minutes
    with time_machine.travel(START + datetime.timedelta(minutes=120), tick=False):
        response = client.get("/day/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    [row] = AuditEntry.objects.filter(action="logout")
    assert row.data["reason"] == "absolute_timeout"


def test_an_api_call_on_an_idle_session_answers_401(people: Any, settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    with time_machine.travel(START, tick=False):
        client = _client_at(people.nav_advisor)
        assert client.get("/api/v1/me/memberships/").status_code == 200
    with time_machine.travel(START + datetime.timedelta(minutes=45), tick=False):
        assert client.get("/api/v1/me/memberships/").status_code == 401
