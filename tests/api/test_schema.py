"""The served OpenAPI schema tells the truth: real answers, errors included, conform to it."""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import pytest
from django.apps import apps

from cases.models import FollowUpPeriod
from coordination.models import DeadlineRule
from tests import factories
from tests.api.conftest import token_for

ERROR_CODES = {"400", "401", "403", "404", "409", "415", "429"}


def assert_documented(openapi: Any, method: str, path: str, response: Any) -> None:
    """The answer's status code is documented for the operation, and the answer conforms."""
    operation = openapi[path][method]
    documented = operation.responses.find_by_status_code(response.status_code)
    assert documented is not None, f"{response.status_code} is not documented for {method} {path}"
    operation.validate_response(response)


def _operations(openapi: Any) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in openapi.raw_schema["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_documents_the_errors_it_can_answer_with(openapi: Any) -> None:
    for path, method, operation in _operations(openapi):
        responses = operation["responses"]
        label = f"{method.upper()} {path}"
        assert "401" in responses, label
        assert "WWW-Authenticate" in responses["401"]["headers"], label
        if "{id}" in path:
            assert "404" in responses, label
        if "requestBody" in operation:
            assert {"400", "404", "415"} <= set(responses), label
        for code in ERROR_CODES & set(responses):
            schema = responses[code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (label, code)


def test_a_locked_out_token_request_answers_429_as_documented(
    people: Any, wsgi: Any, openapi: Any, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 1
    body = {"username": "ingrid.nav", "password": "feil"}
    response = wsgi.post("/api/v1/auth/token/", json=body)
    assert response.status_code == 429
    assert response.json["error"]["code"] == "locked_out"
    assert_documented(openapi, "POST", "/api/v1/auth/token/", response)


def test_edits_that_carry_a_version_document_the_conflict(openapi: Any) -> None:
    patch_youth = openapi.raw_schema["paths"]["/api/v1/youths/{id}/"]["patch"]
    list_youths = openapi.raw_schema["paths"]["/api/v1/youths/"]["get"]
    assert "409" in patch_youth["responses"]
    assert "409" not in list_youths["responses"]


def test_a_stale_version_answers_409_as_documented(people: Any, wsgi: Any, openapi: Any) -> None:
    response = wsgi.patch(
        f"/api/v1/youths/{people.youth.pk}/",
        json={"phone": "41234567", "version": 99},
        headers=token_for(people.nav_advisor),
    )

    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert response.json["error"]["current_version"] == people.youth.version
    assert_documented(openapi, "PATCH", "/api/v1/youths/{id}/", response)


def test_nested_field_errors_answer_400_as_documented(people: Any, wsgi: Any, openapi: Any) -> None:
    response = wsgi.post(
        f"/api/v1/youths/{people.youth.pk}/consents/",
        json={"flows": [{"categories": ["NO_SUCH_CATEGORY"], "to_kind": "SCHOOL"}]},
        headers=token_for(people.nav_advisor),
    )

    assert response.status_code == 400
    assert "categories" in response.json["error"]["fields"]["flows"][0]
    assert_documented(openapi, "POST", "/api/v1/youths/{id}/consents/", response)


def test_an_anonymous_call_answers_401_as_documented(people: Any, wsgi: Any, openapi: Any) -> None:
    response = wsgi.get(f"/api/v1/youths/{people.youth.pk}/")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"]
    assert_documented(openapi, "GET", "/api/v1/youths/{id}/", response)


def test_an_unknown_youth_answers_404_as_documented(people: Any, wsgi: Any, openapi: Any) -> None:
    response = wsgi.get(f"/api/v1/youths/{uuid.uuid4()}/", headers=token_for(people.nav_advisor))

    assert response.status_code == 404
    assert_documented(openapi, "GET", "/api/v1/youths/{id}/", response)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/youths/not-a-uuid/",
        # 36 characters of the old route pattern, but no UUID: this was a 400.
        "/api/v1/youths/000000000000000000000000000000000000/",
        "/api/v1/entries/0000000-00000000-0000-0000-0000000000000/",
        "/api/v1/no-such-collection/",
    ],
)
def test_an_api_address_that_matches_no_route_answers_the_error_shape(
    people: Any, wsgi: Any, path: str
) -> None:
    response = wsgi.get(path, headers=token_for(people.nav_advisor))

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.json == {"error": {"code": "not_found", "message": "Ikke funnet."}}


def test_a_page_address_that_matches_no_route_still_answers_a_page(wsgi: Any) -> None:
    response = wsgi.get("/no-such-page/")

    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_the_timeline_answers_a_page_as_documented(people: Any, wsgi: Any, openapi: Any) -> None:
    factories.log_entry(people, people.nav_advisor, people.nav, "WORK_AND_WELFARE")

    response = wsgi.get(
        f"/api/v1/youths/{people.youth.pk}/timeline/",
        query_string={"page_size": 1},
        headers=token_for(people.nav_advisor),
    )

    assert response.status_code == 200
    assert set(response.json) == {"next", "results"}
    assert len(response.json["results"]) == 1
    assert_documented(openapi, "GET", "/api/v1/youths/{id}/timeline/", response)


def test_deadline_rules_link_their_sources_with_valid_uris(
    people: Any, wsgi: Any, openapi: Any
) -> None:
    response = wsgi.get("/api/v1/deadline-rules/", headers=token_for(people.nav_advisor))

    assert response.status_code == 200
    assert_documented(openapi, "GET", "/api/v1/deadline-rules/", response)
    sources = {rule["code"]: rule["source_url"] for rule in response.json}
    assert sources["RECONSENT-18"] == "https://lovdata.no/lov/1999-07-02-63/%C2%A74-3"


def test_a_source_link_typed_with_a_section_sign_goes_out_percent_encoded(
    people: Any, wsgi: Any, openapi: Any
) -> None:
    """The admin's URL field accepts an IRI; the API still answers with a URI."""
    DeadlineRule.objects.filter(code="RECONSENT-18").update(
        source_url="https://lovdata.no/lov/2021-06-18-97/§13-2"
    )

    response = wsgi.get("/api/v1/deadline-rules/", headers=token_for(people.nav_advisor))

    assert_documented(openapi, "GET", "/api/v1/deadline-rules/", response)
    sources = {rule["code"]: rule["source_url"] for rule in response.json}
    assert sources["RECONSENT-18"] == "https://lovdata.no/lov/2021-06-18-97/%C2%A713-2"


def test_the_migration_percent_encodes_stored_source_links(db: Any) -> None:
    migration = importlib.import_module("coordination.migrations.0006_source_url_as_uri")
    DeadlineRule.objects.filter(code="RECONSENT-18").update(
        source_url="https://lovdata.no/lov/1999-07-02-63/§4-3"
    )
    untouched = dict(
        DeadlineRule.objects.exclude(code="RECONSENT-18").values_list("code", "source_url")
    )

    migration.percent_encode_source_urls(apps, None)

    rule = DeadlineRule.objects.get(code="RECONSENT-18")
    assert rule.source_url == "https://lovdata.no/lov/1999-07-02-63/%C2%A74-3"
    assert (
        dict(DeadlineRule.objects.exclude(code="RECONSENT-18").values_list("code", "source_url"))
        == untouched
    )


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"service": str(uuid.uuid4())}, 404),
        ({"start": "2026-02-01", "end": "2026-01-01"}, 400),
    ],
)
def test_report_errors_answer_the_error_shape_also_when_csv_was_asked_for(
    people: Any, wsgi: Any, openapi: Any, query: dict[str, str], status: int
) -> None:
    response = wsgi.get(
        "/api/v1/reports/youth-guarantee/",
        query_string={"service": str(people.nav.pk), **query, "format": "csv"},
        headers=token_for(people.nav_advisor),
    )

    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert "error" in response.json
    assert_documented(openapi, "GET", "/api/v1/reports/youth-guarantee/", response)


def test_a_username_with_a_nul_character_is_refused_with_a_field_error(
    people: Any, client_for: Any
) -> None:
    period = FollowUpPeriod.objects.get(youth=people.youth, service=people.nav)

    response = client_for(people.nav_advisor, "en").post(
        f"/api/v1/follow-up-periods/{period.pk}/reassign/",
        {"responsible": "hilde\x00nav", "version": period.version},
        format="json",
    )

    assert response.status_code == 400
    error = response.json()["error"]["fields"]["responsible"][0]
    assert error["code"] == "invalid"
    period.refresh_from_db()
    assert period.responsible == people.nav_advisor
