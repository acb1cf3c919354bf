"""Who may log in with a local password, and every log-in, failure, lock-out and log-out in the
audit trail.

Local passwords are for development and a break-glass administrator: with
``LOCAL_PASSWORD_LOGIN`` off (the default in production) only the superusers named in
``LOCAL_PASSWORD_BREAK_GLASS_USERS`` may use one. Repeated failures lock out the user and the
address (django-axes, its backend first in ``AUTHENTICATION_BACKENDS``).

The audit rows come from Django's log-in signals and axes' lock-out signal, so a log-in through
any backend is recorded with the backend that did it; they hold no password, no token and no
username that matches no user (a user who typed the password into the username field would
otherwise leave it in the trail).
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record

PASSWORD_LOGIN_OFF = _(
    "Innlogging med brukernavn og passord er slått av. Logg inn med virksomhetens "
    "innlogging eller med ID-porten."
)
LOCKED_OUT = _("For mange mislykkede forsøk. Vent litt og prøv igjen.")


def password_login_allowed(username: str | None) -> bool:
    """May ``username`` try a local password at all (before the password is checked)?"""
    return settings.LOCAL_PASSWORD_LOGIN or (
        bool(username) and username in settings.LOCAL_PASSWORD_BREAK_GLASS_USERS
    )


class LocalPasswordBackend(ModelBackend):
    """Django's username and password, where ``LOCAL_PASSWORD_LOGIN`` allows it; otherwise only
    for a superuser named as break-glass."""

    login_method = "password"

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None or password is None:
            return None  # not a password log-in (OpenID Connect's callback): the next backend
        if not password_login_allowed(username):
            # Stops the other backends too; Django then sends user_login_failed.
            raise PermissionDenied(str(PASSWORD_LOGIN_OFF))
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not settings.LOCAL_PASSWORD_LOGIN and not user.is_superuser:
            raise PermissionDenied(str(PASSWORD_LOGIN_OFF))
        return user


PROVIDER_LOG_IN = "provider_login_method"


def provider_log_in(request: HttpRequest, method: str) -> None:
    """Mark ``request`` as a log-in through an identity provider (``method``, as its backend's
    ``login_method``), before it is authenticated."""
    setattr(request, PROVIDER_LOG_IN, method)


def outside_lockout(request: HttpRequest, credentials: Any = None) -> bool:
    """django-axes' ``AXES_WHITELIST_CALLABLE``: a log-in through an identity provider neither
    counts towards the lock-out nor is refused by it. It carries no password to guess (the
    provider counts its own failures), and a refused one (an unknown subject, a wrong audience)
    must not lock the address out of the password log-in. Audited all the same."""
    return bool(getattr(request, PROVIDER_LOG_IN, ""))


def method_of(backend_path: str | None) -> str:
    """The way in a backend stands for: its ``login_method``, or its class name."""
    if not backend_path:
        return "unknown"
    try:
        backend = import_string(backend_path)
    except ImportError:
        return backend_path.rsplit(".", 1)[-1]
    return str(getattr(backend, "login_method", backend_path.rsplit(".", 1)[-1]))


def client_address(request: HttpRequest | None) -> str:
    """The address axes counts failures by (``AXES_IPWARE_*``), the same in the audit row."""
    if request is None:
        return ""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""


def _where(request: HttpRequest | None) -> dict[str, str]:
    if request is None:
        return {}
    return {"address": client_address(request), "path": request.path}


def _known_user(username: Any) -> Any:
    if not isinstance(username, str) or not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()


@receiver(user_logged_in, dispatch_uid="core.logins.logged_in")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    backend = getattr(user, "backend", None)
    if backend is None and request is not None and hasattr(request, "session"):
        backend = request.session.get(BACKEND_SESSION_KEY)
    audit_record(
        actor=user,
        action="login.succeeded",
        data={"method": method_of(backend), "backend": backend or "", **_where(request)},
    )


@receiver(user_login_failed, dispatch_uid="core.logins.login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    user = _known_user(credentials.get("username"))
    method = (
        credentials.get("method")
        or getattr(request, PROVIDER_LOG_IN, "")
        or ("password" if "password" in credentials else "unknown")
    )
    data = {"method": method, "known_user": user is not None, **_where(request)}
    reason = getattr(request, "login_refusal", None)
    if reason:
        data["reason"] = reason
    audit_record(actor=user, action="login.failed", data=data)


@receiver(user_locked_out, dispatch_uid="core.logins.locked_out")
def _locked_out(
    sender: Any, request: HttpRequest | None, username: Any, ip_address: Any, **kwargs: Any
) -> None:
    user = _known_user(username)
    audit_record(
        actor=user,
        action="login.locked_out",
        data={"known_user": user is not None, **_where(request)},
    )


@receiver(user_logged_out, dispatch_uid="core.logins.logged_out")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    backend = None
    if request is not None and hasattr(request, "session"):
        backend = request.session.get(BACKEND_SESSION_KEY)
    data = {"method": method_of(backend), **_where(request)}
    reason = getattr(request, "logout_reason", None)
    if reason:
        data["reason"] = reason
    audit_record(actor=user, action="logout", data=data)
