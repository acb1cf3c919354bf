"""API tokens: made with a secret shown once, found by the secret's digest, revoked.

The token's row holds the SHA-256 digest of its secret, never the secret. The secret is 256
random bits, so nobody guesses it, and a fast hash suffices (a slow hash protects passwords,
which people pick); the digest is then a unique column and a request finds its token in one
indexed query. Who may have a token is decided by the app that serves the endpoint; the rules
here hold for any user: a token expires, and it is revoked by its holder, an administrator, a
new password (``RevokeApiTokensOnPasswordChange``) or the caller that ends the user's work.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core.audit import audit_record
from core.models import ApiToken
from core.secrets import digest_of, new_secret

PREFIX_LENGTH = 8


class RevokedBecause:
    HOLDER = "revoked"
    PASSWORD_CHANGED = "password_changed"
    WORK_ENDED = "memberships_ended"


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown to the caller once, never stored


@transaction.atomic
def api_token_create(*, user: Any, lifetime: datetime.timedelta | None = None) -> IssuedToken:
    """Make a token for ``user`` that expires after ``lifetime`` (``API_TOKEN_LIFETIME_HOURS``
    by default); the secret is in the answer and nowhere else."""
    secret = new_secret()
    now = timezone.now()
    token = ApiToken(
        user=user,
        digest=digest_of(secret),
        prefix=secret[:PREFIX_LENGTH],
        created_at=now,
        expires_at=now + (lifetime or datetime.timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)),
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=user,
        action="api_token.created",
        target=token,
        data={"prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken, reason: str = RevokedBecause.HOLDER) -> bool:
    """Revoke one token; False when it was revoked already (nothing is written then)."""
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason
    )
    if revoked:
        token.revoked_at, token.revoked_reason = now, reason
        audit_record(
            actor=actor,
            action="api_token.revoked",
            target=token,
            data={"prefix": token.prefix, "reason": reason},
        )
    return bool(revoked)


@transaction.atomic
def api_tokens_revoke_all(*, actor: Any, user: Any, reason: str) -> int:
    """Revoke every token ``user`` holds; the audit entry counts them (none: no entry)."""
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    if revoked:
        audit_record(
            actor=actor,
            action="api_token.revoked_all",
            target=user,
            data={"reason": reason, "count": revoked},
        )
    return revoked


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <secret>``: one query, the token with its user, by the digest's
    unique index."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest_of(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Ugyldig API-nøkkel."))
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("API-nøkkelen er utløpt. Hent en ny."), code="token_expired"
            )
        return token.user, token


class RevokeApiTokensOnPasswordChange:
    """A new password revokes the user's API tokens.

    Listed with the password validators because Django calls each validator's
    ``password_changed`` whenever a password is set and saved (the admin, ``changepassword``,
    a password form); it checks nothing itself.
    """

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            api_tokens_revoke_all(actor=None, user=user, reason=RevokedBecause.PASSWORD_CHANGED)

    def get_help_text(self) -> str:
        return str(_("Et nytt passord trekker tilbake API-nøklene dine."))
