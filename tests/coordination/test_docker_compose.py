"""docker-compose.yml cannot run here (no Docker engine), so it is parsed and checked instead."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict[str, Any]) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_it_has_the_planned_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {
        "db",
        "redis",
        "migrate",
        "web",
        "worker",
        "beat",
        "mailpit",
        "idp",
    }
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert _command(services["web"]).startswith("gunicorn coordination.wsgi")
    assert "celery -A coordination worker" in _command(services["worker"])
    assert "celery -A coordination beat" in _command(services["beat"])
    assert "manage.py migrate" in _command(services["migrate"])


@pytest.mark.parametrize("name", ["db", "redis", "web", "worker", "mailpit"])
def test_long_running_services_have_health_checks(compose: dict[str, Any], name: str) -> None:
    check = compose["services"][name]["healthcheck"]
    assert check["test"] and check["interval"] and check["retries"]


def test_app_services_wait_for_what_they_need(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }
    for service in services.values():
        for dependency in service.get("depends_on", {}):
            assert dependency in services


@pytest.mark.parametrize("name", ["migrate", "web", "worker", "beat"])
def test_app_services_get_production_settings(compose: dict[str, Any], name: str) -> None:
    env = compose["services"][name]["environment"]
    assert env["DJANGO_ENV"] == "production"
    assert env["DEBUG"] == "false"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # refuses to start without one
    for name in ("SAMORDNA_IDENTITY_KEYS", "SAMORDNA_IDENTITY_INDEX_KEY"):
        assert env[name].startswith(f"${{{name}:?")  # refuses to start without them
    assert (
        env["DATABASE_URL"].startswith("postgres://samordna:")
        and "@db:5432/" in env["DATABASE_URL"]
    )
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert env["EMAIL_HOST"] == "mailpit"


def test_every_variable_it_passes_is_read_by_the_settings(compose: dict[str, Any]) -> None:
    settings_source = (ROOT / "coordination" / "settings.py").read_text()
    env = compose["services"]["web"]["environment"]
    for name in env:
        assert re.search(rf'env_\w+\(\s*"{name}"', settings_source), name


def test_the_dockerfile_builds_the_same_entry_points() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("# ") and "FROM python:3.11" in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "collectstatic" in dockerfile and "compilemessages" in dockerfile
    assert "USER samordna" in dockerfile


def test_the_development_identity_provider_is_pinned_and_off_by_default(
    compose: dict[str, Any],
) -> None:
    idp = compose["services"]["idp"]
    assert re.fullmatch(r"ghcr\.io/navikt/mock-oauth2-server:\d+\.\d+\.\d+", idp["image"])
    assert idp["profiles"] == ["idp"]
    env = compose["x-app"]["environment"]
    for prefix in ("OIDC_STAFF", "IDPORTEN"):
        assert env[f"{prefix}_ISSUER"] == f"${{{prefix}_ISSUER:-}}"  # off unless set


def test_the_address_in_e_mails_can_be_set_from_the_env_file(compose: dict[str, Any]) -> None:
    assert compose["x-app"]["environment"]["SITE_URL"].startswith("${SITE_URL:-")
