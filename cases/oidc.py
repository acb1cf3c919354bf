"""Log-in through OpenID Connect: staff through their organisation's provider, youths and
guardians through ID-porten.

Both are mozilla-django-oidc's authorization code flow (PKCE with S256, state and nonce kept in
the session per attempt), with one client configuration each (``settings.SAMORDNA_OIDC``, keyed
``staff`` and ``idporten``). The ID token is checked here more strictly than the library does
alone: its RS256 signature against the provider's JWKS, and its issuer, audience (this client),
expiry and issue time. Who the person is comes from the ID token's claims only; the userinfo
endpoint is not called.

- **Staff**: where ``OIDC_STAFF_ACR_VALUES`` or ``OIDC_STAFF_AMR_VALUES`` are set, the ID
  token's ``acr`` must be one of the first, and its ``amr`` hold one of the second (e.g. Entra
  ID's ``mfa``). The ``sub`` is then looked up in ``ExternalSubject`` (recorded for an existing
  staff user by an administrator). No account is ever made; what the user may do comes from
  their memberships.
- **ID-porten**: the ``acr`` must be ``idporten-loa-high`` (``IDPORTEN_ACR``). The ``pid`` claim
  (the identity number) finds the youth by the blind index, and the guardian records, with
  parental responsibility, of a minor the services follow. The *Min side* user and its links
  are made on first log-in and brought up to date at each. The number is never stored with the
  user, logged, or put in a URL.

The provider's keys (its JWKS) are kept in Django's cache for ``OIDC_JWKS_CACHE_SECONDS``, and
fetched again, once per log-in, when an ID token names a key (``kid``) the kept set lacks: the
provider has rotated its keys.

A refusal raises ``PermissionDenied`` (so Django's ``user_login_failed`` signal is sent) after
setting ``request.login_refusal`` to one of ``REFUSALS``, which the callback page explains. A
log-in through a provider is outside the password lock-out (``core.logins.outside_lockout``).
"""

from __future__ import annotations

import datetime
import logging
import secrets
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from requests import RequestException

from cases import identity
from cases.models import ExternalSubject, Guardian, PortalAccount, Youth, national_id_matches
from consent import ages
from core.audit import audit_record

logger = logging.getLogger(__name__)

# ID-porten's highest level (BankID, Buypass, Commfides): what health and child-welfare
# information, special categories under GDPR art. 9, calls for (docs/login.md).
IDPORTEN_ACR = "idporten-loa-high"

STAFF = "staff"
IDPORTEN = "idporten"
CLIENTS = (STAFF, IDPORTEN)
# The username of a Min side user an ID-porten log-in made: this, then random hex.
PORTAL_USERNAME_PREFIX = "idporten-"
# The log-in's method in the audit trail.
METHODS = {STAFF: "oidc_staff", IDPORTEN: "idporten"}

# Why a log-in was refused, for the callback page.
REFUSALS = (
    "unknown_staff",  # no staff user has this subject
    "inactive",  # the user is deactivated
    "level",  # ID-porten at a lower level than IDPORTEN_ACR
    "staff_level",  # staff without the acr or amr OIDC_STAFF_ACR_VALUES/_AMR_VALUES ask for
    "not_known",  # neither a youth nor a guardian of a minor the services follow
    "token",  # the ID token failed a check (signature, issuer, audience, expiry, nonce)
    "provider",  # the provider did not answer as it should
)

# Library settings that each client configuration overrides (the rest are common, below).
_CLIENT_SETTINGS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_RP_CLIENT_ID": "client_id",
    "OIDC_RP_CLIENT_SECRET": "client_secret",
    "OIDC_RP_SCOPES": "scopes",
}
_COMMON_SETTINGS: dict[str, Any] = {
    "OIDC_OP_USER_ENDPOINT": "",  # claims come from the ID token
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_RP_IDP_SIGN_KEY": None,
    "OIDC_USE_PKCE": True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
    "OIDC_USE_NONCE": True,
    "OIDC_ALLOW_UNSECURED_JWT": False,
    "OIDC_VERIFY_SSL": True,
    "OIDC_TIMEOUT": 10,
    "OIDC_PROXY": None,
    "OIDC_TOKEN_USE_BASIC_AUTH": False,
    "OIDC_STORE_ACCESS_TOKEN": False,
    "OIDC_REDIRECT_FIELD_NAME": "next",
    "OIDC_STATE_SIZE": 32,
    "OIDC_NONCE_SIZE": 32,
    "OIDC_MAX_STATES": 50,
}


def client_config(client: str) -> dict[str, Any] | None:
    """The client's configuration, or None when it is not configured (log-in through it off)."""
    return settings.SAMORDNA_OIDC.get(client)


