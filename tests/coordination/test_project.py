"""The project's own pages: health check, landing page, API schema and offline API docs."""

from __future__ import annotations

import re
from typing import Any

import yaml
from django.core.management import call_command
from django.test import Client


def test_health_reports_the_database(db: Any) -> None:
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "reminders": {"oldest_unsent_due_seconds": None, "status": "ok"},
    }


def test_the_landing_page_is_norwegian_first_with_english_available(db: Any) -> None:
    client = Client()
    page = client.get("/", follow=True)  # the log-in page for a visitor
    assert page.redirect_chain == [("/login/", 302)]
    assert "Samordnet oppfølging av ungdom" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en"})
    assert "Coordinated follow-up of young people" in client.get("/login/").content.decode()


def test_the_schema_is_valid_openapi(db: Any, tmp_path: Any) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    assert "/api/v1/youths/lookup/" in schema
    assert "national_id" in schema


def test_each_process_makes_the_served_schema_once_per_language(db: Any, monkeypatch: Any) -> None:
    """Making the schema takes most of a second; it is the same for every caller, so a process
    makes it once for each language and serves that to anonymous and signed-in callers alike."""
    from drf_spectacular import generators

    from cases.api.schema import SchemaGenerator
    from tests import factories

    monkeypatch.setattr(SchemaGenerator, "_made", {})
    made = []
    parse = generators.SchemaGenerator.parse

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(self)
        return parse(self, *args, **kwargs)

    monkeypatch.setattr(generators.SchemaGenerator, "parse", counted)
    anonymous = Client().get("/api/schema/?format=json")
    signed_in = Client()
    signed_in.force_login(factories.make_staff(factories.make_service()))
    again = signed_in.get("/api/schema/?format=json")
    assert anonymous.status_code == again.status_code == 200
    assert anonymous.json() == again.json()
    assert len(made) == 1
    english = Client().get("/api/schema/?format=json&lang=en").json()
    norwegian = anonymous.json()
    assert len(made) == 2
    assert english != norwegian  # the operations' descriptions, in each language
    Client().get("/api/schema/?format=json&lang=en")
    assert len(made) == 2


def test_each_process_renders_a_kept_schema_once_per_format(db: Any, monkeypatch: Any) -> None:
    """Rendering the YAML took longer than serving a caseload page; a kept schema is rendered
    once for each format and language, and a schema made anew is rendered anew."""
    from drf_spectacular import renderers

    from cases.api.schema import SchemaGenerator
    from cases.api.schema_view import YamlRenderer, _KeptRendering

    monkeypatch.setattr(SchemaGenerator, "_made", {})
    monkeypatch.setattr(_KeptRendering, "_rendered", {})
    dumped = []
    dump = renderers.dump

    def counted(*args: Any, **kwargs: Any) -> Any:
        dumped.append(args)
        return dump(*args, **kwargs)

    monkeypatch.setattr(renderers, "dump", counted)
    first = Client().get("/api/schema/")
    second = Client().get("/api/schema/")
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"].startswith("application/vnd.oai.openapi")
    assert first.content == second.content
    assert len(dumped) == 1
    english = Client().get("/api/schema/?lang=en")
    assert english.content != first.content and len(dumped) == 2
    as_json = Client().get("/api/schema/?format=json")
    assert as_json.json() == yaml.safe_load(first.content)
    assert Client().get("/api/schema/?format=json").content == as_json.content
    assert len(dumped) == 2
    # A media type with parameters is the caller's to choose: rendered for it, never kept.
    kept = dict(_KeptRendering._rendered)
    indented = Client().get("/api/schema/", HTTP_ACCEPT="application/json; indent=1")
    assert indented.json() == as_json.json() and indented.content != as_json.content
    assert _KeptRendering._rendered == kept
    # A schema the generator did not keep (another URL conf, patterns) is rendered every time.
    fresh = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    assert not SchemaGenerator.kept(fresh)
    assert YamlRenderer().render(fresh) == YamlRenderer().render(fresh)
    assert len(dumped) == 4


def test_the_api_docs_load_offline(db: Any) -> None:
    client = Client()
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    # Nothing loaded from another host (a bare "cdn" check would match a random CSRF token).
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "jsdelivr" not in page and "unpkg" not in page
    assert (
        client.get(
            "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
        ).status_code
        == 200
    )


def test_the_schema_never_puts_an_identity_number_in_a_query_string(db: Any) -> None:
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                assert "national" not in parameter["name"], (path, parameter)
