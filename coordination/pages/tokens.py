"""A staff member's own API tokens, from their session: make one (its secret shown once, on
the answer to the POST that made it), list them, revoke one.

This is how staff who log in through their organisation's provider get a token where
passwords are off (the token endpoint takes a password). Who may hold a token is
``cases.services.tokens``; the token's expiry and revocation ``core.tokens``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from cases.services.tokens import api_token_refusal, staff_api_token_create
from coordination.pages.base import methods, staff_required
from core import tokens
from core.errors import ApplicationError
from core.models import ApiToken


def _page(
    request: HttpRequest, *, issued: tokens.IssuedToken | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    context = {
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at", "-id"),
        "issued": issued,
        "refusal": api_token_refusal(user),
        "now": timezone.now(),
    }
    response = render(request, "pages/api_tokens.html", context, status=status)
    add_never_cache_headers(response)  # the answer that shows a secret is not kept
    return response


@staff_required
@methods("get", "post")
def api_tokens(request: HttpRequest) -> HttpResponse:
    """GET lists the user's tokens; POST makes one and shows its secret in this answer only."""
    if request.method == "POST":
        try:
            issued = staff_api_token_create(user=request.user)
        except ApplicationError:
            return _page(request, status=400)  # the page says why
        return _page(request, issued=issued)
    return _page(request)


@staff_required
@methods("post")
def api_token_revoke(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    """Revoke one of the user's own tokens (another's answers 404)."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if tokens.api_token_revoke(actor=request.user, token=token):
        message = _("API-nøkkelen %(prefix)s… er trukket tilbake.") % {"prefix": token.prefix}
        messages.success(request, message)
    return redirect("pages:api-tokens")
