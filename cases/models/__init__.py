"""The models of ``cases``: the registry, the follow-up log, referrals and handovers."""

from cases.models.followup import EntryKind, FollowUpEntry
from cases.models.referrals import (
    AWAITING_ANSWER,
    OT_REASONS,
    Handover,
    HandoverState,
    Referral,
    ReferralReason,
    ReferralState,
    Responsibility,
)
from cases.models.registry import (
    CASELOAD_ROLES,
    FollowUpPeriod,
    Guardian,
    GuardianRelation,
    Service,
    ServiceKind,
    StaffMembership,
    StaffRole,
    TimestampedModel,
    Youth,
    county_number_validator,
    municipality_number_validator,
    phone_validator,
)

__all__ = [
    "AWAITING_ANSWER",
    "CASELOAD_ROLES",
    "OT_REASONS",
    "EntryKind",
    "FollowUpEntry",
    "FollowUpPeriod",
    "Guardian",
    "GuardianRelation",
    "Handover",
    "HandoverState",
    "Referral",
    "ReferralReason",
    "ReferralState",
    "Responsibility",
    "Service",
    "ServiceKind",
    "StaffMembership",
    "StaffRole",
    "TimestampedModel",
    "Youth",
    "county_number_validator",
    "municipality_number_validator",
    "phone_validator",
]
