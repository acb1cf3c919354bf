"""The municipality register: Norway's counties and municipalities by number, from the file
bundled with the code (``cases/data/municipalities.csv``, SSB's classifications 104 and 131 as of
1 January 2024, with that year's split of Viken, Vestfold og Telemark and Troms og Finnmark).

A youth's municipality is stored as its four-digit number; pages show the name. A number the
register does not hold (one retired before 2024) has no name, and the page shows the number."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

REGISTER = Path(__file__).resolve().parent / "data" / "municipalities.csv"


@cache
def _register() -> tuple[dict[str, str], dict[str, str]]:
    """(counties, municipalities): number -> name, read once."""
    counties: dict[str, str] = {}
    municipalities: dict[str, str] = {}
    with REGISTER.open(encoding="utf-8") as file:
        rows = csv.DictReader(line for line in file if not line.startswith("#"))
        for row in rows:
            wanted = counties if row["kind"] == "county" else municipalities
            wanted[row["number"]] = row["name"]
    return counties, municipalities


def name_of(number: str | None) -> str | None:
    """The municipality's name (``"0301"`` → ``"Oslo"``), or None for a number the register does
    not hold."""
    return _register()[1].get(number or "")


def county_of(number: str | None) -> str | None:
    """The name of the county a municipality lies in (its number's first two digits)."""
    if not number or number not in _register()[1]:
        return None
    return _register()[0].get(number[:2])


def numbers() -> dict[str, str]:
    """Every municipality: number -> name, in number order."""
    return dict(sorted(_register()[1].items()))


# Norwegian alphabetical order puts Æ, Ø and Å after Z, in that order.
_NORWEGIAN = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def sort_key(name: str) -> str:
    """A name's place in Norwegian alphabetical order."""
    return name.casefold().translate(_NORWEGIAN)


def choices() -> list[tuple[str, str]]:
    """The municipalities for a form's choice, by name: ("4003", "Skien (4003)")."""
    return sorted(
        ((number, f"{name} ({number})") for number, name in _register()[1].items()),
        key=lambda choice: (sort_key(choice[1]), choice[0]),
    )


def by_name() -> list[str]:
    """Municipality numbers in the alphabetical order of their names (a sort by municipality)."""
    return [number for number, _label in choices()]
