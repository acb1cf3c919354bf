"""The API's tokens: one made for a staff member's username and password (and TOTP code where
two-factor applies), the caller's own listed without secrets, and revoked.

A token is for staff: an account on *Min side* gets none, nor does a user with no current
membership. The token endpoint is throttled per address and its failures count towards the
log-in lock-out (django-axes) like the log-in page's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from cases.api.base import StrictSerializer, validated
from cases.services.tokens import staff_api_token_create
from core import logins, tokens, twofactor
from core.errors import ApplicationError
from core.models import ApiToken


class LockedOut(ApplicationError):
    status = 429
    code = "locked_out"


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(label=_("Brukernavn"), max_length=150)
    password = serializers.CharField(
        label=_("Passord"), max_length=4096, trim_whitespace=False, write_only=True
    )
    otp_token = serializers.RegexField(
        r"^\d{6}$",
        label=_("Engangskode"),
        required=False,
        write_only=True,
        error_messages={"invalid": _("Engangskoden er seks sifre.")},
        help_text=_("Koden fra autentiseringsappen, der tofaktor gjelder."),
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "created_at", "expires_at", "revoked_at", "revoked_reason"]
        read_only_fields = fields


class TokenCreatedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Nøkkelen; vises bare nå."))
    id = serializers.UUIDField()
    prefix = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ObtainTokenView(APIView):
    """A new token for a staff member's username and password: the secret is in this answer
    and nowhere else."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth-token"

    @extend_schema(request=TokenRequestSerializer, responses=TokenCreatedSerializer)
    def post(self, request: Request) -> Response:
        data = validated(TokenRequestSerializer, request.data)
        http_request = request._request  # axes marks a lock-out on Django's request
        username = data["username"]
        if not logins.password_login_allowed(username):
            raise ApplicationError(logins.PASSWORD_LOGIN_OFF, code="password_login_off")
        user = authenticate(http_request, username=username, password=data["password"])
        if getattr(http_request, "axes_locked_out", False):
            raise LockedOut(logins.LOCKED_OUT)
        if user is None:
            raise ApplicationError(_("Feil brukernavn eller passord."), code="invalid_credentials")
        if twofactor.needed_for(user):
            twofactor.check_code(http_request, user, data.get("otp_token"))
        with transaction.atomic():
            issued = staff_api_token_create(user=user)
            user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        return Response(
            TokenCreatedSerializer(
                {
                    "token": issued.secret,
                    "id": issued.token.pk,
                    "prefix": issued.token.prefix,
                    "expires_at": issued.token.expires_at,
                }
            ).data
        )


class MyTokensView(ListAPIView):
    """The caller's own tokens, newest first, without their secrets."""

    queryset = ApiToken.objects.none()
    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> Any:
        caller: Any = self.request.user  # authenticated (the default permission)
        return ApiToken.objects.filter(user=caller).order_by("-created_at", "-id")


class RevokeTokenView(APIView):
    """Revoke one of the caller's own tokens (a token of someone else's answers 404)."""

    @extend_schema(request=None, responses=ApiTokenSerializer)
    def post(self, request: Request, pk: Any) -> Response:
        caller: Any = request.user  # authenticated (the default permission)
        token = get_object_or_404(ApiToken, pk=pk, user=caller)
        tokens.api_token_revoke(actor=request.user, token=token)
        return Response(ApiTokenSerializer(token).data)
