"""Norwegian national identity numbers (domain.md §8).

One parse classifies a number and derives the birth date where it can be derived. It covers the
classic check digits, D-numbers (day + 40) and H-numbers (month + 40), and what general number
libraries lack:

- the 2032 rule (Skatteetaten, "nytt fødselsnummer fra 2032"): the first check digit k1 may leave
  a remainder of 0, 1, 2 or 3 instead of only 0, and the century can no longer be read from the
  individual number;
- Skatteetaten's synthetic test numbers (month + 80, used in Tenor), alone or on a D-number.

NAV's synthetic numbers (month + 40) share the H-number encoding and cannot be told apart from it.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass

K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# Remainders of (weighted sum + k1) mod 11 accepted for k1; 0 alone is the classic rule.
K1_REMAINDERS_2032 = (0, 1, 2, 3)


class NumberKind(enum.StrEnum):
    FODSELSNUMMER = "FODSELSNUMMER"
    D_NUMMER = "D_NUMMER"
    H_NUMMER = "H_NUMMER"  # also NAV's synthetic test numbers (month + 40)
    SYNTETISK = "SYNTETISK"  # Skatteetaten's synthetic test numbers (month + 80)
    SYNTETISK_D_NUMMER = "SYNTETISK_D_NUMMER"


class InvalidIdentityNumber(ValueError):
    """The number is not a valid identity number; ``code`` says why, for messages and tests."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IdentityNumber:
    value: str
    kind: NumberKind
    classic_checksum: bool  # False when only the 2032 rule makes k1 valid
    birth_date: datetime.date | None  # None where the century cannot be read
    day: int
    month: int
    two_digit_year: int

    @property
    def is_synthetic(self) -> bool:
        return self.kind in {NumberKind.SYNTETISK, NumberKind.SYNTETISK_D_NUMMER}

    def matches_birth_date(self, birth_date: datetime.date) -> bool:
        """Whether a birth date agrees with the DDMMYY the number carries."""
        return (birth_date.day, birth_date.month, birth_date.year % 100) == (
            self.day,
            self.month,
            self.two_digit_year,
        )


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(w * int(d) for w, d in zip(weights, digits, strict=False))


def k1_remainder(number: str) -> int:
    """(weighted sum of the first nine digits + k1) mod 11: 0 classic, 1-3 allowed from 2032."""
    return (_weighted(number[:9], K1_WEIGHTS) + int(number[9])) % 11


def k2_is_valid(number: str) -> bool:
    return (_weighted(number[:10], K2_WEIGHTS) + int(number[10])) % 11 == 0


# What people put between the digits when they type or paste a number ("150505 50025",
# "150505-50025"): any white space (also no-break space) and the dashes a keyboard or a word
# processor gives.
DASHES = "-\u2010\u2011\u2012\u2013\u2212"
_SEPARATOR = rf"[\s{re.escape(DASHES)}]"
_SEPARATORS = re.compile(rf"{_SEPARATOR}+")
# Eleven digits in a row, with separators as above between any of them (the one pattern of a
# number in free text: searches refuse it, the log filter masks it).
ELEVEN_DIGITS = rf"[0-9](?:{_SEPARATOR}*[0-9]){{10}}"
_ELEVEN_DIGITS = re.compile(ELEVEN_DIGITS)


def normalise(number: str) -> str:
    """The number as stored and compared: without the separators people type.

    Every place that takes an identity number goes through this (``parse`` for registering and
    validating, the look-up for searching), so a number typed with spaces or a dash finds the
    youth registered without.
    """
    return _SEPARATORS.sub("", number)


def contains_identity_number(text: str) -> bool:
    """Whether ``text`` holds a run of eleven digits (separated as ``normalise`` allows)."""
    return _ELEVEN_DIGITS.search(text) is not None


def _classic_century(two_digit_year: int, individual: int) -> int | None:
    """The century the classic individual-number ranges give, or None outside them."""
    if individual < 500:
        return 1900
    if individual < 750 and two_digit_year >= 54:
        return 1800
    if two_digit_year < 40:
        return 2000
    if individual >= 900:
        return 1900
    return None


def parse(number: str, *, today: datetime.date | None = None) -> IdentityNumber:
    """Validate and classify ``number``; raise InvalidIdentityNumber with a reason code."""
    value = normalise(number)
    if len(value) != 11:
        raise InvalidIdentityNumber("length")
    # ASCII only: str.isdigit() also takes digits int() cannot read ("²") and other scripts'.
    if not (value.isascii() and value.isdigit()):
        raise InvalidIdentityNumber("format")
    remainder = k1_remainder(value)
    if remainder not in K1_REMAINDERS_2032 or not k2_is_valid(value):
        raise InvalidIdentityNumber("checksum")

    day, month, yy = int(value[0:2]), int(value[2:4]), int(value[4:6])
    is_d = day > 40
    if day >= 80:
        # FH-numbers (first digit 8 or 9) carry no birth date; they are not national numbers.
        raise InvalidIdentityNumber("fh_number")
    if is_d:
        day -= 40
    if month > 80:
        month -= 80
        kind = NumberKind.SYNTETISK_D_NUMMER if is_d else NumberKind.SYNTETISK
    elif month > 40:
        month -= 40
        # A D-number never has month + 40 outside NAV's synthetic test data.
        kind = NumberKind.SYNTETISK_D_NUMMER if is_d else NumberKind.H_NUMMER
    else:
        kind = NumberKind.D_NUMMER if is_d else NumberKind.FODSELSNUMMER

    classic = remainder == 0
    # From 2032 the century is not in the number; we read it only under the classic rule.
    century = _classic_century(yy, int(value[6:9])) if classic else None
    # Check DD/MM even when the century is unknown; 2000 + yy is a leap year whenever either
    # century is, so 29 February is only refused where no century allows it.
    try:
        date = datetime.date((century if century is not None else 2000) + yy, month, day)
    except ValueError as exc:
        raise InvalidIdentityNumber("date") from exc
    birth_date = date if century is not None else None
    if birth_date is not None and birth_date > (today or datetime.date.today()):
        raise InvalidIdentityNumber("future")
    return IdentityNumber(
        value=value,
        kind=kind,
        classic_checksum=classic,
        birth_date=birth_date,
        day=day,
        month=month,
        two_digit_year=yy,
    )


def with_check_digits(first_nine: str, *, k1_remainder_target: int = 0) -> str | None:
    """Complete nine digits into a valid number, or None if no valid check digits exist.

    Used by the demo data and the tests to make synthetic numbers.
    """
    k1 = (k1_remainder_target - _weighted(first_nine, K1_WEIGHTS)) % 11
    if k1 == 10:
        return None
    ten = first_nine + str(k1)
    k2 = (-_weighted(ten, K2_WEIGHTS)) % 11
    if k2 == 10:
        return None
    return ten + str(k2)


def mask(number: str) -> str:
    """What may be shown where the full number must not be: the birth-date part only."""
    value = normalise(number)
    return value[:6] + "*****" if len(value) == 11 else "*" * len(value)
