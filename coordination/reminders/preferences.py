"""How a staff member wants reminders: read and changed here, by the API and the page alike."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from coordination.models import DigestMode, ReminderPreference
from coordination.reminders import planning
from core.audit import audit_record


def reminder_mode(user: Any) -> str:
    """The user's choice, or at once (the default) when they have made none. One query."""
    preference = ReminderPreference.objects.filter(user=user).first()
    return preference.mode if preference else DigestMode.IMMEDIATE


@transaction.atomic
def reminder_preference_set(*, actor: Any, mode: str) -> ReminderPreference:
    """Set how ``actor`` is reminded and move their reminders not yet sent to the new send
    times, in one transaction (the preference row locked, so two changes at once queue)."""
    existing = ReminderPreference.objects.select_for_update().filter(user=actor).first()
    previous = existing.mode if existing else None
    preference = existing or ReminderPreference(user=actor)
    preference.mode = mode
    preference.full_clean(validate_unique=False)
    if existing:
        preference.save(update_fields=["mode", "updated_at"])
    else:
        preference.save(force_insert=True)
    planning.replan_for_user(actor)
    audit_record(
        actor=actor, action="reminder_preference.changed", data={"mode": mode, "was": previous}
    )
    return preference
