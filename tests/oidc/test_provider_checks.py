"""What a log-in through a provider is checked for beyond the ID token itself, against the real
test provider: outside the password lock-out, the staff provider's acr and amr when asked for,
and the provider's keys kept in the cache and fetched again after a rotation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client

from cases import services
from cases.models import StaffInvitation, StaffMembership, StaffRole
from core.models import AuditEntry
from tests.oidc.provider import Provider
from tests.oidc.test_callback import link_staff, log_in, start

PASSWORD = "hemmelig-passord"
MFA = "https://refeds.org/profile/mfa"


def test_refused_provider_log_ins_are_audited_but_do_not_lock_out_the_address(
    client: Client, oidc_on: Provider, people: Any, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    people.nav_advisor.set_password(PASSWORD)
    people.nav_advisor.save()
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    for account in (
        {"sub": "entra-stranger"},
        {"sub": "entra-ingrid", "token": "wrong-audience"},
        {"sub": "entra-stranger"},
    ):
        assert log_in(client, oidc_on, "staff", **account).status_code in {400, 403}
    failed = AuditEntry.objects.filter(action="login.failed").order_by("at", "id")
    assert [(e.data["method"], e.data["reason"], e.data["address"]) for e in failed] == [
        ("oidc_staff", "unknown_staff", "127.0.0.1"),
        ("oidc_staff", "token", "127.0.0.1"),
        ("oidc_staff", "unknown_staff", "127.0.0.1"),
    ]
    assert not AccessAttempt.objects.exists()
    assert not AuditEntry.objects.filter(action="login.locked_out").exists()
    # The same address still logs in with a password, and a provider log-in works too.
    password = Client().post("/login/", {"username": "ingrid.nav", "password": PASSWORD})
    assert password.status_code == 302
    assert log_in(Client(), oidc_on, "staff", sub="entra-ingrid").status_code == 302


def test_password_failures_still_lock_out_the_address(
    oidc_on: Provider, people: Any, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        Client().post("/login/", {"username": "ingrid.nav", "password": "wrong"})
    assert Client().post("/login/", {"username": "x", "password": "y"}).status_code == 429


@pytest.mark.parametrize(
    ("amr", "allowed"), [("", False), ("pwd", False), ("pwd,mfa", True), ("mfa", True)]
)
def test_where_asked_staff_must_come_with_mfa_in_amr(
    oidc_on: Provider, people: Any, settings: Any, amr: str, allowed: bool
) -> None:
    settings.OIDC_STAFF_AMR_VALUES = ["mfa"]
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    client = Client()
    response = log_in(client, oidc_on, "staff", sub="entra-ingrid", amr=amr)
    if allowed:
        assert response.status_code == 302
        assert int(client.session["_auth_user_id"]) == people.nav_advisor.pk
    else:
        assert response.status_code == 403
        assert "tofaktor" in response.content.decode()
        assert "_auth_user_id" not in client.session
        entry = AuditEntry.objects.get(action="login.failed")
        assert entry.data["reason"] == "staff_level"


def test_where_asked_staff_must_come_at_the_acr_and_the_request_asks_for_it(
    oidc_on: Provider, people: Any, settings: Any
) -> None:
    settings.OIDC_STAFF_ACR_VALUES = [MFA]
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    assert "acr_values=https%3A%2F%2Frefeds.org%2Fprofile%2Fmfa" in start(Client(), "staff")
    lower = Client()
    refused = log_in(lower, oidc_on, "staff", sub="entra-ingrid", acr="idporten-loa-substantial")
    assert refused.status_code == 403
    assert "_auth_user_id" not in lower.session
    client = Client()
    assert log_in(client, oidc_on, "staff", sub="entra-ingrid", acr=MFA).status_code == 302


def test_the_staff_level_refusal_is_in_english_too(
    oidc_on: Provider, people: Any, settings: Any
) -> None:
    settings.OIDC_STAFF_AMR_VALUES = ["mfa"]
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    client = Client()
    client.cookies["django_language"] = "en"
    response = log_in(client, oidc_on, "staff", sub="entra-ingrid")
    assert "two-factor" in response.content.decode()


def test_the_providers_keys_are_fetched_once_and_again_after_a_rotation(
    oidc_on: Provider, people: Any
) -> None:
    cache.clear()
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    before = oidc_on.jwks_fetches()
    for _ in range(2):
        assert log_in(Client(), oidc_on, "staff", sub="entra-ingrid").status_code == 302
    assert oidc_on.jwks_fetches() == before + 1
    # The provider rotates its key: the kept JWKS lacks the new kid, so it is fetched once.
    oidc_on.rotate_key()
    assert log_in(Client(), oidc_on, "staff", sub="entra-ingrid").status_code == 302
    assert oidc_on.jwks_fetches() == before + 2
    assert log_in(Client(), oidc_on, "staff", sub="entra-ingrid").status_code == 302
    assert oidc_on.jwks_fetches() == before + 2


def test_the_kept_keys_expire_after_the_setting(
    oidc_on: Provider, people: Any, settings: Any
) -> None:
    cache.clear()
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    assert log_in(Client(), oidc_on, "staff", sub="entra-ingrid").status_code == 302
    before = oidc_on.jwks_fetches()
    cache.clear()  # as when OIDC_JWKS_CACHE_SECONDS have passed
    assert log_in(Client(), oidc_on, "staff", sub="entra-ingrid").status_code == 302
    assert oidc_on.jwks_fetches() == before + 1


def _invite(people: Any) -> str:
    """A manager invites Nora; the link in her e-mail."""
    from django.core import mail

    services.invitation_send(
        actor=people.manager,
        service=people.nav,
        email="nora.berg@nav.example",
        first_name="Nora",
        last_name="Berg",
        role=StaffRole.COORDINATOR,
    )
    link = re.search(r"/invitation/\S+/", mail.outbox[-1].body)
    assert link is not None
    return link.group(0)


def _accept_through_provider(client: Client, link: str) -> str:
    """The invitation page in ``client``, choosing the provider: where it sends the browser."""
    response = client.post(link, {"accept": "oidc"})
    assert response.status_code == 302
    return str(response["Location"])


def test_an_invitation_left_at_the_provider_is_not_accepted_by_the_next_log_in(
    client: Client, oidc_on: Provider, people: Any, settings: Any
) -> None:
    settings.AUTHENTICATION_BACKENDS = [
        b if b != "cases.oidc.StaffBackend" else "cases.invitations.StaffInvitationBackend"
        for b in settings.AUTHENTICATION_BACKENDS
    ]
    # Nora gives up at the provider; Ingrid then logs in in the same browser.
    link = _invite(people)
    _accept_through_provider(client, link)
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    assert log_in(client, oidc_on, "staff", sub="entra-ingrid").status_code == 302
    assert int(client.session["_auth_user_id"]) == people.nav_advisor.pk
    assert not StaffMembership.objects.filter(
        user=people.nav_advisor, role=StaffRole.COORDINATOR
    ).exists()
    assert StaffInvitation.objects.get().accepted_at is None

    # Started from the invitation page, the log-in accepts it.
    nora = Client()
    start_url = _accept_through_provider(nora, link)
    assert start_url.endswith("?for=invitation")
    back = oidc_on.authorize(str(nora.get(start_url)["Location"]), sub="entra-nora")
    assert nora.get(back.removeprefix("http://testserver")).status_code == 302
    accepted = StaffInvitation.objects.get()
    assert accepted.accepted_at is not None
    assert accepted.membership.role == StaffRole.COORDINATOR
    assert accepted.membership.user_id == int(nora.session["_auth_user_id"])
