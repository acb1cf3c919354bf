"""``manage.py rotate_identity_keys``: stored identity numbers move to the current keys, in
batches, and a second run finds nothing to do."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Guardian, GuardianRelation, Youth, national_id_matches
from tests import factories
from tests.conftest import People


def key(kid: str, fill: int) -> str:
    return f"{kid}:{base64.b64encode(bytes([fill]) * 32).decode()}"


def rotate(batch_size: int = 2) -> str:
    out = io.StringIO()
    call_command("rotate_identity_keys", "--batch-size", str(batch_size), stdout=out)
    return out.getvalue()


def numbers() -> dict[Any, str]:
    return {youth.pk: youth.national_id for youth in Youth.objects.all()}


@pytest.fixture
def registry(people: People) -> People:
    """Four youths (the fixture's and three more) and a guardian with a number."""
    for name in ("Ola", "Kari", "Per"):
        factories.register_youth(people.nav_advisor, people.nav, first_name=name)
    services.guardian_add(
        actor=people.nav_advisor,
        youth=people.youth,
        full_name="Kari Hansen",
        relation=GuardianRelation.PARENT,
        has_parental_responsibility=True,
        national_id=factories.synthetic_number(factories.years_ago(45)),
    )
    return people


def test_numbers_under_an_old_key_move_to_the_new_one_and_a_second_run_skips_them(
    registry: People, settings: Any
) -> None:
    before = numbers()
    guardian = Guardian.objects.get(full_name="Kari Hansen")
    indexes = set(Youth.objects.values_list("national_id_index", flat=True))
    old_keys = settings.SAMORDNA_IDENTITY_KEYS
    settings.SAMORDNA_IDENTITY_KEYS = f"{key('k2', 2)},{old_keys}"
    assert numbers() == before  # the old key still opens what it sealed

    report = rotate(batch_size=3)  # the four youths in two batches

    assert "encryption 'k2'" in report
    assert "cases.Youth: 4 moved to the current keys, 0 already under them." in report
    assert "cases.Guardian: 1 moved to the current keys, 0 already under them." in report
    sealed = Youth.objects.values_list("national_id_sealed", flat=True)
    assert all(value.startswith("k2:") for value in sealed)
    assert set(Youth.objects.values_list("national_id_index", flat=True)) == indexes
    assert rotate().endswith(
        "cases.Youth: 0 moved to the current keys, 4 already under them.\n"
        "cases.Guardian: 0 moved to the current keys, 1 already under them.\n"
    )
    settings.SAMORDNA_IDENTITY_KEYS = key("k2", 2)  # the old key can go now
    assert numbers() == before
    guardian.refresh_from_db()
    assert guardian.national_id_sealed.startswith("k2:") and guardian.national_id


def test_the_blind_index_moves_to_a_new_index_key_without_sealing_anew(
    registry: People, settings: Any
) -> None:
    before = numbers()
    sealed = set(Youth.objects.values_list("national_id_sealed", flat=True))
    settings.SAMORDNA_IDENTITY_INDEX_KEY = f"{key('i2', 9)},{settings.SAMORDNA_IDENTITY_INDEX_KEY}"

    assert "cases.Youth: 4 moved to the current keys" in rotate()

    assert set(Youth.objects.values_list("national_id_sealed", flat=True)) == sealed
    settings.SAMORDNA_IDENTITY_INDEX_KEY = key("i2", 9)  # the old index key can go now
    for pk, number in before.items():
        assert Youth.objects.get(national_id_matches(number)).pk == pk
    assert Guardian.objects.filter(national_id_matches(registry.youth.guardians.get().national_id))


def test_an_altered_value_stops_the_rotation_and_names_the_row(
    registry: People, settings: Any
) -> None:
    other = Youth.objects.exclude(pk=registry.youth.pk).first()
    assert other is not None
    Youth.objects.filter(pk=registry.youth.pk).update(national_id_sealed=other.national_id_sealed)
    settings.SAMORDNA_IDENTITY_KEYS = f"{key('k2', 2)},{settings.SAMORDNA_IDENTITY_KEYS}"
    with pytest.raises(CommandError, match=str(registry.youth.pk)):
        rotate(batch_size=1000)


@pytest.mark.parametrize("extra", [2, 29])
def test_a_rotation_runs_the_same_queries_for_3_youths_as_for_30(
    people: People, settings: Any, extra: int
) -> None:
    for _ in range(extra):
        factories.register_youth(people.nav_advisor, people.nav)
    settings.SAMORDNA_IDENTITY_KEYS = f"{key('k2', 2)},{settings.SAMORDNA_IDENTITY_KEYS}"
    with CaptureQueriesContext(connection) as captured:
        report = rotate(batch_size=1000)
    assert f"cases.Youth: {extra + 1} moved" in report
    # Per table: the count of rows already current, a batch read and its writes (executemany,
    # one round of the pipeline), and the read that finds no more.
    # Django logs an executemany as "<rows> times: <statement>".
    logged = [re.sub(r"^\d+ times: ", "", q["sql"]) for q in captured.captured_queries]
    statements = [sql.split()[0] for sql in logged if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    assert statements == ["SELECT", "SELECT", "UPDATE", "SELECT", "SELECT", "SELECT"]
    assert f"{extra + 1} times: UPDATE" in " ".join(q["sql"] for q in captured.captured_queries)
