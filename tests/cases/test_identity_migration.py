"""The migration that encrypts identity numbers: every number sealed, none left in clear, and
back again."""

from __future__ import annotations

import datetime
import importlib
import uuid
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import Youth, national_id_matches
from tests import factories
from tests.conftest import People

BEFORE = [("cases", "0014_protected_identities")]
AFTER = [("cases", "0015_identity_numbers_encrypted")]
migration = importlib.import_module("cases.migrations.0015_identity_numbers_encrypted")


def _migrate(targets: list[tuple[str, str]]) -> Any:
    # The test's rows were written in this transaction: their deferred foreign-key checks run
    # now, so no table a migration alters has pending trigger events.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def test_the_migration_seals_every_number_and_drops_the_clear_column(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches from a few rows
    kept = people.youth.national_id
    old_apps = _migrate(BEFORE)
    assert "national_id" in _columns("cases_youth")
    assert "national_id_sealed" not in _columns("cases_youth")
    old_youth = old_apps.get_model("cases", "Youth")
    assert old_youth.objects.get(pk=people.youth.pk).national_id == kept  # opened going back
    born = factories.years_ago(20)
    numbers = {uuid.uuid4(): factories.synthetic_number(born) for _ in range(4)}
    for pk, number in numbers.items():
        old_youth.objects.create(
            id=pk,
            national_id=number,
            national_id_kind="SYNTETISK",
            birth_date=born,
            first_name="Før",
            last_name="Kryptering",
            municipality_number="4003",
            created_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        )
    numbers[people.youth.pk] = kept

    _migrate(AFTER)

    assert "national_id" not in _columns("cases_youth")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_youth")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    for pk, number in numbers.items():
        assert number not in stored
        youth = Youth.objects.get(national_id_matches(number))
        assert (youth.pk, youth.national_id) == (pk, number)
    constraints = connection.introspection.get_constraints(connection.cursor(), "cases_youth")
    assert any(c["unique"] and c["columns"] == ["national_id_index"] for c in constraints.values())
