"""The backup procedure of docs/operations.md: a ``pg_dump`` of the demo database holds no
identity number in clear (only sealed values and blind indexes: what a stolen dump reveals), and
restored with ``pg_restore`` into a new database it holds every table's rows, and the access
log's hash chain verifies there. One demo, one dump, for both: seeding the demo is the slow part,
so the demo is the one made on the late-November day of tests/coordination/test_demo_any_day.py,
and this test also holds it to that test's rules."""

from __future__ import annotations

import datetime
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
from django.db import connection
from django.test import Client
from django.utils import timezone

from cases.models import Guardian, Youth
from consent import chain
from consent.models import AccessLogEntry, AccessLogSeal
from tests.cases.test_identity_dump import numbers_in_clear
from tests.coordination.test_demo_any_day import (
    DUMPED,
    INSTANTS,
    OSLO,
    assert_the_demo_follows_the_rules,
    seed_demo_on,
)

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
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_of_the_demo_holds_no_identity_number_in_clear_and_restores_whole(
    tmp_path: Path, restored_name: str
) -> None:
    assert (BIN / "pg_dump").exists() and (BIN / "pg_restore").exists()
    moment = INSTANTS[DUMPED]
    output = seed_demo_on(moment)
    assert_the_demo_follows_the_rules(moment.astimezone(OSLO).date(), output)
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

    # What the dump holds, as SQL text (the custom format is only compressed).
    text = subprocess.run(
        [str(BIN / "pg_restore"), "--file=-", str(dump)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    guardians = list(Guardian.objects.exclude(national_id_sealed=""))
    assert len(guardians) > 50  # the demo, guardians' numbers included
    sealed = [*Youth.objects.all(), *guardians]
    assert all(row.national_id_sealed in text and row.national_id_index in text for row in sealed)
    assert [row.national_id for row in sealed if row.national_id in text] == []
    assert numbers_in_clear(text) == []

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
