"""The deadline ledger: derive a youth's deadlines from the facts and plan their reminders.

``sync_youths`` is the one mechanism. It runs, in batches, for
the youths whose facts changed
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
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases.models import FactChange, FollowUpPeriod, Youth
from coordination.deadlines.rules import EVALUATORS, Expected, Facts, load_facts_many, local_day
from coordination.models import (
    ChildCoordinator,
    Deadline,
    DeadlineRule,
    DeadlineStatus,
)
from coordination.plans import child_coordinator, grants
from coordination.reminders import notices
from coordination.reminders.planning import plan_reminders

logger = logging.getLogger(__name__)
T = TypeVar("T")

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


def _expected(
    facts: Facts, rules: list[DeadlineRule], today: datetime.date
) -> dict[Key, tuple[DeadlineRule, Expected]]:
    found: dict[Key, tuple[DeadlineRule, Expected]] = {}
    for rule in rules:
        for item in EVALUATORS[rule.code](rule, facts, today):
            found[(rule.code, item.subject_type, str(item.subject_id))] = (rule, item)
    return found


@transaction.atomic
def sync_youths(
    youth_ids: Iterable[Any], *, now: datetime.datetime | None = None
) -> dict[Any, SyncResult]:
    """Bring the youths' deadlines (and their pending reminders) in line with the facts; first
    end a child coordinator's role if the child has turned 18 (a fact that date alone changes).
    The youths are locked and their facts read together, in a fixed number of queries however
    many they are. Returns each youth's result, by id (a youth that does not exist has none)."""
    now = now or timezone.now()
    today = local_day(now)
    # One derivation per youth at a time: concurrent writers queue here instead of racing on
    # rows. Locked in id order, as every run locks them (no deadlock).
    youths = list(Youth.objects.select_for_update().filter(pk__in=list(youth_ids)).order_by("pk"))
    for youth in youths:
        child_coordinator.end_at_18(youth, now=now)
    facts = load_facts_many(youths)
    rules = list(DeadlineRule.objects.filter(enabled=True, code__in=list(EVALUATORS)))
    existing: dict[Any, dict[Key, Deadline]] = {}
    for d in Deadline.objects.filter(youth__in=youths):
        existing.setdefault(d.youth_id, {})[(d.rule_id, d.subject_type, str(d.subject_id))] = d
    results: dict[Any, SyncResult] = {}
    touched: list[Deadline] = []
    for youth in youths:
        expected = _expected(facts[youth.pk], rules, today)
        results[youth.pk] = _sync(youth, expected, existing.get(youth.pk, {}), now, touched)
    plan_reminders(touched, now=now)
    return results


def _sync(
    youth: Youth,
    expected: dict[Key, tuple[DeadlineRule, Expected]],
    existing: dict[Key, Deadline],
    now: datetime.datetime,
    touched: list[Deadline],
) -> SyncResult:
    today = local_day(now)
    result = SyncResult()
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
    return result


# Youths derived together: one transaction, one read of their facts.
BATCH = 50


def derive_changed(
    *,
    youth_ids: Iterable[Any] | None = None,
    limit: int = 1000,
    now: datetime.datetime | None = None,
) -> int:
    """Derive the deadlines of youths whose facts changed (all of them, or those of
    ``youth_ids``, at most ``limit``): each youth once however many changes it has, ``BATCH``
    youths to a transaction, then delete the changes derived. When a consent was among the
    changes, remove the plan grants it no longer backs. Changes that another run holds are left
    to it. A batch that fails is derived again youth by youth, so a youth whose derivation
    fails keeps its changes for the next run and the others go on. Returns how many youths were
    derived."""
    pending = FactChange.objects.order_by()
    if youth_ids is not None:
        pending = pending.filter(youth_id__in=list(youth_ids))
    candidates = sorted(pending.values_list("youth_id", flat=True).distinct()[:limit], key=str)
    return sum(_in_batches(candidates, lambda batch: [_derive(batch, now)]))


def _in_batches(youth_ids: Iterable[Any], run: Callable[[list[Any]], Iterable[T]]) -> Iterator[T]:
    """The results of ``run`` over ``BATCH`` youths at a time, each batch in its own transaction
    (``run``'s); a batch that fails is run again youth by youth, so a youth whose derivation
    fails is logged and left for the next run while the others go on."""
    ids = iter(youth_ids)
    while batch := list(itertools.islice(ids, BATCH)):
        for part in [batch] if len(batch) == 1 else [batch, *([y] for y in batch)]:
            try:
                results = list(run(part))
            except Exception:
                if len(part) == 1:
                    logger.exception("deadlines of a youth not derived; retried on the next run")
                continue
            yield from results
            if part is batch:
                break


@transaction.atomic
def _derive(youth_ids: list[Any], now: datetime.datetime | None) -> int:
    changes = list(
        FactChange.objects.select_for_update(skip_locked=True)
        .filter(youth_id__in=youth_ids)
        .values_list("id", "youth_id", "fact", "ref")
    )
    youths = sorted({youth_id for _id, youth_id, _fact, _ref in changes}, key=str)
    if not youths:
        return 0
    sync_youths(youths, now=now)
    for youth_id in sorted(
        {y for _id, y, fact, _ref in changes if fact.startswith("consent.")}, key=str
    ):
        grants.prune_for_youth(youth_id, reason="consent_changed")
    notices.plan_notices(
        [(y, fact, ref) for _id, y, fact, ref in changes if fact in notices.NOTICE_FACTS],
        now=now or timezone.now(),
    )
    FactChange.objects.filter(id__in=[change_id for change_id, _y, _f, _r in changes]).delete()
    return len(youths)


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
    for result in _in_batches(
        youth_ids.iterator(chunk_size=1000), lambda batch: sync_youths(batch, now=now).values()
    ):
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
