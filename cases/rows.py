"""Plain rows for the busiest lists: the people and services a row names, without models.

A page of the caseload or of the referral inbox names a hundred or more youths, services and
staff; building a model instance for each took much of such a list's time. These rows
carry what the rows show, under the attribute names the models use, so serializers and
templates read either.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any


class Row:
    """A plain row's ``pk``: its ``id``, as on the model it stands for."""

    __slots__ = ()
    id: Any

    @property
    def pk(self) -> Any:
        return self.id


@dataclass(frozen=True, slots=True)
class ServiceRef(Row):
    """A service as a row names it."""

    id: uuid.UUID
    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class StaffRef(Row):
    """A staff member as a row names them (what ``StaffRefSerializer`` shows)."""

    id: int
    username: str
    first_name: str
    last_name: str

    def get_username(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class YouthRef(Row):
    """A youth as a row names them (what ``YouthRefSerializer`` shows)."""

    id: uuid.UUID
    first_name: str
    last_name: str
    birth_date: datetime.date

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Refs:
    """One instance per service and staff member on a page (rows share them)."""

    def __init__(self) -> None:
        self.services: dict[uuid.UUID, ServiceRef] = {}
        self.staff: dict[int, StaffRef] = {}

    def service(self, id: uuid.UUID, kind: str, name: str) -> ServiceRef:
        found = self.services.get(id)
        if found is None:
            found = self.services[id] = ServiceRef(id, kind, name)
        return found

    def staff_member(self, id: int, username: str, first: str, last: str) -> StaffRef:
        found = self.staff.get(id)
        if found is None:
            found = self.staff[id] = StaffRef(id, username, first, last)
        return found

    def person(self, id: int | None, username: str, first: str, last: str) -> StaffRef | None:
        """A staff member, or None where the row names none (a period without a responsible)."""
        return None if id is None else self.staff_member(id, username, first, last)
