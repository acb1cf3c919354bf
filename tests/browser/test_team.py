"""A manager invites a new staff member in Chromium, and the invited person accepts by logging
in through a real OpenID Connect provider (tests/oidc/provider.mjs, its own process), landing
at work with the invited role. The staff page and the invitation page pass axe-core's checks."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from cases.models import ExternalSubject, StaffMembership, StaffRole
from core.models import AuditEntry
from tests.oidc.provider import Provider

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def staff_oidc_on(settings: Any, provider: Provider) -> Provider:
    settings.SAMORDNA_OIDC = provider.settings()
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "cases.invitations.StaffInvitationBackend",  # as settings.py lists for staff
        "cases.oidc.IdportenBackend",
    ]
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(provider.issuer)
    settings.CONTENT_SECURITY_POLICY = policy
    return provider


def test_a_manager_invites_and_the_new_colleague_accepts_through_the_provider(
    people: Any, staff_oidc_on: Provider, open_session: Any
) -> None:
    manager = open_session()
    page = manager.log_in("hilde.nav")
    page.get_by_role("link", name="Ansatte").click()
    expect(page.get_by_role("heading", name="Ansatte i NAV Skien")).to_be_visible()
    manager.check_page()

    page.get_by_label("Fornavn").fill("Nora")
    page.get_by_label("Etternavn").fill("Berg")
    page.get_by_label("E-post").fill("nora.berg@nav.example")
    page.get_by_label("Rolle:", exact=True).select_option("COORDINATOR")
    page.get_by_role("button", name="Send invitasjon").click()
    expect(page.get_by_text("Invitasjonen er sendt til nora.berg@nav.example.")).to_be_visible()
    expect(page.get_by_role("cell", name="nora.berg@nav.example", exact=True)).to_be_visible()
    manager.screenshot("team-01-invited")
    manager.check_page()

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/invitation/\S+/", message.body)
    assert link is not None
    path = "/" + link.group(0).split("/", 3)[3]

    invited = open_session()
    page = invited.page
    page.goto(path)
    expect(page.get_by_role("heading", name="Invitasjon til NAV Skien")).to_be_visible()
    invited.check_page()
    invited.screenshot("team-02-invitation")
    page.get_by_role("button", name="Godta og logg inn med organisasjonens konto").click()
    page.get_by_label("Subject").fill("entra-nora")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Min dag")).to_be_visible()
    expect(page.get_by_text("Velkommen! Invitasjonen er godtatt.")).to_be_visible()
    invited.screenshot("team-03-accepted")

    link_row = ExternalSubject.objects.get(issuer=staff_oidc_on.issuer, subject="entra-nora")
    membership = StaffMembership.objects.get(user=link_row.user, ended_at__isnull=True)
    assert membership.role == StaffRole.COORDINATOR and membership.service == people.nav
    assert AuditEntry.objects.filter(action="staff_invitation.accepted").exists()

    # The link worked once.
    again = open_session()
    again.page.goto(path)
    expect(again.page.get_by_text("Invitasjonen er allerede brukt")).to_be_visible()

    # The manager sees the new colleague on the page.
    manager.page.reload()
    expect(manager.page.get_by_role("cell", name="Nora Berg", exact=True)).to_be_visible()
    manager.check_page()
