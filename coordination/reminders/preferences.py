"""How a staff member wants reminders, and where the youth wants notices: read and changed here,
by the API and the pages alike."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cases.services.common import field_error
from coordination.models import (
    DigestMode,
    NoticeSettings,
    Reminder,
    ReminderChannel,
    ReminderPreference,
    ReminderStage,
    ReminderStatus,
)
from coordination.reminders import notices, planning
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


@transaction.atomic
def notice_settings_set(
    *, actor: Any, youth: Any, email: str, mobile: str, email_on: bool, sms_on: bool
) -> NoticeSettings:
    """Where the youth wants notices that something new waits: an e-mail address and a
    Norwegian mobile number, each used only while turned on. A channel turned off takes its
    pending notices with it. The audit entry says which channels are on, not the addresses."""
    number = ""
    if mobile.strip():
        number = notices.norwegian_mobile(mobile) or ""
        if not number:
            raise field_error(
                "mobile",
                _("Skriv et norsk mobilnummer med åtte sifre, som 912 34 567."),
                "invalid_mobile",
            )
    if email_on and not email.strip():
        raise field_error(
            "email", _("Skriv e-postadressen du vil ha varsel til."), "email_required"
        )
    if sms_on and not number:
        raise field_error(
            "mobile", _("Skriv mobilnummeret du vil ha varsel til."), "mobile_required"
        )
    existing = NoticeSettings.objects.select_for_update().filter(youth=youth).first()
    row = existing or NoticeSettings(youth=youth)
    row.email, row.mobile = email.strip(), number
    row.email_on, row.sms_on = email_on, sms_on
    row.full_clean(validate_unique=False)
    if existing:
        row.save(update_fields=["email", "mobile", "email_on", "sms_on", "updated_at"])
    else:
        row.save(force_insert=True)
    off = [c for c in ReminderChannel.values if not row.address(c)]
    Reminder.objects.filter(
        stage=ReminderStage.NOTICE,
        status=ReminderStatus.PENDING,
        recipient_key=f"youth:{youth.pk}",
        channel__in=off,
    ).update(status=ReminderStatus.CANCELLED, claim_token=None)
    audit_record(
        actor=actor,
        action="notice_settings.changed",
        subject=youth,
        data={"email_on": email_on, "sms_on": sms_on},
    )
    return row
