"""Who gets an API token: staff with a current membership, never an account on *Min side*.

The token itself (its secret, expiry and revocation) is ``core.tokens``; this is the one place
that decides who may hold one, for the token endpoint and the token page alike.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cases.models import StaffMembership
from core import tokens
from core.errors import ApplicationError


def api_token_refusal(user: Any) -> ApplicationError | None:
    """Why ``user`` may hold no API token, or None when they may (two queries)."""
    if user.portal_accounts.exists():
        return ApplicationError(
            _("En konto på Min side får ingen API-nøkkel."), code="portal_account"
        )
    if not StaffMembership.objects.filter(user=user, ended_at__isnull=True).exists():
        return ApplicationError(
            _("Bare ansatte med en rolle i en tjeneste får API-nøkkel."), code="no_membership"
        )
    return None


def staff_api_token_create(*, user: Any) -> tokens.IssuedToken:
    """A new token for a staff member (``core.tokens.api_token_create``: expiry
    ``API_TOKEN_LIFETIME_HOURS``, the secret only in the answer); refused otherwise."""
    refusal = api_token_refusal(user)
    if refusal is not None:
        raise refusal
    return tokens.api_token_create(user=user)
