"""A staff user's external subject belongs to the staff provider's issuer, a *Min side* user's
to ID-porten's: the admin and the model refuse the other way round."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cases import oidc, services
from cases.models import ExternalSubject, PortalAccount
from tests import factories

STAFF_ISSUER = "https://login.example/tenant/v2.0"
IDPORTEN_ISSUER = "https://idporten.example"


def _client(issuer: str) -> dict[str, str]:
    return {
        "issuer": issuer,
        "client_id": "c",
        "client_secret": "s",
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/jwks",
        "end_session_endpoint": "",
        "scopes": "openid",
    }


@pytest.fixture
def providers(settings: Any) -> None:
    settings.SAMORDNA_OIDC = {"staff": _client(STAFF_ISSUER), "idporten": _client(IDPORTEN_ISSUER)}


@pytest.fixture
def admin(people: Any) -> Client:
    user = factories.UserFactory(username="superbruker", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def _add(admin: Client, user: Any, issuer: str) -> Any:
    return admin.post(
        "/admin/cases/externalsubject/add/",
        {"user": user.pk, "issuer": issuer, "subject": "sub-1"},
    )


def test_the_admin_refuses_a_staff_user_under_id_portens_issuer(
    providers: None, people: Any, admin: Client
) -> None:
    response = _add(admin, people.nav_advisor, IDPORTEN_ISSUER)
    assert response.status_code == 200
    assert "ID-porten" in str(response.context["adminform"].form.errors["issuer"])
    assert not ExternalSubject.objects.exists()


def test_the_admin_links_a_staff_user_under_the_staff_issuer(
    providers: None, people: Any, admin: Client
) -> None:
    assert _add(admin, people.nav_advisor, STAFF_ISSUER).status_code == 302
    assert ExternalSubject.objects.get().user == people.nav_advisor


def test_a_staff_user_under_id_portens_issuer_is_invalid_whoever_makes_it(
    providers: None, people: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.external_subject_link(
            actor=None, user=people.nav_advisor, issuer=IDPORTEN_ISSUER, subject="x"
        )
    assert "issuer" in refused.value.message_dict
    superuser = factories.UserFactory(is_superuser=True)
    with pytest.raises(ValidationError):
        ExternalSubject(user=superuser, issuer=IDPORTEN_ISSUER, subject="y").full_clean()
    assert not ExternalSubject.objects.exists()


def test_a_min_side_user_is_not_linked_under_the_staff_issuer(
    providers: None, people: Any, admin: Client
) -> None:
    user = oidc.portal_user_for(
        issuer=IDPORTEN_ISSUER, subject="idp-emma", number=people.youth.national_id
    )
    assert PortalAccount.objects.filter(user=user).exists()
    response = _add(admin, user, STAFF_ISSUER)
    assert response.status_code == 200
    assert "Min side" in str(response.context["adminform"].form.errors["issuer"])
    # Their own ID-porten link, made by the log-in, is valid.
    ExternalSubject.objects.get(user=user).full_clean()
