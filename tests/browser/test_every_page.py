"""Every page, on a phone (375 px), as someone it is for: axe-core finds no violation and
nothing scrolls sideways.

The pages are the permission matrix's routes (``tests/test_permission_matrix.MATRIX``, which
every route of the URL conf must have): each page that answers a GET with HTML for one of the
roles it allows is opened as the first such role, so a new page is walked without being added
here. *Min side* is opened as the youth and as the guardian of a minor; the log-in page
anonymously."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from cases import portal
from cases.models import PortalAccount
from tests import factories
from tests.test_permission_matrix import FAST_HASHERS, MATRIX, ROLES, _shared_records

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}


def _logged_in(open_session: Any, user: Any) -> Any:
    """A phone-sized tab holding ``user``'s session (made by Django's test client, so the walk
    does not pay a log-in per role)."""
    session = open_session(PHONE)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        session.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": session.base_url}]
        )
    return session


def _html_for(user: Any, url: str) -> bool:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
def test_every_page_passes_axe_and_fits_a_phone(open_session: Any) -> None:
    from tests.conftest import build_people

    people = build_people()
    _shared_records(people)
    # The shared records give the youth a Min side account (the youth asks to change an
    # activity there).
    youth_user = PortalAccount.objects.get(youth=people.youth, guardian__isnull=True).user
    minor = factories.register_youth(
        people.ot_counsellor, people.ot, birth_date=factories.years_ago(16), first_name="Selma"
    )
    guardian = factories.parent(people.ot_counsellor, minor, "Leila Ahmed")
    guardian_user = portal.account_create(
        youth=minor, guardian=guardian, username="leila.mor", password="passord-123"
    ).user

    pages: list[tuple[str, Any, str]] = [("login", None, "/login/")]
    for (name, method), case in sorted(MATRIX.items()):
        if method != "get" or not case.session or name == "login":
            continue
        url = case.path(people)
        role = next(
            (r for r in ROLES if r in case.allowed and r != "anonymous" and case.ok == 200), None
        )
        if role is not None and _html_for(getattr(people, role), url):
            pages.append((name, getattr(people, role), url))
    pages += [
        ("portal:home", youth_user, "/me/"),
        ("portal:youth", youth_user, f"/me/{people.youth.pk}/"),
        ("portal:youth (guardian)", guardian_user, f"/me/{minor.pk}/"),
    ]
    walked = {name for name, _user, _url in pages}
    # The pages a person works on are all walked (a route that stops answering HTML for its
    # roles would otherwise drop out of the walk unnoticed).
    assert {"pages:day", "pages:caseload", "pages:youth", "pages:plan", "pages:referral"} <= walked
    assert len(pages) >= 20, sorted(walked)

    sessions: dict[Any, Any] = {}
    failures = []
    for name, user, url in pages:
        key = user.pk if user is not None else None
        if key not in sessions:
            sessions[key] = _logged_in(open_session, user)
        session = sessions[key]
        session.page.goto(url)
        try:
            session.check_page()
        except AssertionError as error:
            failures.append(f"{name} ({url}): {error}")
    assert not failures, "\n".join(failures)
