"""One permission matrix over every route and every role, generated from the URL conf.

A route (or an HTTP method on it) that has no entry in ``MATRIX`` fails the test, so a new
endpoint cannot ship without saying who may use it. Denied means 404 for a youth's data (the
same as "does not exist") and an empty list for lists; anonymous callers get 401/403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from cases.models import FollowUpPeriod

ROLES = [
    "nav_advisor",
    "ot_counsellor",
    "coordinator",
    "manager",
    "school_counsellor",
    "health_nurse",
    "cw_caseworker",
    "nav_admin",
    "outsider",
    "anonymous",
]
FOLLOWING = {"nav_advisor", "ot_counsellor", "coordinator", "manager"}
STAFF = set(ROLES) - {"anonymous"}
PUBLIC = set(ROLES)


def _ot_period(p: Any) -> str:
    return str(FollowUpPeriod.objects.get(youth=p.youth, service=p.ot).pk)


@dataclass
class Case:
    path: Callable[[Any], str]
    allowed: set[str]
    ok: int = 200
    denied: int | str = 404  # or "empty": 200 with no rows
    body: Callable[[Any], dict[str, Any]] = field(default=lambda p: {})
    anonymous: tuple[int, ...] = (401, 403)


MATRIX: dict[tuple[str, str], Case] = {
    ("home", "get"): Case(lambda p: "/", PUBLIC),
    ("health", "get"): Case(lambda p: "/health/", PUBLIC),
    ("set_language", "post"): Case(
        lambda p: "/i18n/setlang/", PUBLIC, ok=302, body=lambda p: {"language": "en"}
    ),
    ("schema", "get"): Case(lambda p: "/api/schema/", PUBLIC),
    ("swagger-ui", "get"): Case(lambda p: "/api/docs/", PUBLIC),
    ("auth-token", "post"): Case(
        lambda p: "/api/v1/auth/token/",
        set(),
        denied=400,  # wrong password for everyone: the route itself is open
        body=lambda p: {"username": "ingrid.nav", "password": "feil"},
        anonymous=(400,),
    ),
    ("my-memberships", "get"): Case(lambda p: "/api/v1/me/memberships/", STAFF),
    ("youth-list", "get"): Case(lambda p: "/api/v1/youths/", FOLLOWING, denied="empty"),
    ("youth-list", "post"): Case(
        lambda p: "/api/v1/youths/",
        {"nav_advisor", "manager"},  # staff of NAV Skien with a caseload role
        ok=201,
        body=lambda p: {
            "national_id": "10915596784",
            "first_name": "Per",
            "last_name": "Ny",
            "municipality_number": "4003",
            "service": str(p.nav.pk),
            "reason": "Arbeidssøker",
        },
    ),
    ("youth-lookup", "post"): Case(
        lambda p: "/api/v1/youths/lookup/",
        FOLLOWING,
        body=lambda p: {"national_id": p.youth.national_id},
    ),
    ("youth-detail", "get"): Case(lambda p: f"/api/v1/youths/{p.youth.pk}/", FOLLOWING),
    ("youth-detail", "patch"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/",
        FOLLOWING,
        body=lambda p: {"phone": "41234567", "version": 1},
    ),
    ("youth-guardians", "get"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/guardians/", FOLLOWING
    ),
    ("youth-guardians", "post"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/guardians/",
        FOLLOWING,
        ok=201,
        body=lambda p: {
            "full_name": "Kari Hansen",
            "relation": "PARENT",
            "has_parental_responsibility": True,
        },
    ),
    ("service-list", "get"): Case(lambda p: "/api/v1/services/", STAFF),
    ("service-detail", "get"): Case(lambda p: f"/api/v1/services/{p.nav.pk}/", STAFF),
    ("period-list", "get"): Case(lambda p: "/api/v1/follow-up-periods/", FOLLOWING, denied="empty"),
    ("period-list", "post"): Case(
        lambda p: "/api/v1/follow-up-periods/",
        set(),  # every following service already has an open period; see test below
        denied=404,
        body=lambda p: {"youth": str(p.youth.pk), "service": str(p.school.pk), "reason": "x"},
    ),
    ("period-detail", "get"): Case(
        lambda p: f"/api/v1/follow-up-periods/{_ot_period(p)}/", {"ot_counsellor", "coordinator"}
    ),
    ("period-close", "post"): Case(
        lambda p: f"/api/v1/follow-up-periods/{_ot_period(p)}/close/",
        {"ot_counsellor", "coordinator"},
        body=lambda p: {"end_reason": "Begynt på skole", "version": 1},
    ),
    ("period-reassign", "post"): Case(
        lambda p: f"/api/v1/follow-up-periods/{_ot_period(p)}/reassign/",
        {"ot_counsellor", "coordinator"},
        body=lambda p: {"responsible": "eva.koord", "version": 1},
    ),
}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _methods(pattern: URLPattern) -> set[str]:
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:
        return set(actions) - {"head", "options"}  # both mirror GET
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        return {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)}
    return {"post"} if pattern.name == "set_language" else {"get"}


def routes_in_url_conf() -> set[tuple[str, str]]:
    """(name, method) for every non-admin route; the admin has its own tests."""
    return {
        (pattern.name or route, method)
        for route, pattern in _routes(get_resolver().url_patterns)
        if not route.startswith("admin/")
        for method in _methods(pattern)
    }


def test_every_route_has_an_entry_in_the_matrix() -> None:
    assert routes_in_url_conf() == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]}:{r[1]}")
def test_permission_matrix(people: Any, route: tuple[str, str], role: str) -> None:
    case = MATRIX[route]
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(getattr(people, role))
    method = getattr(client, route[1])
    url = case.path(people)
    response = method(url, case.body(people), format="json") if route[1] != "get" else method(url)

    if role == "anonymous" and role not in case.allowed:
        assert response.status_code in case.anonymous
    elif role in case.allowed:
        assert response.status_code == case.ok, response.content[:300]
    elif case.denied == "empty":
        assert response.status_code == 200
        assert response.json()["count"] == 0
    else:
        assert response.status_code == case.denied, response.content[:300]
