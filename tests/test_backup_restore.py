"""The backup procedure of docs/operations.md: a ``pg_dump`` of a database with demo data,
restored with ``pg_restore`` into a new database, holds every table's rows, and the access
log's hash chain verifies there."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from cases.models import Youth
from consent import chain
from consent.models import AccessLogEntry, AccessLogSeal

ROOT = Path(__file__).resolve().parents[1]
BIN = Path("/usr/bin")  # Debian's wrappers, which pick the server's version


def _libpq(database: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    options = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            options += [option, str(database[key])]
    return options, {**os.environ, "PGPASSWORD": database.get("PASSWORD") or ""}


def _url(database: dict[str, Any], name: str) -> str:
    user = quote(database.get("USER") or "")
    password = f":{quote(database['PASSWORD'])}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{name}"


def _counts(url: str) -> dict[str, int]:
    """Rows of every table of the public schema (partitions counted in their parent)."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
            )
        ]
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]
            for table in tables
        }


@pytest.fixture
def restored_name() -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_restored"
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Committed rows: pg_dump reads through a connection of its own.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_restored_into_a_new_database_has_every_row_and_a_verified_access_log(
    tmp_path: Path, restored_name: str
) -> None:
    assert (BIN / "pg_dump").exists() and (BIN / "pg_restore").exists()
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    # A few looks, so the access log and its chain have rows to restore.
    client = Client()
    youths = list(Youth.objects.order_by("pk")[:3])
    staff = get_user_model().objects.filter(memberships__isnull=False).first()
    client.force_login(staff)
    for youth in youths:
        client.get(f"/youths/{youth.pk}/")
    chain.seal(now=timezone.now() + datetime.timedelta(hours=1), wait=True)
    assert AccessLogSeal.objects.count() == AccessLogEntry.objects.count() > 0

    database = connection.settings_dict
    options, env = _libpq(database)
    dump = tmp_path / "samordna.dump"
    plain = ["--format=custom", "--no-owner", "--file", str(dump), "--dbname", database["NAME"]]
    subprocess.run(
        [str(BIN / "pg_dump"), *options, *plain],
        env=env,
        check=True,
        timeout=300,
    )
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored_name}"')
    into = ["--no-owner", "--exit-on-error", "--dbname", restored_name, str(dump)]
    subprocess.run(
        [str(BIN / "pg_restore"), *options, *into],
        env=env,
        check=True,
        timeout=300,
    )

    source = _counts(_url(database, database["NAME"]))
    restored = _counts(_url(database, restored_name))
    assert restored == source
    assert source["cases_youth"] > 300 and source["consent_accesslogentry"] > 0

    verified = subprocess.run(
        [sys.executable, "manage.py", "verify_access_log", "--no-seal"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _url(database, restored_name)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    links = AccessLogSeal.objects.count()
    assert f"Checked {links} links" in verified.stdout and "The chain holds." in verified.stdout
