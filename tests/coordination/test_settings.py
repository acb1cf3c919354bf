"""Settings come from the environment; production refuses unsafe values at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with exactly these variables set."""
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'], "
        "'broker': s.CELERY_BROKER_URL, 'email': s.EMAIL_BACKEND, 'lang': s.LANGUAGE_CODE, "
        "'tz': s.TIME_ZONE, 'secure_cookie': s.SESSION_COOKIE_SECURE}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "coordination.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_local_defaults_are_embedded(tmp_path: Path) -> None:
    result = _load_settings(SAMORDNA_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.sqlite3"' in result.stdout
    assert '"broker": "filesystem://"' in result.stdout
    assert '"email": "django.core.mail.backends.filebased.EmailBackend"' in result.stdout
    assert '"lang": "nb"' in result.stdout and '"tz": "Europe/Oslo"' in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _load_settings(DJANGO_ENV="production", SAMORDNA_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug(tmp_path: Path) -> None:
    result = _load_settings(
        DJANGO_ENV="production", SECRET_KEY="x" * 50, DEBUG="true", SAMORDNA_VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_takes_its_services_from_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("y" * 50)
    result = _load_settings(
        DJANGO_ENV="production",
        SECRET_KEY_FILE=str(secret),
        DATABASE_URL="postgres://samordna:pw@db:5432/samordna",
        CELERY_BROKER_URL="redis://redis:6379/0",
        EMAIL_HOST="mailpit",
        ALLOWED_HOSTS="samordna.example.no",
        SAMORDNA_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert '"debug": false' in result.stdout
    assert '"engine": "django.db.backends.postgresql"' in result.stdout
    assert '"broker": "redis://redis:6379/0"' in result.stdout
    assert '"email": "django.core.mail.backends.smtp.EmailBackend"' in result.stdout
    assert '"secure_cookie": true' in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEBUG", "kanskje"), ("EMAIL_PORT", "tjuefem"), ("DJANGO_ENV", "staging")],
)
def test_malformed_values_raise_improperly_configured(
    tmp_path: Path, name: str, value: str
) -> None:
    result = _load_settings(
        **{name: value, "EMAIL_HOST": "localhost", "SAMORDNA_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr
