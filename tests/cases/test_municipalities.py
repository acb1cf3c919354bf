"""The bundled municipality register (SSB classification 131, from 1 January 2024)."""

from __future__ import annotations

import pytest

from cases import municipalities


@pytest.mark.parametrize(
    ("number", "name"),
    [
        ("0301", "Oslo"),
        ("4601", "Bergen"),
        ("5001", "Trondheim"),
        ("1103", "Stavanger"),
        ("3301", "Drammen"),  # Buskerud from 2024 (3005 in Viken before)
        ("3201", "Bærum"),  # Akershus from 2024 (3024 in Viken before)
        ("3107", "Fredrikstad"),  # Østfold from 2024 (3004 in Viken before)
        ("3905", "Tønsberg"),  # Vestfold from 2024 (3803 in Vestfold og Telemark before)
        ("4003", "Skien"),  # Telemark from 2024 (3807 before)
        ("5501", "Tromsø"),  # Troms from 2024 (5401 in Troms og Finnmark before)
        ("5601", "Alta"),  # Finnmark from 2024 (5403 before)
        ("1580", "Haram"),  # split from Ålesund in 2024
    ],
)
def test_name_of_names_municipalities_by_their_2024_numbers(number: str, name: str) -> None:
    assert municipalities.name_of(number) == name


@pytest.mark.parametrize("retired", ["3005", "3024", "3803", "5401", "5403", "1507"])
def test_numbers_retired_by_the_2024_reform_have_no_name(retired: str) -> None:
    assert municipalities.name_of(retired) is None


def test_the_2024_reform_split_viken_vestfold_og_telemark_and_troms_og_finnmark() -> None:
    assert municipalities.county_of("3301") == "Buskerud"
    assert municipalities.county_of("3201") == "Akershus"
    assert municipalities.county_of("3101") == "Østfold"
    assert municipalities.county_of("3901") == "Vestfold"
    assert municipalities.county_of("4001") == "Telemark"
    assert municipalities.county_of("5501") == "Troms"
    assert municipalities.county_of("5601") == "Finnmark"
    assert municipalities.county_of("3005") is None


def test_the_register_holds_the_357_municipalities_of_2024() -> None:
    numbers = municipalities.numbers()
    assert len(numbers) == 357
    assert all(len(number) == 4 and number.isdigit() for number in numbers)
    assert {number[:2] for number in numbers} == {
        *("03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55"),
        "56",
    }


def test_municipalities_are_offered_in_norwegian_alphabetical_order() -> None:
    labels = [label for _number, label in municipalities.choices()]
    assert labels[0] == "Alstahaug (1820)"
    # Æ, Ø and Å come after Z, in that order.
    assert labels.index("Vinje (4036)") < labels.index("Øksnes (1868)")
    assert labels.index("Øksnes (1868)") < labels.index("Ørland (5057)")
    assert labels.index("Øystre Slidre (3453)") < labels.index("Åfjord (5058)")
    assert labels[-1] == "Åsnes (3418)"