def client_setting(client: str, attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's ``get_settings`` for one client: its own endpoints and credentials,
    its callback route and extra parameters, the common choices above."""
    config = client_config(client)
    if config is None:
        raise ImproperlyConfigured(f"OpenID Connect client {client!r} is not configured.")
    if attr in _CLIENT_SETTINGS:
        return config[_CLIENT_SETTINGS[attr]]
    if attr == "OIDC_AUTHENTICATION_CALLBACK_URL":
        return f"oidc-{client}-callback"
    if attr == "OIDC_STORE_ID_TOKEN":
        # Staff's ID token is the hint of the RP-initiated log-out; ID-porten's carries the
        # identity number and is not kept.
        return client == STAFF
    if attr == "OIDC_AUTH_REQUEST_EXTRA_PARAMS":
        if client == IDPORTEN:
            return {"acr_values": IDPORTEN_ACR}
        acr = settings.OIDC_STAFF_ACR_VALUES
        return {"acr_values": " ".join(acr)} if acr else {}
    if attr in _COMMON_SETTINGS:
        return _COMMON_SETTINGS[attr]
    if default:
        return getattr(settings, attr, default[0])
    return getattr(settings, attr)


def _refuse(request: HttpRequest, reason: str) -> PermissionDenied:
    request.login_refusal = reason  # type: ignore[attr-defined]
    return PermissionDenied(reason)


def _jwks_cache_key(uri: str) -> str:
    return f"oidc-jwks:{uri}"


def _fetch_jwks(uri: str) -> dict[str, Any]:
    """The provider's JWKS, fetched now and kept in the cache."""
    response = requests.get(
        uri,
        verify=_COMMON_SETTINGS["OIDC_VERIFY_SSL"],
        timeout=_COMMON_SETTINGS["OIDC_TIMEOUT"],
        proxies=_COMMON_SETTINGS["OIDC_PROXY"],
    )
    response.raise_for_status()
    jwks = response.json()
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise ValueError("the JWKS has no list of keys")
    cache.set(_jwks_cache_key(uri), jwks, settings.OIDC_JWKS_CACHE_SECONDS)
    return jwks


def _matching_key(jwks: dict[str, Any], header: dict[str, Any]) -> dict[str, Any] | None:
    """The RS256 signing key with the token's ``kid``."""
    for key in jwks["keys"]:
        if (
            isinstance(key, dict)
            and key.get("kid") == header.get("kid")
            and key.get("kty") == "RSA"
            and key.get("alg", "RS256") == "RS256"
            and key.get("use", "sig") == "sig"
        ):
            return key
    return None


# The session key of the log-in's ``acr`` (its assurance level), kept by the callback.
ACR_SESSION_KEY = "oidc_acr"
# What a digital answer records as the assurance level of a local log-in, which has none.
LOCAL_ASSURANCE = "local"


def assurance_level(session: Any) -> str:
    """The assurance level of the session's log-in: the provider's ``acr`` (ID-porten:
    ``idporten-loa-high``), or ``LOCAL_ASSURANCE`` for a local (password) log-in."""
    return str(session.get(ACR_SESSION_KEY) or LOCAL_ASSURANCE)


class _Backend(OIDCAuthenticationBackend):
    client = ""
    login_method = ""

    def get_settings(self, attr: str, *default: Any) -> Any:
        return client_setting(self.client, attr, *default)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        # Only the callback of this backend's own client; any other log-in passes by.
        if request is None or client_config(self.client) is None:
            return None
        if request.path != reverse(f"oidc-{self.client}-callback"):
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.PyJWTError) as exc:
            logger.warning("OpenID Connect (%s): ID token refused: %s", self.client, exc)
            raise _refuse(request, "token") from exc
        except (RequestException, ValueError, KeyError) as exc:
            logger.warning("OpenID Connect (%s): provider error: %s", self.client, exc)
            raise _refuse(request, "provider") from exc

    def retrieve_matching_jwk(self, token: Any) -> Any:
        """The provider's key for the ID token: from the cached JWKS, or, when that lacks the
        token's ``kid`` (a rotated key) or has expired, from the JWKS fetched once now."""
        config = client_config(self.client)
        assert config is not None
        header = jwt.get_unverified_header(token)
        uri = config["jwks_uri"]
        cached = cache.get(_jwks_cache_key(uri))
        key = _matching_key(cached, header) if cached is not None else None
        if key is None:
            key = _matching_key(_fetch_jwks(uri), header)
        if key is None:
            raise SuspiciousOperation("The provider's JWKS has no key for the ID token.")
        return jwt.PyJWK(key)

    def get_payload_data(self, token: Any, key: Any) -> dict[str, Any]:
        """The ID token's claims, after its signature (RS256 only), issuer, audience, expiry and
        issue time are checked; the library itself leaves out the audience."""
        config = client_config(self.client)
        assert config is not None
        return jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=config["client_id"],
            issuer=config["issuer"],
            leeway=datetime.timedelta(seconds=30),
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        # The ID token's claims decide; the userinfo endpoint is not called.
        user = self.user_for(payload)
        if not user.is_active:
            raise _refuse(self.request, "inactive")
        # The log-in's assurance level, which the callback keeps in the session
        # (``ACR_SESSION_KEY``): what the youth does digitally on *Min side* records it.
        self.request.oidc_acr = str(payload.get("acr") or "")
        return user

    def user_for(self, claims: dict[str, Any]) -> Any:
        raise NotImplementedError


