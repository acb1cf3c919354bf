"""Log-in through OpenID Connect in Chromium, through a real provider (tests/oidc/provider.mjs)
run as its own process: staff by their subject, with the provider's log-out too; a youth at
ID-porten's high level, and refused below it; a guardian of a minor; someone who is neither;
an ID token for another audience and an expired one. The replayed state and the rest of the
bad answers are in tests/oidc/test_callback.py."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import ExternalSubject, GuardianRelation, PortalAccount
from tests import factories
from tests.oidc.provider import Provider

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def oidc_on(settings: Any, provider: Provider) -> Provider:
    settings.SAMORDNA_OIDC = provider.settings()
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "cases.oidc.StaffBackend",
        "cases.oidc.IdportenBackend",
    ]
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(provider.issuer)  # as settings.py does
    settings.CONTENT_SECURITY_POLICY = policy
    return provider


def through_provider(
    page: Any,
    button: str,
    *,
    sub: str,
    pid: str = "",
    acr: str = "idporten-loa-high",
    token: str = "valid",
) -> None:
    page.goto("/login/")
    page.get_by_role("link", name=button).click()
    page.get_by_label("Subject").fill(sub)
    page.get_by_label("Identity number").fill(pid)
    page.get_by_label("Level").select_option(acr)
    page.get_by_label("ID token").select_option(token)
    page.get_by_role("button", name="Sign in").click()


def test_staff_log_in_with_their_provider_and_log_out_there_too(
    people: Any, oidc_on: Provider, open_session: Any
) -> None:
    services.external_subject_link(
        actor=None, user=people.nav_advisor, issuer=oidc_on.issuer, subject="entra-ingrid"
    )
    session = open_session()
    page = session.page
    through_provider(page, "Logg inn som ansatt", sub="entra-ingrid")
    expect(page.get_by_role("heading", name="Min dag")).to_be_visible()
    session.screenshot("oidc-01-staff-day")

    page.get_by_role("button", name="Logg ut").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", name="Logg inn i Samordna")).to_be_visible()
    page.goto("/day/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))


def test_an_unknown_staff_subject_is_told_so(
    people: Any, oidc_on: Provider, open_session: Any
) -> None:
    session = open_session()
    through_provider(session.page, "Logg inn som ansatt", sub="entra-stranger")
    expect(session.page.get_by_role("heading", name="Innloggingen ble avvist")).to_be_visible()
    expect(session.page.get_by_text("ikke registrert som ansatt")).to_be_visible()


def test_a_youth_at_the_high_level_lands_on_their_own_page(
    people: Any, oidc_on: Provider, open_session: Any
) -> None:
    session = open_session()
    page = session.page
    through_provider(page, "Logg inn med ID-porten", sub="idp-emma", pid=people.youth.national_id)
    expect(page.get_by_role("heading", name="Hei, Emma")).to_be_visible()
    assert people.youth.national_id not in page.url
    session.screenshot("oidc-02-youth")
    assert PortalAccount.objects.get(youth=people.youth).guardian is None


def test_a_youth_below_the_high_level_is_refused(
    people: Any, oidc_on: Provider, open_session: Any
) -> None:
    session = open_session()
    page = session.page
    through_provider(
        page,
        "Logg inn med ID-porten",
        sub="idp-emma",
        pid=people.youth.national_id,
        acr="idporten-loa-substantial",
    )
    expect(page.get_by_text("krever innlogging på høyt sikkerhetsnivå")).to_be_visible()
    session.screenshot("oidc-03-level-refused")
    assert not PortalAccount.objects.exists()


def test_a_guardian_of_a_minor_lands_on_the_minors_page(
    people: Any, oidc_on: Provider, open_session: Any
) -> None:
    minor = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(15), first_name="Sofie"
    )
    number = factories.synthetic_number(factories.years_ago(45))
    services.guardian_add(
        actor=people.nav_advisor,
        youth=minor,
        full_name="Tone Berg",
        relation=GuardianRelation.PARENT,
        has_parental_responsibility=True,
        national_id=number,
    )
    session = open_session()
    page = session.page
    through_provider(page, "Logg inn med ID-porten", sub="idp-tone", pid=number)
    expect(page.get_by_role("heading", name="Min side: Sofie Hansen")).to_be_visible()
    session.screenshot("oidc-04-guardian")
    assert PortalAccount.objects.get(youth=minor).guardian.full_name == "Tone Berg"


def test_someone_neither_youth_nor_guardian_gets_no_account(
    people: Any, oidc_on: Provider, open_session: Any
) -> None:
    session = open_session()
    page = session.page
    stranger = factories.synthetic_number(factories.years_ago(30))
    through_provider(page, "Logg inn med ID-porten", sub="idp-stranger", pid=stranger)
    expect(page.get_by_text("Ingen konto er opprettet")).to_be_visible()
    session.screenshot("oidc-05-not-known")
    assert not ExternalSubject.objects.exists()
    assert not PortalAccount.objects.exists()


@pytest.mark.parametrize("token", ["wrong-audience", "expired"])
def test_an_id_token_for_another_audience_or_expired_is_refused(
    people: Any, oidc_on: Provider, open_session: Any, token: str
) -> None:
    services.external_subject_link(
        actor=None, user=people.nav_advisor, issuer=oidc_on.issuer, subject="entra-ingrid"
    )
    session = open_session()
    page = session.page
    through_provider(page, "Logg inn som ansatt", sub="entra-ingrid", token=token)
    expect(page.get_by_text("ikke var gyldig")).to_be_visible()
    page.goto("/day/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
