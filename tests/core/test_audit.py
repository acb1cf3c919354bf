"""The audit trail: one entry per state change, with sensitive values masked."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from core.audit import MASK, audit_record, mask_sensitive
from core.models import AuditEntry


def test_sensitive_values_are_masked_at_any_depth_whatever_the_case_of_the_key() -> None:
    data = {
        "national_id": "13097248022",
        "name": "Emma",
        "guardian": {"Fodselsnummer": "13097248022", "phone": "40000000"},
        "login": {"credentials": {"PASSWORD": "hemmelig", "token": "abc"}},
    }

    assert mask_sensitive(data) == {
        "national_id": MASK,
        "name": "Emma",
        "guardian": {"Fodselsnummer": MASK, "phone": "40000000"},
        "login": {"credentials": {"PASSWORD": MASK, "token": MASK}},
    }
    assert data["national_id"] == "13097248022"  # the caller's data is left as it was


def test_an_entry_names_actor_subject_and_target_and_masks_its_data(people: Any) -> None:
    entry = audit_record(
        actor=people.nav_advisor,
        action="test.changed",
        subject=people.youth,
        target=people.nav,
        data={"identity_number": "13097248022", "field": "name"},
    )

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor, stored.action, stored.subject) == (
        people.nav_advisor,
        "test.changed",
        people.youth,
    )
    assert (stored.target_type, stored.target_id) == ("cases.Service", str(people.nav.pk))
    assert stored.data == {"identity_number": MASK, "field": "name"}


def test_an_entry_without_a_signed_in_actor_names_nobody(db: Any) -> None:
    entry = audit_record(actor=AnonymousUser(), action="test.system")

    assert (entry.actor, entry.subject, entry.target_type, entry.target_id, entry.data) == (
        None,
        None,
        "",
        "",
        {},
    )
