"""Deadlines reflect a request's changes before its response is sent."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cases import events
from coordination.deadlines import ledger


class DeadlinesMiddleware:
    """Notes the youths whose facts the request changed (``cases.events.recording``) and derives
    their deadlines once each, after the view's transaction has committed and before the
    response leaves. A derivation that fails is logged and left to the worker; the change itself
    has committed and is not lost."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with events.recording() as changed:
            response = self.get_response(request)
        if changed:
            ledger.derive_changed(youth_ids=changed)
        return response
