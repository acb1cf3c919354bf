"""Settings come from the environment; production refuses unsafe values at start-up."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _settings_json(fields: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with exactly these variables set, and print
    ``fields`` (a dict expression over the settings ``s``) as JSON."""
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({fields}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "coordination.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    return _settings_json(
        "{'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'], "
        "'broker': s.CELERY_BROKER_URL, 'email': s.EMAIL_BACKEND, 'lang': s.LANGUAGE_CODE, "
        "'tz': s.TIME_ZONE, 'secure_cookie': s.SESSION_COOKIE_SECURE}",
        **env,
    )


def _key(kid: str) -> str:
    """A well-formed key for tests (not random: the same in every test process)."""
    return f"{kid}:{base64.b64encode(kid.encode().ljust(32, b'.')).decode()}"


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


def test_production_refuses_to_start_without_identity_keys(tmp_path: Path) -> None:
    """No development keys in production: the keys come from the environment or a secret."""
    result = _load_settings(
        DJANGO_ENV="production",
        SECRET_KEY="x" * 50,
        SAMORDNA_IDENTITY_KEYS=_key("k1"),
        SAMORDNA_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SAMORDNA_IDENTITY_INDEX_KEY" in result.stderr
    assert not (tmp_path / "identity-keys").exists()


def test_local_identity_keys_are_made_once_into_var(tmp_path: Path) -> None:
    first = _load_settings(SAMORDNA_VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    made = tmp_path / "identity-keys"
    content = made.read_text()
    assert "SAMORDNA_IDENTITY_KEYS=local1:" in content
    assert "SAMORDNA_IDENTITY_INDEX_KEY=local1:" in content
    assert made.stat().st_mode & 0o777 == 0o600
    again = _load_settings(SAMORDNA_VAR_DIR=str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert made.read_text() == content  # the same keys on every later run


@pytest.mark.parametrize(
    ("keys", "index_key", "named"),
    [
        ("k1", _key("i1"), "SAMORDNA_IDENTITY_KEYS"),  # no key after the id
        ("k1:not base64!", _key("i1"), "SAMORDNA_IDENTITY_KEYS"),
        ("k1:" + base64.b64encode(b"16 bytes only...").decode(), _key("i1"), "32"),
        (f"{_key('k1')},{_key('k1')}", _key("i1"), "given twice"),
        (_key("k1"), "a key id far too long:" + _key("x").split(":")[1], "kid"),
    ],
    ids=["no-key", "not-base64", "short", "twice", "long-kid"],
)
def test_malformed_identity_keys_raise_improperly_configured(
    tmp_path: Path, keys: str, index_key: str, named: str
) -> None:
    result = _load_settings(
        SAMORDNA_IDENTITY_KEYS=keys,
        SAMORDNA_IDENTITY_INDEX_KEY=index_key,
        SAMORDNA_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and named in result.stderr
    for secret in (keys, index_key):  # the message never echoes key material
        material = secret.partition(":")[2]
        assert not material or material not in result.stderr


def test_the_index_key_must_not_be_an_encryption_key(tmp_path: Path) -> None:
    key = _key("k1")
    result = _load_settings(
        SAMORDNA_IDENTITY_KEYS=key, SAMORDNA_IDENTITY_INDEX_KEY=key, SAMORDNA_VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "must be a key of its own" in result.stderr


def test_production_refuses_debug(tmp_path: Path) -> None:
    result = _load_settings(
        DJANGO_ENV="production", SECRET_KEY="x" * 50, DEBUG="true", SAMORDNA_VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_takes_its_services_from_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("y" * 50)
    # Docker and Kubernetes secrets: the identity keys from files, one key a line.
    keys, index_key = tmp_path / "identity-keys", tmp_path / "identity-index-key"
    keys.write_text(f"{_key('k2')}\n{_key('k1')}\n")
    index_key.write_text(_key("i1") + "\n")
    result = _load_settings(
        DJANGO_ENV="production",
        SECRET_KEY_FILE=str(secret),
        SAMORDNA_IDENTITY_KEYS_FILE=str(keys),
        SAMORDNA_IDENTITY_INDEX_KEY_FILE=str(index_key),
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


def _oidc_settings(**env: str) -> subprocess.CompletedProcess[str]:
    return _settings_json(
        "{'oidc': s.SAMORDNA_OIDC, 'backends': s.AUTHENTICATION_BACKENDS, "
        "'form_action': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']}",
        **env,
    )


def test_openid_connect_log_in_is_off_unless_an_issuer_is_set(tmp_path: Path) -> None:
    result = _oidc_settings(SAMORDNA_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["oidc"] == {}
    assert not [b for b in loaded["backends"] if b.startswith("cases.oidc")]


def test_an_openid_connect_issuer_without_its_client_refuses_to_start(tmp_path: Path) -> None:
    result = _oidc_settings(
        SAMORDNA_VAR_DIR=str(tmp_path), IDPORTEN_ISSUER="https://idporten.example"
    )
    assert result.returncode != 0
    assert "IDPORTEN_CLIENT_ID" in result.stderr and "IDPORTEN_JWKS_URI" in result.stderr


def test_an_openid_connect_client_is_read_with_its_secret_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    base = "https://login.example/tenant"
    result = _oidc_settings(
        SAMORDNA_VAR_DIR=str(tmp_path),
        OIDC_STAFF_ISSUER=base,
        OIDC_STAFF_CLIENT_ID="samordna",
        OIDC_STAFF_CLIENT_SECRET_FILE=str(secret),
        OIDC_STAFF_AUTHORIZATION_ENDPOINT=f"{base}/authorize",
        OIDC_STAFF_TOKEN_ENDPOINT=f"{base}/token",
        OIDC_STAFF_JWKS_URI=f"{base}/keys",
        OIDC_STAFF_END_SESSION_ENDPOINT=f"{base}/logout",
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert set(loaded["oidc"]) == {"staff"}
    assert loaded["oidc"]["staff"]["client_secret"] == "from-a-file"
    assert loaded["oidc"]["staff"]["scopes"] == "openid"
    assert "cases.invitations.StaffInvitationBackend" in loaded["backends"]
    assert "cases.oidc.IdportenBackend" not in loaded["backends"]
    assert loaded["form_action"] == ["'self'", "https://login.example"]