def staff_level_met(claims: dict[str, Any]) -> bool:
    """Does a staff ID token carry what the settings ask: an ``acr`` of
    ``OIDC_STAFF_ACR_VALUES`` and an ``amr`` with one of ``OIDC_STAFF_AMR_VALUES`` (each only
    when set)?"""
    acr_values, amr_values = settings.OIDC_STAFF_ACR_VALUES, settings.OIDC_STAFF_AMR_VALUES
    if acr_values and claims.get("acr") not in acr_values:
        return False
    amr = claims.get("amr")
    methods = set(amr) if isinstance(amr, list) else {amr} if isinstance(amr, str) else set()
    return not amr_values or bool(methods & set(amr_values))


class StaffBackend(_Backend):
    """Staff through the organisation's provider, by the subject recorded for them."""

    client = STAFF
    login_method = METHODS[STAFF]

    def user_for(self, claims: dict[str, Any]) -> Any:
        if not staff_level_met(claims):
            raise _refuse(self.request, "staff_level")
        config = client_config(STAFF)
        assert config is not None
        link = (
            ExternalSubject.objects.filter(issuer=config["issuer"], subject=claims["sub"])
            .select_related("user")
            .first()
        )
        if link is None:
            raise _refuse(self.request, "unknown_staff")
        return link.user


class IdportenBackend(_Backend):
    """Youths and guardians through ID-porten, at the highest level, to *Min side*."""

    client = IDPORTEN
    login_method = METHODS[IDPORTEN]

    def user_for(self, claims: dict[str, Any]) -> Any:
        if claims.get("acr") != IDPORTEN_ACR:
            raise _refuse(self.request, "level")
        try:
            number = identity.parse(str(claims.get("pid", ""))).value
        except identity.InvalidIdentityNumber as exc:
            raise _refuse(self.request, "not_known") from exc
        config = client_config(IDPORTEN)
        assert config is not None
        user = portal_user_for(issuer=config["issuer"], subject=claims["sub"], number=number)
        if user is None:
            raise _refuse(self.request, "not_known")
        return user


def _minors_guardians(number: str, today: datetime.date) -> list[Guardian]:
    """The guardian records with this identity number, with parental responsibility, of a minor
    with an open follow-up period (one query, by the guardians' blind index)."""
    return list(
        Guardian.objects.filter(
            national_id_matches(number),
            has_parental_responsibility=True,
            youth__birth_date__gt=ages.latest_birth_date(today, ages.AGE_OF_MAJORITY),
            youth__periods__ended_on__isnull=True,
        )
        .distinct()
        .select_related("youth")
    )


@transaction.atomic
def portal_user_for(*, issuer: str, subject: str, number: str) -> Any:
    """The *Min side* user of the person ID-porten vouches for, made on first log-in, with a
    link to themselves as a youth and to each minor they are a guardian of (each new link
    audited); None when the person is neither (and nothing is written). The user is the one
    already linked to the subject, or else one a local account already gave them, or a new one
    without a usable password; its username says nothing about the person."""
    youth = Youth.objects.filter(national_id_matches(number)).first()
    guardians = _minors_guardians(number, timezone.localdate())
    if youth is None and not guardians:
        return None
    link = ExternalSubject.objects.filter(issuer=issuer, subject=subject).select_related("user")
    known = link.first()
    user = known.user if known is not None else None
    if user is None:
        if youth is not None:
            existing = PortalAccount.objects.filter(youth=youth, guardian__isnull=True)
        else:
            existing = PortalAccount.objects.filter(guardian__in=guardians)
        account = existing.select_related("user").order_by("created_at").first()
        user = account.user if account is not None else None
    if user is None:
        name = (youth.full_name if youth is not None else guardians[0].full_name).split(" ", 1)
        user = get_user_model().objects.create_user(
            username=f"{PORTAL_USERNAME_PREFIX}{secrets.token_hex(8)}",
            password=None,
            first_name=name[0],
            last_name=name[1] if len(name) > 1 else "",
        )
    if known is None:
        ExternalSubject.objects.create(issuer=issuer, subject=subject, user=user)
    links = set(PortalAccount.objects.filter(user=user).values_list("youth_id", "guardian_id"))
    wanted = ([(youth.pk, None)] if youth is not None else []) + [
        (guardian.youth_id, guardian.pk) for guardian in guardians
    ]
    linked_youths = {youth_id for youth_id, _guardian in links}
    made = PortalAccount.objects.bulk_create(
        PortalAccount(user=user, youth_id=youth_id, guardian_id=guardian_id)
        for youth_id, guardian_id in wanted
        if youth_id not in linked_youths
    )
    youths = {g.youth_id: g.youth for g in guardians} | ({youth.pk: youth} if youth else {})
    for account in made:
        audit_record(
            actor=user,
            action="portal_account.made",
            subject=youths[account.youth_id],
            target=account,
            data={"method": "idporten", "as": "guardian" if account.guardian_id else "youth"},
        )
    return user
