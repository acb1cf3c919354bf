"""The services and staff that a list row names, read as values (``values()``): the columns to
read, and the dict a row holds for each (what ``ServiceRefSerializer`` and
``StaffRefSerializer`` show). The caseload, the referral boxes and the timeline read them."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any


@cache
def service_columns(relation: str = "service") -> tuple[str, str, str]:
    """The columns of the service ``relation`` names: its id, kind and name."""
    return f"{relation}_id", f"{relation}__kind", f"{relation}__name"


def service(values: Mapping[str, Any], relation: str = "service") -> dict[str, Any]:
    """The service ``relation`` names in a row's values."""
    pk, kind, name = service_columns(relation)
    return {"id": values[pk], "kind": values[kind], "name": values[name]}


@cache
def staff_columns(relation: str) -> tuple[str, str, str, str]:
    """The columns of the staff member ``relation`` names: id, username, first and last name."""
    return (
        f"{relation}_id",
        f"{relation}__username",
        f"{relation}__first_name",
        f"{relation}__last_name",
    )


def staff(values: Mapping[str, Any], relation: str) -> dict[str, Any] | None:
    """The staff member ``relation`` names in a row's values, or None where it names none."""
    pk, username, first_name, last_name = staff_columns(relation)
    if values[pk] is None:
        return None
    return {
        "username": values[username],
        "first_name": values[first_name],
        "last_name": values[last_name],
    }
