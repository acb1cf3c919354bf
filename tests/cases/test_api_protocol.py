"""The API's answers to odd requests: huge page numbers, deep JSON, undocumented methods and
anonymous callers get a 4xx with the one error shape, never a 500."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.paginator import EmptyPage
from django.urls import URLPattern, get_resolver
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from cases.api.parsers import MAX_DEPTH, JSONParser
from cases.models import FollowUpEntry, Service, Youth
from cases.paging import WindowCountPaginator
from tests import factories
from tests.test_permission_matrix import MATRIX, _routes, _shared_records

HUGE = "99999999999999999999"  # past PostgreSQL's bigint (and SQLite's INTEGER)
YOUTHS = "/api/v1/youths/"


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# --- Page numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", [HUGE, 2**63, (2**63 - 1) // 2 + 1])
def test_a_page_whose_rows_no_list_can_hold_is_past_the_end(db: Any, number: Any) -> None:
    factories.make_service(name="Tjeneste 1")
    paginator = WindowCountPaginator(Service.objects.order_by("name"), 2)
    with pytest.raises(EmptyPage):
        paginator.page(number)
    assert paginator.get_page(number).number == 1  # the last page, as Django's get_page


def test_every_list_answers_a_huge_page_number_with_404(people: Any) -> None:
    """Every GET route in the permission matrix, as a role allowed on it, with ?page= (and
    ?page_size=) past the 64-bit range: paged API lists answer 404 to the page (DRF's "invalid
    page"), pages show their last page, and nothing answers 500."""
    _shared_records(people)
    failures = []
    for (name, method), case in sorted(MATRIX.items()):
        roles = sorted(case.allowed - {"anonymous"})
        if method != "get" or not roles:
            continue
        client = APIClient()
        user = getattr(people, roles[0])
        if case.session:
            client.force_login(user)
        else:
            client.force_authenticate(user)
        url = case.path(people)
        first = client.get(url)
        joined = f"{url}{'&' if '?' in url else '?'}"
        answer = client.get(f"{joined}page={HUGE}")
        if client.get(f"{joined}page_size={HUGE}").status_code >= 500:
            failures.append((name, 500, "page_size"))
        paged = first.status_code == 200 and "application/json" in first.get("Content-Type", "")
        paged = paged and isinstance(first.json(), dict) and "count" in first.json()
        if answer.status_code >= 500:
            failures.append((name, answer.status_code, "server error"))
        elif paged and answer.status_code != 404:
            failures.append((name, answer.status_code, "a paged list answers 404"))
        elif paged:
            assert answer.json()["error"]["code"] == "not_found"
    assert failures == []


def test_the_caseload_page_falls_back_to_its_last_page(people: Any) -> None:
    client = APIClient()
    client.force_login(people.nav_advisor)
    response = client.get("/youths/", {"page": HUGE})
    assert response.status_code == 200
    assert response.context["page"].number == response.context["page"].paginator.num_pages


def test_a_huge_page_size_is_a_field_error(people: Any, client_for: Any) -> None:
    api = client_for(people.nav_advisor)
    refused = api.get(YOUTHS, {"page_size": HUGE})
    assert refused.status_code == 400 and set(refused.json()["error"]["fields"]) == {"page_size"}


# --- Deep JSON ------------------------------------------------------------------------------


def test_json_nested_past_the_recursion_limit_is_a_400(people: Any, client_for: Any) -> None:
    api = client_for(people.nav_advisor)
    response = api.generic("POST", YOUTHS, _nested(100_000), content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert "nivåer" in error["message"]
    english = client_for(people.nav_advisor, "en").generic(
        "POST", YOUTHS, _nested(100_000), content_type="application/json"
    )
    assert "levels" in english.json()["error"]["message"]
    assert Youth.objects.count() == 1


def test_json_nested_deeper_than_the_limit_is_refused(people: Any, client_for: Any) -> None:
    api = client_for(people.nav_advisor)
    too_deep = json.dumps({"first_name": json.loads(_nested(MAX_DEPTH))})  # one level more
    refused = api.generic("POST", YOUTHS, too_deep, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "parse_error"
    within = api.generic(
        "POST", YOUTHS, json.dumps({"first_name": [[["x"]]]}), content_type="application/json"
    )
    assert within.status_code == 400 and within.json()["error"]["code"] == "invalid"
    assert Youth.objects.count() == 1


@pytest.mark.parametrize(
    ("depth", "refused"), [(MAX_DEPTH, False), (MAX_DEPTH + 1, True), (100_000, True)]
)
def test_the_parser_counts_depth_without_recursing(depth: int, refused: bool) -> None:
    stream = io.BytesIO(_nested(depth))
    if refused:
        with pytest.raises(ParseError):
            JSONParser().parse(stream)
    else:
        data = JSONParser().parse(stream)
        assert isinstance(data, list)


def test_the_json_parser_in_settings_is_ours() -> None:
    from rest_framework.settings import api_settings

    assert JSONParser in api_settings.DEFAULT_PARSER_CLASSES


# --- Methods --------------------------------------------------------------------------------


def test_delete_on_an_entry_is_not_allowed(people: Any, client_for: Any) -> None:
    entry = factories.log_entry(people, people.nav_advisor, people.nav, "WORK_AND_WELFARE")
    api = client_for(people.nav_advisor)
    for url in (f"/api/v1/entries/{entry.pk}/", f"/api/v1/entries/{entry.pk}/delete/"):
        response = api.delete(url, {"reason": "Feil ungdom"}, format="json")
        assert response.status_code == 405
        assert "DELETE" not in response["Allow"]
    assert FollowUpEntry.objects.get(pk=entry.pk).deletion_reason == ""
    deleted = api.post(
        f"/api/v1/entries/{entry.pk}/delete/", {"reason": "Feil ungdom"}, format="json"
    )
    assert deleted.status_code == 204
    assert FollowUpEntry.objects.get(pk=entry.pk).deletion_reason == "Feil ungdom"


def test_a_viewset_answers_only_the_methods_its_routes_map() -> None:
    """DRF dispatches an HTTP method to a view method of the same name, so an action called
    ``delete`` (or ``put``...) would answer that verb on every route of its viewset."""
    undocumented = []
    for route, _namespace, pattern in _routes(get_resolver().url_patterns):
        assert isinstance(pattern, URLPattern)
        actions = getattr(pattern.callback, "actions", None)
        if not actions:
            continue
        view = pattern.callback.cls  # type: ignore[attr-defined]
        for method in view.http_method_names:
            dispatched = hasattr(view, method) and method not in {"head", "options"}
            if dispatched and method not in actions:
                undocumented.append((route, method))
    assert undocumented == []


# --- Authentication -------------------------------------------------------------------------


def test_an_anonymous_caller_is_asked_to_authenticate(db: Any) -> None:
    response = APIClient().get(YOUTHS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"
    bad_token = APIClient(HTTP_AUTHORIZATION="Token feil").get(YOUTHS)
    assert bad_token.status_code == 401 and bad_token["WWW-Authenticate"] == "Token"


def test_a_session_user_is_served_and_csrf_is_checked(people: Any) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.nav_advisor)
    assert client.get(YOUTHS).status_code == 200
    body = {"national_id": people.youth.national_id}
    refused = client.post("/api/v1/youths/lookup/", body, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    secret = "k" * 32  # a CSRF secret as Django sets it in the cookie, echoed in the header
    client.cookies["csrftoken"] = secret
    allowed = client.post("/api/v1/youths/lookup/", body, format="json", HTTP_X_CSRFTOKEN=secret)
    assert allowed.status_code == 200
