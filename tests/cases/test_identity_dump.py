"""What a stolen database dump reveals of identity numbers: a ``pg_dump`` of the demo database
holds none in clear, only sealed values and blind indexes."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from cases import identity
from cases.models import Guardian, Youth

PG_DUMP = Path("/usr/bin/pg_dump")  # Debian's wrapper, which picks the server's version
# Eleven digits standing alone (not inside a longer run of letters and digits, as in base64,
# hexadecimal or a UUID): how an identity number in clear would show in a dump.
ELEVEN_DIGITS = re.compile(r"(?<![0-9A-Za-z])[0-9]{11}(?![0-9A-Za-z])")


def pg_dump() -> str:
    database = connection.settings_dict
    command = [str(PG_DUMP), "--no-owner", "--dbname", database["NAME"]]
    for option, value in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(value):
            command += [option, str(database[value])]
    env = {**os.environ, "PGPASSWORD": database.get("PASSWORD") or ""}
    return subprocess.run(
        command, env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout


def numbers_in_clear(dump: str) -> list[str]:
    """The standalone runs of eleven digits in ``dump`` that are valid identity numbers."""
    found = []
    for candidate in ELEVEN_DIGITS.findall(dump):
        try:
            identity.parse(candidate)
        except identity.InvalidIdentityNumber:
            continue
        found.append(candidate)
    return found


def test_the_check_finds_a_number_a_dump_would_hold_in_clear() -> None:
    line = "5d0c…\t13097248022\tFODSELSNUMMER\t2001-02-03\tEmma\tHansen\n"
    assert numbers_in_clear(line) == ["13097248022"]
    assert numbers_in_clear("k1:AB13097248022cd\t13097248023\t130972480220\n") == []


# Committed rows: pg_dump reads through a connection of its own.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_of_the_demo_database_holds_no_identity_number_in_clear() -> None:
    assert PG_DUMP.exists(), "pg_dump (postgresql-client) is needed"
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    youths = list(Youth.objects.all())
    guardians = list(Guardian.objects.exclude(national_id_sealed=""))
    numbers = {row.national_id for row in [*youths, *guardians]}
    assert len(youths) > 300 and len(guardians) > 50  # the demo, guardians' numbers included

    dump = pg_dump()

    # The rows are in the dump, sealed: every sealed value and index is there.
    assert all(y.national_id_sealed in dump and y.national_id_index in dump for y in youths)
    assert [number for number in numbers if number in dump] == []
    assert numbers_in_clear(dump) == []
