"""Log-in through OpenID Connect at the HTTP level, against the real test provider: what the
callback does with a good answer, and the clear page (never a 500) for every bad one."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cases import oidc, services
from cases.models import ExternalSubject, GuardianRelation, PortalAccount
from core.models import AuditEntry
from tests import factories
from tests.oidc.provider import Provider

User = get_user_model()


def start(client: Client, name: str) -> str:
    response = client.get(f"/oidc/{name}/login/")
    assert response.status_code == 302
    return str(response["Location"])


def log_in(client: Client, provider: Provider, name: str, **account: Any) -> Any:
    back = provider.authorize(start(client, name), **account)
    assert back.startswith(f"http://testserver/oidc/{name}/callback/?")
    return client.get(back.removeprefix("http://testserver"))


def link_staff(provider: Provider, user: Any, subject: str) -> None:
    services.external_subject_link(actor=None, user=user, issuer=provider.issuer, subject=subject)


def minor_with_guardian(people: Any, *, responsibility: bool = True) -> tuple[Any, str]:
    minor = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(15), first_name="Sofie"
    )
    number = factories.synthetic_number(factories.years_ago(45))
    services.guardian_add(
        actor=people.nav_advisor,
        youth=minor,
        full_name="Tone Berg",
        relation=GuardianRelation.PARENT,
        has_parental_responsibility=responsibility,
        national_id=number,
    )
    return minor, number


def test_the_log_in_routes_are_not_found_when_no_provider_is_configured(
    client: Client, db: Any
) -> None:
    for path in ("/oidc/staff/login/", "/oidc/idporten/login/", "/oidc/staff/callback/"):
        assert client.get(path).status_code == 404


def test_the_authorization_request_carries_state_nonce_pkce_and_the_level(
    client: Client, oidc_on: Provider, db: Any
) -> None:
    location = start(client, "idporten")
    assert location.startswith(oidc_on.discovery["authorization_endpoint"] + "?")
    for param in ("state=", "nonce=", "code_challenge=", "code_challenge_method=S256"):
        assert param in location
    assert "acr_values=idporten-loa-high" in location
    assert "acr_values" not in start(client, "staff")


def test_staff_log_in_by_subject_and_keep_their_own_memberships(
    client: Client, oidc_on: Provider, people: Any
) -> None:
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    response = log_in(client, oidc_on, "staff", sub="entra-ingrid")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == people.nav_advisor.pk
    assert client.session["_auth_user_backend"] == "cases.oidc.StaffBackend"
    assert client.get("/").headers["Location"] == "/day/"  # the membership decides


@pytest.mark.parametrize("who", ["staff", "youth"])
def test_log_in_through_a_provider_works_where_local_passwords_are_off(
    client: Client, oidc_on: Provider, people: Any, settings: Any, who: str
) -> None:
    settings.LOCAL_PASSWORD_LOGIN = False  # as in production
    if who == "staff":
        link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
        response = log_in(client, oidc_on, "staff", sub="entra-ingrid")
        assert int(client.session["_auth_user_id"]) == people.nav_advisor.pk
    else:
        response = log_in(client, oidc_on, "idporten", sub="idp-emma", pid=people.youth.national_id)
        assert client.session["_auth_user_backend"] == "cases.oidc.IdportenBackend"
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_unknown_staff_subject_gets_a_page_and_no_account(
    client: Client, oidc_on: Provider, people: Any
) -> None:
    users = User.objects.count()
    response = log_in(client, oidc_on, "staff", sub="entra-stranger")
    assert response.status_code == 403
    assert "ikke registrert som ansatt" in response.content.decode()
    assert User.objects.count() == users
    assert not ExternalSubject.objects.filter(subject="entra-stranger").exists()
    assert "_auth_user_id" not in client.session


def test_a_staff_subject_of_another_issuer_is_not_the_same_person(
    client: Client, oidc_on: Provider, people: Any
) -> None:
    services.external_subject_link(
        actor=None, user=people.manager, issuer="https://elsewhere.example", subject="same-sub"
    )
    assert log_in(client, oidc_on, "staff", sub="same-sub").status_code == 403


def test_an_id_token_for_another_audience_is_refused(
    client: Client, oidc_on: Provider, people: Any
) -> None:
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    response = log_in(client, oidc_on, "staff", sub="entra-ingrid", token="wrong-audience")
    assert response.status_code == 400
    assert "ikke var gyldig" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_expired_id_token_is_refused(client: Client, oidc_on: Provider, people: Any) -> None:
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    response = log_in(client, oidc_on, "staff", sub="entra-ingrid", token="expired")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_replayed_state_is_refused(client: Client, oidc_on: Provider, people: Any) -> None:
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    back = oidc_on.authorize(start(client, "staff"), sub="entra-ingrid")
    path = back.removeprefix("http://testserver")
    assert client.get(path).status_code == 302
    client.logout()
    # The same answer again, in the same browser: the state was used up.
    again = client.get(path)
    assert again.status_code == 400
    assert "brukt før" in again.content.decode()
    # And in another browser, which never started it.
    elsewhere = Client()
    assert elsewhere.get(path).status_code == 400
    assert "_auth_user_id" not in client.session
    assert "_auth_user_id" not in elsewhere.session


def test_a_log_in_cancelled_at_the_provider_gets_a_page(
    client: Client, oidc_on: Provider, db: Any
) -> None:
    location = start(client, "staff")
    state = location.split("state=", 1)[1].split("&", 1)[0]
    response = client.get(f"/oidc/staff/callback/?error=access_denied&state={state}")
    assert response.status_code == 400
    assert "avbrutt" in response.content.decode()


def test_the_refusal_page_is_in_english_too(client: Client, oidc_on: Provider, people: Any) -> None:
    client.cookies["django_language"] = "en"
    response = log_in(client, oidc_on, "staff", sub="entra-stranger")
    assert "not registered as staff" in response.content.decode()


def test_a_youth_at_the_high_level_gets_a_portal_account_on_first_log_in(
    client: Client, oidc_on: Provider, people: Any, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    number = people.youth.national_id
    response = log_in(client, oidc_on, "idporten", sub="idp-emma", pid=number)
    assert response.status_code == 302
    account = PortalAccount.objects.get(youth=people.youth)
    assert account.guardian is None
    assert int(client.session["_auth_user_id"]) == account.user_id
    assert number not in account.user.username
    assert number not in caplog.text
    # The log-in's assurance level stays in the session, for what the youth does digitally.
    assert client.session["oidc_acr"] == "idporten-loa-high"
    assert client.get("/").headers["Location"] == "/me/"
    # The next log-in is the same user, with no second account.
    client.logout()
    log_in(client, oidc_on, "idporten", sub="idp-emma", pid=number)
    assert int(client.session["_auth_user_id"]) == account.user_id
    assert PortalAccount.objects.filter(youth=people.youth).count() == 1


def test_a_youth_below_the_high_level_is_refused_and_gets_no_account(
    client: Client, oidc_on: Provider, people: Any
) -> None:
    response = log_in(
        client,
        oidc_on,
        "idporten",
        sub="idp-emma",
        pid=people.youth.national_id,
        acr="idporten-loa-substantial",
    )
    assert response.status_code == 403
    assert "høyt sikkerhetsnivå" in response.content.decode()
    assert not PortalAccount.objects.exists()
    assert not ExternalSubject.objects.exists()


def test_a_guardian_with_parental_responsibility_of_a_minor_gets_a_guardians_account(
    client: Client, oidc_on: Provider, people: Any
) -> None:
    minor, number = minor_with_guardian(people)
    response = log_in(client, oidc_on, "idporten", sub="idp-tone", pid=number)
    assert response.status_code == 302
    account = PortalAccount.objects.get()
    assert (account.youth, account.guardian.full_name) == (minor, "Tone Berg")
    assert client.get("/me/").status_code in {200, 302}


def test_a_guardian_without_parental_responsibility_gets_no_account(
    client: Client, oidc_on: Provider, people: Any
) -> None:
    _minor, number = minor_with_guardian(people, responsibility=False)
    response = log_in(client, oidc_on, "idporten", sub="idp-tone", pid=number)
    assert response.status_code == 403
    assert not PortalAccount.objects.exists()


def test_someone_neither_youth_nor_guardian_gets_a_page_and_no_account(
    client: Client, oidc_on: Provider, people: Any
) -> None:
    users = User.objects.count()
    stranger = factories.synthetic_number(factories.years_ago(30))
    response = log_in(client, oidc_on, "idporten", sub="idp-stranger", pid=stranger)
    assert response.status_code == 403
    assert "Ingen konto er opprettet" in response.content.decode()
    assert User.objects.count() == users
    assert not ExternalSubject.objects.exists()


def test_a_staff_subject_does_not_log_in_through_id_porten(
    client: Client, oidc_on: Provider, people: Any
) -> None:
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    response = log_in(client, oidc_on, "idporten", sub="entra-ingrid", pid="")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_look_ups_of_a_log_in_take_a_fixed_number_of_queries(
    oidc_on: Provider, people: Any, django_assert_num_queries: Any
) -> None:
    minor, number = minor_with_guardian(people)
    config = oidc_on.settings()["idporten"]
    # First log-in: youth, guardians, subject, an existing account, the user, the subject
    # link, the links held, the new links, their audit entry; the savepoint and its release.
    with django_assert_num_queries(11):
        first = oidc.portal_user_for(issuer=config["issuer"], subject="idp-tone", number=number)
    with django_assert_num_queries(6):  # youth, guardians, subject, links held; savepoint
        again = oidc.portal_user_for(issuer=config["issuer"], subject="idp-tone", number=number)
    assert first == again
    assert PortalAccount.objects.get(user=first).youth == minor
    entry = AuditEntry.objects.get(action="portal_account.made")
    assert (entry.actor, entry.subject, entry.data) == (
        first,
        minor,
        {"method": "idporten", "as": "guardian"},
    )
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    backend = oidc.StaffBackend()
    with django_assert_num_queries(1):
        assert backend.user_for({"sub": "entra-ingrid"}) == people.nav_advisor


def test_a_log_in_is_refused_when_the_account_is_deactivated(
    client: Client, oidc_on: Provider, people: Any
) -> None:
    link_staff(oidc_on, people.nav_advisor, "entra-ingrid")
    people.nav_advisor.is_active = False
    people.nav_advisor.save(update_fields=["is_active"])
    response = log_in(client, oidc_on, "staff", sub="entra-ingrid")
    assert response.status_code == 403
    assert "deaktivert" in response.content.decode()
