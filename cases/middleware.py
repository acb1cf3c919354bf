"""This request's viewer: the user with their memberships, loaded at most once per request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from cases import access


class ViewerMiddleware:
    """Sets ``request.viewer``: the ``access.Viewer`` of ``request.user``, made when first read.

    Placed after ``AuthenticationMiddleware``. Views read it after authenticating: the API's
    token authentication sets the user on this request when the view starts (DRF writes it
    through), so nothing reads the viewer before its user is known."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.viewer = SimpleLazyObject(lambda: access.viewer_for(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)


def viewer_of(request: Any) -> access.Viewer:
    """``request.viewer`` (a Django or a DRF request), typed; made here where no middleware ran
    (a view called directly in a test)."""
    viewer = getattr(request, "viewer", None)
    if viewer is None:
        viewer = request.viewer = access.viewer_for(request.user)
    return viewer
