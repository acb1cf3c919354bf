"""Identity numbers per domain.md §8: examples of each kind, valid and invalid.

Examples come from NAV's public test suite for fnrvalidator (navikt/fnrvalidator) and from
Skatteetaten's description of the 2032 rule.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import identity
from cases.identity import NumberKind
from cases.validators import parse_national_id

TODAY = datetime.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("number", "kind", "birth_date"),
    [
        ("13097248022", NumberKind.FODSELSNUMMER, datetime.date(1972, 9, 13)),
        ("29029648784", NumberKind.FODSELSNUMMER, datetime.date(1996, 2, 29)),
        ("29020075838", NumberKind.FODSELSNUMMER, datetime.date(2000, 2, 29)),
        ("15021951940", NumberKind.FODSELSNUMMER, datetime.date(2019, 2, 15)),
        ("130972 48022", NumberKind.FODSELSNUMMER, datetime.date(1972, 9, 13)),
        ("53097248016", NumberKind.D_NUMMER, datetime.date(1972, 9, 13)),
        ("13527248013", NumberKind.H_NUMMER, datetime.date(1972, 12, 13)),
        ("70108299914", NumberKind.D_NUMMER, datetime.date(1982, 10, 30)),
        ("10915596784", NumberKind.SYNTETISK, datetime.date(1955, 11, 10)),
        ("68467038838", NumberKind.SYNTETISK_D_NUMMER, datetime.date(1970, 6, 28)),
        ("50846202355", NumberKind.SYNTETISK_D_NUMMER, datetime.date(1962, 4, 10)),
    ],
)
def test_it_accepts_valid_numbers_of_each_kind(
    number: str, kind: NumberKind, birth_date: datetime.date
) -> None:
    parsed = identity.parse(number, today=TODAY)
    assert parsed.kind == kind
    assert parsed.birth_date == birth_date
    assert parsed.classic_checksum


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("1234567890", "length"),
        ("123456789101", "length"),
        ("1234567891A", "format"),
        ("13097248032", "checksum"),  # wrong k1
        ("13097248023", "checksum"),  # wrong k2
        ("29020112345", "checksum"),
        ("32127248022", "checksum"),
        ("13137248022", "checksum"),
        ("02013299987", "checksum"),  # 2032 rule: k1 remainder out of 0-3
        ("02013299996", "checksum"),
    ],
)
def test_it_refuses_invalid_numbers_with_a_reason(number: str, code: str) -> None:
    with pytest.raises(identity.InvalidIdentityNumber) as excinfo:
        identity.parse(number, today=TODAY)
    assert excinfo.value.code == code


def test_it_refuses_an_impossible_date_with_valid_check_digits() -> None:
    number = identity.with_check_digits("310472480")  # 31 April
    assert number is not None
    with pytest.raises(identity.InvalidIdentityNumber) as excinfo:
        identity.parse(number, today=TODAY)
    assert excinfo.value.code == "date"


def test_it_refuses_29_february_in_a_year_no_century_makes_leap() -> None:
    number = identity.with_check_digits("290201499")  # 29.02.01 (1901/2001: neither leap)
    assert number is not None
    with pytest.raises(identity.InvalidIdentityNumber):
        identity.parse(number, today=TODAY)


def test_it_refuses_a_birth_date_in_the_future() -> None:
    # Classic check digits, born 02.01.2032: valid once that day has come.
    with pytest.raises(identity.InvalidIdentityNumber) as excinfo:
        identity.parse("02013299997", today=TODAY)
    assert excinfo.value.code == "future"
    assert identity.parse("02013299997", today=datetime.date(2032, 1, 2)).birth_date == (
        datetime.date(2032, 1, 2)
    )


def test_the_2032_rule_accepts_k1_remainders_1_to_3_and_leaves_the_century_open() -> None:
    parsed = identity.parse("30108299939", today=TODAY)
    assert not parsed.classic_checksum
    assert parsed.birth_date is None
    assert (parsed.day, parsed.month, parsed.two_digit_year) == (30, 10, 82)
    assert parsed.matches_birth_date(datetime.date(1982, 10, 30))
    assert not parsed.matches_birth_date(datetime.date(1982, 10, 31))


def test_the_2032_rule_keeps_remainder_0_as_a_classic_number() -> None:
    parsed = identity.parse("30108299920", today=TODAY)
    assert parsed.classic_checksum
    assert parsed.birth_date == datetime.date(1982, 10, 30)


def test_fh_numbers_are_not_accepted_as_national_numbers() -> None:
    number = identity.with_check_digits("812345678")
    assert number is not None
    with pytest.raises(identity.InvalidIdentityNumber) as excinfo:
        identity.parse(number, today=TODAY)
    assert excinfo.value.code == "fh_number"


def test_with_check_digits_round_trips_for_every_k1_target() -> None:
    for target in identity.K1_REMAINDERS_2032:
        number = identity.with_check_digits("150599123", k1_remainder_target=target)
        if number is not None:
            assert identity.k1_remainder(number) == target
            assert identity.k2_is_valid(number)


def test_mask_shows_only_the_birth_date_part() -> None:
    assert identity.mask("13097248022") == "130972*****"


def test_synthetic_numbers_are_refused_where_the_deployment_forbids_them(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SAMORDNA_ALLOW_SYNTHETIC_IDENTITY_NUMBERS = False
    with pytest.raises(ValidationError) as excinfo:
        parse_national_id("10915596784")
    assert excinfo.value.code == "synthetic"
    assert parse_national_id("13097248022").kind == NumberKind.FODSELSNUMMER
