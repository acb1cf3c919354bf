"""Sessions end when idle too long and when too old, whatever the cookie says.

``SESSION_IDLE_TIMEOUT_MINUTES`` after the last request and ``SESSION_ABSOLUTE_TIMEOUT_HOURS``
after the log-in, the user is logged out (an audited log-out with its reason) and the request
goes on as anonymous: a page sends them to the log-in page, the API answers 401.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

STARTED = "_session_started"
SEEN = "_session_seen"


@receiver(user_logged_in, dispatch_uid="core.sessions.logged_in")
def _note_the_start(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Written with the log-in's own session save, so the first request writes nothing."""
    session = getattr(request, "session", None)
    if session is not None and session.get(BACKEND_SESSION_KEY):
        session[STARTED] = session[SEEN] = timezone.now().timestamp()


class SessionTimeoutMiddleware:
    """After ``AuthenticationMiddleware``. The last-seen time is written at most once a minute,
    so a busy user's requests do not each save the session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = timezone.now()
        session = request.session
        started, seen = session.get(STARTED), session.get(SEEN)
        if started is None or seen is None:  # a session from before the time-outs
            session[STARTED] = session[SEEN] = now.timestamp()
            return
        idle = datetime.timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES)
        absolute = datetime.timedelta(hours=settings.SESSION_ABSOLUTE_TIMEOUT_HOURS)
        at = now.timestamp()
        reason = None
        if at - started >= absolute.total_seconds():
            reason = "absolute_timeout"
        elif at - seen >= idle.total_seconds():
            reason = "idle_timeout"
        if reason is not None:
            request.logout_reason = reason  # type: ignore[attr-defined]
            logout(request)
            return
        if at - seen >= 60:
            session[SEEN] = at
