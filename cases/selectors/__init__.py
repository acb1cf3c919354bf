"""Reads. Every read of a youth's records starts from the access gate in ``cases.access``;
the reads that write the access log write it through ``cases.access.log_reads`` and its helpers,
inside the transaction of the read they record, so a read that is not logged is not shown.

One module per concept; everything is re-exported here (``selectors.x``)."""

from __future__ import annotations

from cases.selectors.access_log import access_log_for_privacy_officer, item
from cases.selectors.access_requests import (
    privacy_officer,
    youth_for_access_request,
    youths_for_privacy_officer,
)
from cases.selectors.activity_plans import (
    activity_for_user,
    activity_list,
    activity_plan_for_user,
    activity_plan_items,
    activity_plan_list,
    decision_list,
)
from cases.selectors.consents import consent_for_user, consent_item, consent_list
from cases.selectors.dialogue import (
    awaiting_answer,
    message_for_user,
    message_reads,
    messages_of,
    thread_for_user,
    thread_items,
    thread_list,
)
from cases.selectors.disclosures import disclosed_entries, disclosure_list
from cases.selectors.entries import entry_for_user, entry_item, entry_list, written_entry_item
from cases.selectors.handovers import handover_for_user, handover_list
from cases.selectors.ot_registrations import ReasonCount, ot_registrations_by_reason
from cases.selectors.referrals import referral_for_user, referral_list
from cases.selectors.timeline import timeline_fields, timeline_read
from cases.selectors.youths import (
    SCOPE_MINE,
    SCOPE_OURS,
    membership_list,
    period_list,
    service_list,
    youth_by_national_id,
    youth_caseload,
    youth_detail,
)

__all__ = [
    "SCOPE_MINE",
    "SCOPE_OURS",
    "ReasonCount",
    "access_log_for_privacy_officer",
    "activity_for_user",
    "activity_list",
    "activity_plan_for_user",
    "activity_plan_items",
    "activity_plan_list",
    "awaiting_answer",
    "consent_for_user",
    "consent_item",
    "consent_list",
    "decision_list",
    "disclosed_entries",
    "disclosure_list",
    "entry_for_user",
    "entry_item",
    "entry_list",
    "handover_for_user",
    "handover_list",
    "item",
    "membership_list",
    "message_for_user",
    "message_reads",
    "messages_of",
    "ot_registrations_by_reason",
    "period_list",
    "privacy_officer",
    "referral_for_user",
    "referral_list",
    "service_list",
    "thread_for_user",
    "thread_items",
    "thread_list",
    "timeline_fields",
    "timeline_read",
    "written_entry_item",
    "youth_by_national_id",
    "youth_caseload",
    "youth_detail",
    "youth_for_access_request",
    "youths_for_privacy_officer",
]
