"""The deadline ledger: derive a youth's deadlines from the facts and plan their reminders.

``sync_youth`` is the one mechanism. It runs for the youths whose facts changed
(``derive_changed``, over the ``cases.FactChange`` rows the writing services leave), and nightly
for every followed youth to repair anything missed (``sweep``). It is idempotent: run twice, it
changes nothing.

How soon a deadline reflects a change: a change made through a request (the API, the pages, the
admin) is derived before that request's response is sent (``coordination.deadlines.middleware``); a
change made elsewhere (a shell, a task), or one whose derivation failed, within
``DEADLINES_DERIVE_SECONDS`` by the worker (``tasks.deadlines_derive_changed``).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases.models import FactChange, FollowUpPeriod, Youth
from coordination.deadlines.rules import EVALUATORS, Expected, load_facts, local_day
from coordination.models import (
    ChildCoordinator,
    Deadline,
    DeadlineRule,
    DeadlineStatus,
)
from coordination.plans import child_coordinator, grants
from coordination.reminders.planning import plan_reminders

logger = logging.getLogger(__name__)

Key = tuple[str, str, str]


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    closed: int = 0


def _derived_status(expected: Expected, today: datetime.date) -> str:
    if expected.fulfilled_at is not None:
        on_time = local_day(expected.fulfilled_at) <= expected.due_on
        return DeadlineStatus.MET if on_time else DeadlineStatus.MISSED
    return DeadlineStatus.MISSED if today > expected.due_on else DeadlineStatus.OPEN


def _expected(youth: Youth, today: datetime.date) -> dict[Key, tuple[DeadlineRule, Expected]]:
    facts = load_facts(youth)
    found: dict[Key, tuple[DeadlineRule, Expected]] = {}
    for rule in DeadlineRule.objects.filter(enabled=True, code__in=list(EVALUATORS)):
        for item in EVALUATORS[rule.code](rule, facts, today):
            found[(rule.code, item.subject_type, str(item.subject_id))] = (rule, item)
    return found


@transaction.atomic
def sync_youth(youth_id: Any, *, now: datetime.datetime | None = None) -> SyncResult:
    """Bring the youth's deadlines (and their pending reminders) in line with the facts; first
    end a child coordinator's role if the child has turned 18 (a fact that date alone changes)."""
    now = now or timezone.now()
    today = local_day(now)
    # One sync per youth at a time: concurrent writers queue here instead of racing on rows.
    youth = Youth.objects.select_for_update().get(pk=youth_id)
    child_coordinator.end_at_18(youth, now=now)
    expected = _expected(youth, today)
    existing: dict[Key, Deadline] = {
        (d.rule_id, d.subject_type, str(d.subject_id)): d
        for d in Deadline.objects.filter(youth=youth)
    }
    result, touched = SyncResult(), []
    for key, (rule, item) in expected.items():
        values = {
            "due_on": item.due_on,
            "service_id": item.service_id,
            "staff_id": item.staff_id,
            "category": item.category,
            "to_managers": item.to_managers,
            "fulfilled_at": item.fulfilled_at,
            "status": _derived_status(item, today),
            "closed_at": item.fulfilled_at,
        }
        row = existing.get(key)
        if row is None:
            row = Deadline.objects.create(
                youth=youth,
                rule=rule,
                subject_type=item.subject_type,
                subject_id=item.subject_id,
                created_at=now,
                **values,
            )
            result.created += 1
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            row.save()
            result.updated += 1
        touched.append(row)
    for key, row in existing.items():
        if key in expected:
            continue
        if row.closed_at is None:
            # No longer called for: before its due day it falls away; a miss stays a miss.
            row.closed_at = now
            if row.status == DeadlineStatus.OPEN:
                row.status = DeadlineStatus.CANCELLED
            row.save(update_fields=["closed_at", "status", "updated_at"])
            result.closed += 1
        touched.append(row)
    plan_reminders(touched, now=now)
    return result


def derive_changed(
    *,
    youth_ids: Iterable[Any] | None = None,
    limit: int = 1000,
    now: datetime.datetime | None = None,
) -> int:
    """Derive the deadlines of youths whose facts changed (all of them, or those of
    ``youth_ids``, at most ``limit``): each youth once however many changes it has, in a
    transaction of its own, then delete the changes derived. When a consent was among the
    changes, remove the plan grants it no longer backs. Changes that another run holds are left
    to it; a youth whose derivation fails keeps its changes for the next run, and the others
    go on. Returns how many youths were derived."""
    pending = FactChange.objects.order_by()
    if youth_ids is not None:
        pending = pending.filter(youth_id__in=list(youth_ids))
    candidates = list(pending.values_list("youth_id", flat=True).distinct()[:limit])
    derived = 0
    for youth_id in sorted(candidates, key=str):  # one lock order for every run
        try:
            with transaction.atomic():
                changes = list(
                    FactChange.objects.select_for_update(skip_locked=True)
                    .filter(youth_id=youth_id)
                    .values_list("id", "fact")
                )
                if not changes:
                    continue
                sync_youth(youth_id, now=now)
                if any(fact.startswith("consent.") for _id, fact in changes):
                    grants.prune_for_youth(youth_id, reason="consent_changed")
                FactChange.objects.filter(id__in=[change_id for change_id, _ in changes]).delete()
        except Exception:
            logger.exception("deadlines of a youth not derived; retried by the worker")
            continue
        derived += 1
    return derived


def sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-derive the deadlines of every youth who is followed, has live deadlines or has a
    current child coordinator (whose role ends at 18 even if no service follows the child)."""
    now = now or timezone.now()
    followed = FollowUpPeriod.objects.filter(youth=OuterRef("pk"), ended_on__isnull=True)
    live = Deadline.objects.filter(youth=OuterRef("pk"), closed_at__isnull=True)
    # The partial unique index child_coordinator_one_current serves this.
    child = ChildCoordinator.objects.filter(
        youth=OuterRef("pk"), right_granted=True, ended_at__isnull=True
    )
    youth_ids = Youth.objects.filter(
        Q(Exists(followed)) | Q(Exists(live)) | Q(Exists(child))
    ).values_list("pk", flat=True)
    totals = SyncResult()
    count = 0
    for youth_id in youth_ids.iterator(chunk_size=1000):
        result = sync_youth(youth_id, now=now)
        totals.created += result.created
        totals.updated += result.updated
        totals.closed += result.closed
        count += 1
    return {
        "youths": count,
        "created": totals.created,
        "updated": totals.updated,
        "closed": totals.closed,
    }
