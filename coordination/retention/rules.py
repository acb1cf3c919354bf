"""The retention rules as data: for each, what it deletes, when a row is due and the source.

Every model with a path to ``cases.Youth`` is deleted by a rule here, or named in
``OWN_RETENTION`` with the mechanism that deletes it; ``tests/coordination/test_retention.py``
walks the models and fails for one that is neither. The numbers are settings (see
``coordination/settings.py``); where the law fixes one, the setting's minimum is the law's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings

# foreldelsesloven § 9 nr. 1: a claim for damages (here, over how the youth's data was
# processed: GDPR art. 82) lapses three years after the injured party learned of the damage.
# A consent is proof of the processing it allowed (art. 7(1)), so it is kept at least as long.
CONSENT_PROOF_MIN_YEARS = 3


@dataclass(frozen=True)
class Rule:
    key: str
    what: str
    due: str
    source: str
    setting: str
    models: tuple[str, ...]

    @property
    def keep(self) -> int:
        return int(getattr(settings, self.setting))


DELETED_ENTRY = Rule(
    key="entry_deleted_in_error",
    what="follow-up entries deleted as made in error (the hidden row, with its text)",
    due="RETENTION_DELETED_ENTRY_DAYS days after the deletion",
    source=(
        "GDPR art. 5(1)(d) and 17(1)(d): an entry made in error (often about someone else) is "
        "erased without undue delay; the days before are for contesting the deletion. "
        "Local policy, a setting."
    ),
    setting="RETENTION_DELETED_ENTRY_DAYS",
    models=("cases.FollowUpEntry",),
)

CONSENT_PROOF = Rule(
    key="consent_proof",
    what="consents and refusals with their flows and each guardian's answer",
    due=(
        "RETENTION_CONSENT_PROOF_YEARS years after the consent ended: withdrawn, expired, "
        "refused (when recorded), or, open-ended, when the youth's follow-up record closed"
    ),
    source=(
        "GDPR art. 7(1): consent must be demonstrable; foreldelsesloven § 9 nr. 1: a claim "
        "lapses 3 years after the youth learned of it, the setting's minimum"
    ),
    setting="RETENTION_CONSENT_PROOF_YEARS",
    models=("consent.Consent", "consent.ConsentScope", "consent.GuardianDecision"),
)

FOLLOW_UP = Rule(
    key="follow_up_record",
    what=(
        "the youth's follow-up record: periods, entries, threads and their messages, referrals, "
        "handovers, NAV's §14a "
        "decisions and activity plans, disclosures, plans (IP and stafettlogg) with their "
        "parts, the child coordinator, health objections, the deadlines and reminders "
        "derived from them, and the youth's notice settings and the notices about them"
    ),
    due=(
        "RETENTION_FOLLOW_UP_YEARS years after the record closed: no open period, plan, "
        "unanswered referral, pending handover or current child coordinator; counted from the "
        "last of their end days"
    ),
    source=(
        "GDPR art. 5(1)(e): no longer than the purpose (coordinated follow-up) needs; what a "
        "service's archive must keep (arkivlova, Riksarkivarens forskrift §§ 7-28, 7-29, the "
        "health and child-welfare journals) is filed in that service's own record system. "
        "Local policy, a setting."
    ),
    setting="RETENTION_FOLLOW_UP_YEARS",
    models=(
        "cases.FollowUpPeriod",
        "cases.FollowUpEntry",
        "cases.Thread",
        "cases.Message",
        "cases.MessageRead",
        "cases.Responsibility",
        "cases.Referral",
        "cases.Handover",
        "cases.NavDecision",
        "cases.ActivityPlan",
        "cases.Activity",
        "cases.ActivityVersion",
        "cases.ActivityComment",
        "cases.ActivityChangeRequest",
        "cases.ConsentRequest",
        "cases.HealthObjection",
        "cases.FactChange",
        "consent.Disclosure",
        "consent.DisclosedItem",
        "coordination.Plan",
        "coordination.PlanParticipant",
        "coordination.PlanGoal",
        "coordination.PlanMeasure",
        "coordination.PlanReview",
        "coordination.PlanReviewGoal",
        "coordination.CoordinatorTerm",
        "coordination.PlanVersion",
        "coordination.PlanUserObjectPermission",
        "coordination.PlanGroupObjectPermission",
        "coordination.ChildCoordinator",
        "coordination.Deadline",
        "coordination.Reminder",
        "coordination.NoticeSettings",
    ),
)

YOUTH = Rule(
    key="youth_record",
    what=(
        "the youth's registry row, guardians, log-ins and audit trail, once nothing else of "
        "theirs is kept; while the access log still names the youth, a minimal row stays "
        "(name, birth date, sealed identity number, address protection, own log-in) so the "
        "youth can still learn who looked"
    ),
    due=(
        "when the follow-up record is due and no consent is kept; the minimal row when the "
        "access log's own retention has removed the youth's last log row"
    ),
    source=(
        "GDPR art. 5(1)(e); art. 15(1) and domain.md §7 (the youth may learn who looked, as "
        "long as the log is kept)"
    ),
    setting="RETENTION_FOLLOW_UP_YEARS",
    models=("cases.Youth", "cases.Guardian", "cases.PortalAccount", "core.AuditEntry"),
)

RULES: tuple[Rule, ...] = (DELETED_ENTRY, CONSENT_PROOF, FOLLOW_UP, YOUTH)

# Not about a youth, so outside RULES (whose models are those with a path to a youth): the
# accounts that ID-porten log-ins made.
PORTAL_USER = Rule(
    key="portal_user",
    what=(
        "a Min side user made by an ID-porten log-in, with its ID-porten subject and its own "
        "log-in records, once it links to no youth and no guardian record"
    ),
    due=(
        "RETENTION_PORTAL_USER_DAYS days after its last log-in, when no link is left and no kept "
        "youth's audit trail names it (it goes when that trail goes)"
    ),
    source=(
        "GDPR art. 5(1)(c) and (e): an account that reaches nothing serves no purpose; the days "
        "after the last log-in keep the log-ins for a security review. Local policy, a setting."
    ),
    setting="RETENTION_PORTAL_USER_DAYS",
    models=("auth.User", "cases.ExternalSubject", "core.AuditEntry"),
)
ACCOUNT_RULES: tuple[Rule, ...] = (PORTAL_USER,)

# Models about a youth that a mechanism of their own deletes, each with which.
OWN_RETENTION: dict[str, str] = {
    "consent.AccessLogEntry": (
        "the access log: whole months are dropped past ACCESS_LOG_RETENTION_YEARS "
        "(consent/partitions.py and docs/access-log.md); its rows keep the youth's minimal row"
    ),
}


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
