"""Notification settings on a page: the reminder choice the API has, linked from the e-mail and
the menu, with the reminders not yet sent moved to the new send times."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from coordination.models import ReminderPreference
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "nb") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_staff_choose_a_daily_digest_on_the_page(people: Any) -> None:
    client = _client(people.nav_advisor)
    page = client.get("/settings/notifications/").content.decode()
    assert 'href="/settings/notifications/" aria-current="page"' in page  # in the menu
    assert 'value="IMMEDIATE"' in page and "checked" in page.split('value="IMMEDIATE"')[1][:40]

    response = client.post("/settings/notifications/", {"mode": "DAILY"}, follow=True)
    assert "Varslingen er lagret." in response.content.decode()
    assert ReminderPreference.objects.get(user=people.nav_advisor).mode == "DAILY"
    assert AuditEntry.objects.filter(
        action="reminder_preference.changed", actor=people.nav_advisor
    ).exists()
    api = Client()
    api.force_login(people.nav_advisor)
    assert api.get("/api/v1/me/reminder-preference/").json() == {"mode": "DAILY"}


@pytest.mark.parametrize(
    ("data", "language", "message"),
    [
        ({"mode": "WEEKLY"}, "nb", "Velg et av valgene."),
        ({}, "nb", "Velg når du vil ha påminnelser."),
        ({"mode": "WEEKLY"}, "en", "Choose one of the options."),
    ],
)
def test_a_choice_that_does_not_exist_is_refused_with_nothing_saved(
    people: Any, data: dict[str, str], language: str, message: str
) -> None:
    response = _client(people.nav_advisor, language).post("/settings/notifications/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReminderPreference.objects.filter(user=people.nav_advisor).exists()


def test_the_reminder_email_links_to_the_page_not_the_api() -> None:
    context = {"site_url": "https://samordna.example", "total": 0, "groups": [], "rows": []}
    for name in ("email/digest.txt", "email/digest.html"):
        text = render_to_string(name, context)
        assert "https://samordna.example/settings/notifications/" in text
        assert "/api/v1/me/reminder-preference/" not in text


def test_the_page_runs_a_fixed_number_of_queries(people: Any, count_queries: Any) -> None:
    client = _client(people.nav_advisor)
    with count_queries() as first:
        assert client.get("/settings/notifications/").status_code == 200
    client.post("/settings/notifications/", {"mode": "DAILY"})
    with count_queries() as second:
        assert client.get("/settings/notifications/").status_code == 200
    assert len(second.captured_queries) == len(first.captured_queries)
