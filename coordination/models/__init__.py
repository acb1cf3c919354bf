"""Models of ``coordination``: the deadline ledger, compliance figures and reminders."""

from coordination.models.deadlines import (
    ComplianceSnapshot,
    Deadline,
    DeadlineRule,
    DeadlineStatus,
    SubjectType,
)
from coordination.models.reminders import (
    DigestMode,
    Reminder,
    ReminderPreference,
    ReminderStage,
    ReminderStatus,
)

__all__ = [
    "ComplianceSnapshot",
    "Deadline",
    "DeadlineRule",
    "DeadlineStatus",
    "DigestMode",
    "Reminder",
    "ReminderPreference",
    "ReminderStage",
    "ReminderStatus",
    "SubjectType",
]
