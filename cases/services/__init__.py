"""Writes of ``cases``. Each service runs in one transaction and audits what it changed."""

from cases.services.activities import (
    ACTIVITY_FIELDS,
    activity_add,
    activity_change,
    activity_plan_approve,
    activity_plan_create,
    activity_push,
    decision_record,
)
from cases.services.consents import consent_give, consent_guardian_answer, consent_withdraw
from cases.services.disclosures import disclosure_make
from cases.services.followup import (
    ENTRY_EDITABLE_FIELDS,
    edit_window_closed,
    entry_delete,
    entry_edit,
    entry_log,
)
from cases.services.handovers import (
    handover_accept,
    handover_cancel,
    handover_decline,
    handover_offer,
)
from cases.services.health_objections import health_objection_record, health_objection_withdraw
from cases.services.referrals import (
    referral_accept,
    referral_close,
    referral_decline,
    referral_open,
    referral_reroute,
    referral_send,
    referral_withdraw,
)
from cases.services.registry import (
    YOUTH_EDITABLE_FIELDS,
    guardian_add,
    membership_add,
    membership_end,
    period_close,
    period_open,
    period_reassign,
    responsibility_change,
    service_create,
    youth_register,
    youth_update,
)

__all__ = [
    "ACTIVITY_FIELDS",
    "ENTRY_EDITABLE_FIELDS",
    "YOUTH_EDITABLE_FIELDS",
    "activity_add",
    "activity_change",
    "activity_plan_approve",
    "activity_plan_create",
    "activity_push",
    "consent_give",
    "consent_guardian_answer",
    "consent_withdraw",
    "decision_record",
    "disclosure_make",
    "edit_window_closed",
    "entry_delete",
    "entry_edit",
    "entry_log",
    "guardian_add",
    "handover_accept",
    "handover_cancel",
    "handover_decline",
    "handover_offer",
    "health_objection_record",
    "health_objection_withdraw",
    "membership_add",
    "membership_end",
    "period_close",
    "period_open",
    "period_reassign",
    "referral_accept",
    "referral_close",
    "referral_decline",
    "referral_open",
    "referral_reroute",
    "referral_send",
    "referral_withdraw",
    "responsibility_change",
    "service_create",
    "youth_register",
    "youth_update",
]
