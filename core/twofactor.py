"""TOTP two-factor for local passwords (django-otp's TOTP devices).

Required for every password log-in where ``LOCAL_PASSWORD_TOTP_REQUIRED`` is on (production);
elsewhere for those who have a device. A log-in through another backend (an identity provider
that does its own second factor) is not asked.

A device is made only out of band, by an administrator on the server (``manage.py totp_enrol``,
``totp_enrol`` below), never on the web: whoever knows a password could otherwise set up the
second factor for it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_record
from core.errors import ApplicationError
from core.logins import LocalPasswordBackend, client_address

PASSWORD_BACKEND = f"{LocalPasswordBackend.__module__}.{LocalPasswordBackend.__qualname__}"


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


class AlreadyEnrolled(Exception):
    """The user has a device, and it was not asked to be replaced."""


@transaction.atomic
def totp_enrol(*, actor: Any, user: Any, replace: bool = False) -> TOTPDevice:
    """Make ``user``'s TOTP device, confirmed; its key (``config_url``) is for the caller to
    hand over once. An existing device stays unless ``replace`` (a lost authenticator): then
    every device of the user is deleted first. Audited without the key."""
    existing = TOTPDevice.objects.select_for_update().filter(user=user)
    if existing.exists():
        if not replace:
            raise AlreadyEnrolled(user.get_username())
        existing.delete()
    device = TOTPDevice.objects.create(user=user, name="Samordna", confirmed=True)
    audit_record(
        actor=actor,
        action="totp_device.enrolled",
        target=user,
        data={"replaced": replace, "method": "totp"},
    )
    return device


def needed_for(user: Any) -> bool:
    """Does a password log-in of ``user`` need a code?"""
    return settings.LOCAL_PASSWORD_TOTP_REQUIRED or confirmed_device(user) is not None


CODE_NEEDED = "_totp_needed"
NOT_ENROLLED = _(
    "Tofaktor er ikke satt opp for kontoen. En administrator setter den opp på serveren "
    "(manage.py totp_enrol)."
)


@receiver(user_logged_in, dispatch_uid="core.twofactor.logged_in")
def _note_whether_a_code_is_needed(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """Decided once, at the log-in, so a request asks the session rather than the database."""
    session = getattr(request, "session", None)
    if session is not None and session.get(BACKEND_SESSION_KEY) == PASSWORD_BACKEND:
        session[CODE_NEEDED] = needed_for(user)


def session_needs_code(request: HttpRequest) -> bool:
    """Is this session a password log-in that still waits for its code?"""
    user: Any = request.user
    if not user.is_authenticated or not request.session.get(CODE_NEEDED, False):
        return False
    return not user.is_verified()  # django-otp's middleware adds it


def code_failed(request: HttpRequest, user: Any) -> None:
    """A wrong code counts as a failed log-in: audited and counted towards the lock-out."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), "method": "totp"},
        request=request,
    )


def code_verified(request: HttpRequest, user: Any) -> None:
    audit_record(
        actor=user,
        action="login.totp_verified",
        data={"method": "totp", "address": client_address(request), "path": request.path},
    )


def check_code(request: HttpRequest, user: Any, code: str | None) -> TOTPDevice:
    """The user's device if ``code`` is its current code; otherwise an error (400)."""
    if not code:
        raise ApplicationError(
            _("Oppgi engangskoden fra autentiseringsappen."),
            code="otp_required",
            fields={"otp_token": _("Dette feltet er påkrevd.")},
        )
    device = confirmed_device(user)
    if device is None:
        raise ApplicationError(NOT_ENROLLED, code="otp_not_set_up")
    if not device.verify_token(code):
        code_failed(request, user)
        raise ApplicationError(
            _("Feil engangskode."), code="otp_invalid", fields={"otp_token": _("Feil kode.")}
        )
    code_verified(request, user)
    return device
