"""The project's base model validates as Django does, without reading again the rows the caller
holds: a foreign key's object at hand, and a new row's random primary key."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cases.models import Service, StaffMembership, StaffRole
from tests import factories


def test_a_new_row_with_its_keys_objects_at_hand_reads_only_its_constraint(
    people: Any, count_queries: Any
) -> None:
    user = factories.UserFactory(username="ny.ansatt")
    membership = StaffMembership(user=user, service=people.nav, role=StaffRole.CASEWORKER)
    with count_queries() as queries:
        membership.full_clean()
    # Django reads the user, the service and the new id (three queries) before the constraint:
    # one active role per user, service and role.
    reads = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(reads) == 1
    assert "cases_staffmembership" in reads[0] and '"ended_at" IS NULL' in reads[0]


def test_the_unique_constraint_is_still_checked(people: Any) -> None:
    again = StaffMembership(user=people.nav_advisor, service=people.nav, role=StaffRole.CASEWORKER)
    with pytest.raises(ValidationError) as refused:
        again.full_clean()
    assert "Brukeren har allerede denne rollen i tjenesten." in str(refused.value)


def test_a_key_given_as_an_id_is_checked_against_the_database(people: Any) -> None:
    membership = StaffMembership(
        user=people.nav_advisor, service_id=uuid.uuid4(), role=StaffRole.MANAGER
    )
    with pytest.raises(ValidationError) as refused:
        membership.full_clean()
    assert set(refused.value.message_dict) == {"service"}


def test_an_unsaved_object_is_no_key_at_hand(people: Any) -> None:
    unsaved = Service(kind="NAV", name="NAV Ulagret", municipality_number="4003")
    membership = StaffMembership(user=people.nav_advisor, role=StaffRole.MANAGER)
    membership.service = unsaved
    with pytest.raises(ValidationError) as refused:
        membership.full_clean()
    assert "service" in refused.value.message_dict


def test_a_key_changed_to_an_id_after_its_object_was_loaded_is_checked(people: Any) -> None:
    membership = StaffMembership(user=people.nav_advisor, service=people.ot, role=StaffRole.MANAGER)
    membership.service_id = uuid.uuid4()  # the object loaded before no longer matches the id
    with pytest.raises(ValidationError) as refused:
        membership.full_clean()
    assert set(refused.value.message_dict) == {"service"}
