"""How a dump is searched for identity numbers in clear. The dump of the demo database is
searched with it in tests/test_backup_restore.py, which makes and restores that dump."""

from __future__ import annotations

import re

from cases import identity

# Eleven digits standing alone (not inside a longer run of letters and digits, as in base64,
# hexadecimal or a UUID): how an identity number in clear would show in a dump.
ELEVEN_DIGITS = re.compile(r"(?<![0-9A-Za-z])[0-9]{11}(?![0-9A-Za-z])")


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
