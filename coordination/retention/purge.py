"""The nightly run of the retention rules: find what is due, delete it, record the counts.

Youths are taken in batches of ``RETENTION_BATCH_SIZE`` in id order, each batch in a
transaction of its own: a batch that fails leaves nothing half-deleted, the run goes on with the
next, and the next run finds what is still due (the run keeps no state, so it is idempotent and
resumes wherever it stopped). A batch runs a fixed number of statements however many rows are
due: one reads the youths' state, one their consents, one DELETE per model.

Rows are deleted with one DELETE statement per model (``QuerySet._raw_delete``), not Django's
collector: the collector loads every row and refuses a self-reference that is being deleted in
the same statement (an entry and its correction, a goal and its sub-goal). The database's
foreign keys, checked at commit, still refuse to leave a row pointing at a deleted one.

The access log names a youth without a database constraint; a youth with log rows is therefore
reduced to a minimal row here and deleted by a later run, once the log's own retention has
removed the rows (``rules.YOUTH``).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import (
    Activity,
    ActivityChangeRequest,
    ActivityComment,
    ActivityPlan,
    ActivityVersion,
    ConsentRequest,
    ExternalSubject,
    FactChange,
    FollowUpEntry,
    FollowUpPeriod,
    Guardian,
    Handover,
    HandoverState,
    HealthObjection,
    Message,
    MessageRead,
    NavDecision,
    PortalAccount,
    Referral,
    Responsibility,
    StaffMembership,
    Thread,
    Youth,
)
from cases.models.referrals import AWAITING_ANSWER
from cases.oidc import PORTAL_USERNAME_PREFIX
from consent.models import (
    AccessLogEntry,
    Consent,
    ConsentScope,
    Decision,
    DisclosedItem,
    Disclosure,
    GuardianDecision,
)
from coordination.models import (
    OPEN_PLAN_STATUSES,
    ChildCoordinator,
    CoordinatorTerm,
    Deadline,
    NoticeSettings,
    Plan,
    PlanGoal,
    PlanGroupObjectPermission,
    PlanMeasure,
    PlanParticipant,
    PlanReview,
    PlanReviewGoal,
    PlanUserObjectPermission,
    PlanVersion,
    Reminder,
    RetentionDeletion,
)
from coordination.retention.rules import (
    CONSENT_PROOF,
    DELETED_ENTRY,
    FOLLOW_UP,
    PORTAL_USER,
    YOUTH,
    add_years,
)
from core.audit import audit_record
from core.models import AuditEntry

logger = logging.getLogger(__name__)

DELETED = "deleted"
# The youth's minimal row: contact details cleared, the row kept for the access log.
EMPTIED = "emptied"

Key = tuple[str, str, str]  # (rule, model label, deleted or emptied)


@dataclass
class Report:
    """What a run deleted (or, dry, would delete): rows per rule and model, no content."""

    run: uuid.UUID
    dry_run: bool
    counts: Counter[Key] = field(default_factory=Counter)
    batches: int = 0
    failed: int = 0

    def lines(self) -> list[str]:
        return [
            f"{rule}\t{model}\t{kind}\t{rows}"
            for (rule, model, kind), rows in sorted(self.counts.items())
        ]


@dataclass(frozen=True)
class State:
    """A youth's state as the rules read it."""

    id: Any
    closed_on: datetime.date | None  # None while anything of the record is open
    has_log: bool
    has_contact: bool


# What a record's close is counted from: the youth's registration and the last end of each part.
ENDS = ("created_at", "period_end", "plan_end", "referral_end", "handover_end", "child_end")


def _last(model: type, expression: Any, **match: Any) -> Subquery:
    return Subquery(
        model.objects.filter(**match)  # type: ignore[attr-defined]
        .order_by()
        .values(next(iter(match)))
        .annotate(last=Max(expression))
        .values("last")
    )


def _states(after: Any, limit: int) -> list[State]:
    """The next ``limit`` youths after ``after`` with what the rules need: one query."""
    youth = OuterRef("pk")
    rows = (
        Youth.objects.order_by("pk")
        .filter(**({"pk__gt": after} if after is not None else {}))
        .annotate(
            open_period=Exists(FollowUpPeriod.objects.filter(youth=youth, ended_on__isnull=True)),
            open_plan=Exists(Plan.objects.filter(youth=youth, status__in=OPEN_PLAN_STATUSES)),
            awaiting=Exists(Referral.objects.filter(youth=youth, state__in=AWAITING_ANSWER)),
            pending=Exists(Handover.objects.filter(youth=youth, state=HandoverState.PENDING)),
            child=Exists(
                ChildCoordinator.objects.filter(
                    youth=youth, right_granted=True, ended_at__isnull=True
                )
            ),
            period_end=_last(FollowUpPeriod, "ended_on", youth=youth),
            plan_end=_last(Plan, "closed_at", youth=youth),
            referral_end=_last(
                Referral, Coalesce("closed_at", "answered_at", "sent_at"), youth=youth
            ),
            handover_end=_last(Handover, Coalesce("decided_at", "created_at"), youth=youth),
            child_end=_last(ChildCoordinator, Coalesce("ended_at", "recorded_at"), youth=youth),
            has_log=Exists(AccessLogEntry.objects.filter(subject=youth)),
        )
        .values(
            "pk",
            "created_at",
            "email",
            "phone",
            "open_period",
            "open_plan",
            "awaiting",
            "pending",
            "child",
            "period_end",
            "plan_end",
            "referral_end",
            "handover_end",
            "child_end",
            "has_log",
        )[:limit]
    )
    states = []
    row: dict[str, Any]
    for row in rows:  # type: ignore[assignment]  # values() rows, read by name
        is_open = any(row[k] for k in ("open_period", "open_plan", "awaiting", "pending", "child"))
        ends = [_day(row[k]) for k in ENDS if row[k] is not None]
        states.append(
            State(
                id=row["pk"],
                closed_on=None if is_open else max(ends),
                has_log=row["has_log"],
                has_contact=bool(row["email"] or row["phone"]),
            )
        )
    return states


def _day(value: datetime.date | datetime.datetime) -> datetime.date:
    """A date as it is, a moment as its day in Europe/Oslo."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def follow_up_due_on(closed_on: datetime.date) -> datetime.date:
    return add_years(closed_on, FOLLOW_UP.keep)


def _consent_end(row: Any, closed_on: datetime.date | None, now: Any) -> Any:
    """When a consent ended as proof counts it: withdrawn, expired, refused or left pending
    (when recorded), or, given without an end, when the youth's record closed; None while it
    stands."""
    if row["decision"] != Decision.GIVEN:
        return _day(row["withdrawn_at"] or row["recorded_at"])
    ends = [m for m in (row["withdrawn_at"], row["valid_until"]) if m is not None and m <= now]
    if ends:
        return _day(min(ends))
    if row["valid_until"] is None and closed_on is not None:
        return closed_on
    return None


def _due_consents(
    states: dict[Any, State], follow_up: set[Any], *, now: Any, today: datetime.date
) -> tuple[set[Any], set[Any]]:
    """The consents due of these youths, and the youths that keep a consent: one query."""
    consents = (
        Consent.objects.filter(subject_id__in=list(states))
        .annotate(in_plan=Exists(Plan.objects.filter(consent=OuterRef("pk"))))
        .values(
            "pk",
            "subject_id",
            "decision",
            "withdrawn_at",
            "valid_until",
            "recorded_at",
            "replaces_id",
            "in_plan",
        )
    )
    rows = list(consents)
    due: set[Any] = set()
    for row in rows:
        youth = row["subject_id"]
        end = _consent_end(row, states[youth].closed_on, now)
        if end is None or today < add_years(end, CONSENT_PROOF.keep):
            continue
        if row["in_plan"] and youth not in follow_up:  # its plan is kept, and so is it
            continue
        due.add(row["pk"])
    # A consent another one replaces is kept as long as that one is (it is part of its proof).
    changed = True
    while changed:
        changed = False
        for row in rows:
            if row["replaces_id"] in due and row["pk"] not in due:
                due.discard(row["replaces_id"])
                changed = True
    keeping = {row["subject_id"] for row in rows if row["pk"] not in due}
    return due, keeping


class _Batch:
    """One batch's deletions: each a single statement, counted; dry, only counted, with what
    the youths' deletion would take from the Min side users (``Going``)."""

    def __init__(self, *, dry_run: bool, going: Going | None = None) -> None:
        self.dry_run = dry_run
        self.counts: Counter[Key] = Counter()
        self.going = going if going is not None else Going()

    def delete(self, rule: str, label: str, rows: QuerySet[Any]) -> None:
        rows = rows.order_by()
        count = rows.count() if self.dry_run else rows._raw_delete(rows.db)
        if count:
            self.counts[(rule, label, DELETED)] += count

    def empty(self, rule: str, label: str, rows: QuerySet[Any], **values: Any) -> None:
        rows = rows.order_by()
        count = rows.count() if self.dry_run else rows.update(**values)
        if count:
            self.counts[(rule, label, EMPTIED)] += count


@dataclass
class Going:
    """What a dry run's youths' batches would have deleted that decides whether a Min side user
    is due (``_portal_users_due``): their links (``PortalAccount``) and the audit trail that
    names them, so the dry run counts the users the run itself would delete."""

    accounts: set[Any] = field(default_factory=set)
    audit: Q = field(default_factory=lambda: Q(pk__in=[]))


def _delete_follow_up(batch: _Batch, youths: list[Any]) -> None:
    rule = FOLLOW_UP.key
    plans = {"plan__youth_id__in": youths}
    batch.delete(
        rule,
        "coordination.Reminder",
        Reminder.objects.filter(Q(deadline__youth_id__in=youths) | Q(youth_id__in=youths)),
    )
    batch.delete(
        rule, "coordination.NoticeSettings", NoticeSettings.objects.filter(youth_id__in=youths)
    )
    batch.delete(rule, "coordination.Deadline", Deadline.objects.filter(youth_id__in=youths))
    for permission in (PlanUserObjectPermission, PlanGroupObjectPermission):
        batch.delete(
            rule,
            permission._meta.label,
            permission.objects.filter(content_object__youth_id__in=youths),
        )
    attendees = PlanReview.attendees.through
    batch.delete(
        rule,
        attendees._meta.label,
        attendees.objects.filter(planreview__plan__youth_id__in=youths),
    )
    batch.delete(
        rule,
        "coordination.PlanReviewGoal",
        PlanReviewGoal.objects.filter(review__plan__youth_id__in=youths),
    )
    for model in (PlanReview, PlanVersion, CoordinatorTerm, PlanMeasure, PlanGoal):
        batch.delete(rule, model._meta.label, model.objects.filter(**plans))
    batch.delete(rule, "coordination.PlanParticipant", PlanParticipant.objects.filter(**plans))
    batch.delete(rule, "coordination.Plan", Plan.objects.filter(youth_id__in=youths))
    batch.delete(
        rule, "coordination.ChildCoordinator", ChildCoordinator.objects.filter(youth_id__in=youths)
    )
    batch.delete(rule, "cases.Handover", Handover.objects.filter(youth_id__in=youths))
    batch.delete(
        rule, "cases.Responsibility", Responsibility.objects.filter(period__youth_id__in=youths)
    )
    batch.delete(rule, "cases.Referral", Referral.objects.filter(youth_id__in=youths))
    batch.delete(
        rule, "cases.ActivityVersion", ActivityVersion.objects.filter(activity__youth_id__in=youths)
    )
    batch.delete(
        rule,
        "cases.ActivityComment",
        ActivityComment.objects.filter(youth_id__in=youths, corrects__isnull=False),
    )
    batch.delete(rule, "cases.ActivityComment", ActivityComment.objects.filter(youth_id__in=youths))
    batch.delete(
        rule,
        "cases.ActivityChangeRequest",
        ActivityChangeRequest.objects.filter(youth_id__in=youths),
    )
    batch.delete(rule, "cases.ConsentRequest", ConsentRequest.objects.filter(youth_id__in=youths))
    batch.delete(rule, "cases.Activity", Activity.objects.filter(youth_id__in=youths))
    batch.delete(rule, "cases.ActivityPlan", ActivityPlan.objects.filter(youth_id__in=youths))
    batch.delete(rule, "cases.NavDecision", NavDecision.objects.filter(youth_id__in=youths))
    batch.delete(rule, "consent.DisclosedItem", DisclosedItem.objects.filter(subject_id__in=youths))
    batch.delete(rule, "consent.Disclosure", Disclosure.objects.filter(subject_id__in=youths))
    batch.delete(rule, "cases.HealthObjection", HealthObjection.objects.filter(youth_id__in=youths))
    batch.delete(
        rule, "cases.MessageRead", MessageRead.objects.filter(message__thread__youth_id__in=youths)
    )
    batch.delete(rule, "cases.Message", Message.objects.filter(thread__youth_id__in=youths))
    batch.delete(rule, "cases.Thread", Thread.objects.filter(youth_id__in=youths))
    batch.delete(rule, "cases.FollowUpEntry", FollowUpEntry.objects.filter(youth_id__in=youths))
    batch.delete(rule, "cases.FollowUpPeriod", FollowUpPeriod.objects.filter(youth_id__in=youths))
    batch.delete(rule, "cases.FactChange", FactChange.objects.filter(youth_id__in=youths))


def _delete_consents(batch: _Batch, consents: list[Any]) -> None:
    rule = CONSENT_PROOF.key
    # A request answered on Min side stays with the follow-up record; it loses the link.
    batch.empty(
        rule,
        "cases.ConsentRequest",
        ConsentRequest.objects.filter(consent_id__in=consents),
        consent=None,
    )
    batch.delete(
        rule, "consent.GuardianDecision", GuardianDecision.objects.filter(consent_id__in=consents)
    )
    batch.delete(rule, "consent.ConsentScope", ConsentScope.objects.filter(consent_id__in=consents))
    batch.delete(rule, "consent.Consent", Consent.objects.filter(pk__in=consents))


def _delete_youths(
    batch: _Batch, gone: list[Any], minimal: dict[Any, datetime.date], contact: list[Any]
) -> None:
    """Delete the youths of ``gone``; reduce those of ``minimal`` (with their due days) to the
    minimal row: guardians, guardians' log-ins and the audit trail before the due day go, the
    contact details are cleared."""
    rule = YOUTH.key
    both = [*gone, *minimal]
    from_due_day = Q(pk__in=[])
    by_day: dict[datetime.date, list[Any]] = {}
    for youth, day in minimal.items():
        by_day.setdefault(day, []).append(youth)
    for day, youths in by_day.items():
        start = datetime.datetime.combine(
            day, datetime.time(), tzinfo=timezone.get_current_timezone()
        )
        from_due_day |= Q(subject_id__in=youths, at__lt=start)
    accounts = PortalAccount.objects.filter(Q(guardian__youth_id__in=both) | Q(youth_id__in=gone))
    audit = Q(subject_id__in=gone) | from_due_day
    if batch.dry_run:
        batch.going.accounts.update(accounts.values_list("pk", flat=True))
        batch.going.audit |= audit
    batch.delete(rule, "cases.PortalAccount", accounts)
    batch.delete(rule, "cases.Guardian", Guardian.objects.filter(youth_id__in=both))
    batch.delete(rule, "core.AuditEntry", AuditEntry.objects.filter(audit))
    batch.delete(rule, "cases.FactChange", FactChange.objects.filter(youth_id__in=gone))
    batch.delete(rule, "cases.Youth", Youth.objects.filter(pk__in=gone))
    batch.empty(rule, "cases.Youth", Youth.objects.filter(pk__in=contact), email="", phone="")


def _run_batch(
    states: list[State], *, now: Any, today: datetime.date, dry_run: bool, going: Going
) -> _Batch:
    batch = _Batch(dry_run=dry_run, going=going)
    by_id = {state.id: state for state in states}
    follow_up = {
        s.id for s in states if s.closed_on is not None and today >= follow_up_due_on(s.closed_on)
    }
    consents, keeping = _due_consents(by_id, follow_up, now=now, today=today)

    cutoff = now - datetime.timedelta(days=DELETED_ENTRY.keep)
    batch.delete(
        DELETED_ENTRY.key,
        "cases.FollowUpEntry",
        FollowUpEntry.objects.filter(
            youth_id__in=[s.id for s in states if s.id not in follow_up],
            deleted_at__lte=cutoff,
        ).exclude(Exists(FollowUpEntry.objects.filter(corrects=OuterRef("pk")))),
    )
    if follow_up:
        _delete_follow_up(batch, sorted(follow_up, key=str))
    if consents:
        _delete_consents(batch, sorted(consents, key=str))
    done = [by_id[y] for y in sorted(follow_up - keeping, key=str)]
    gone = [s.id for s in done if not s.has_log]
    minimal = {s.id: follow_up_due_on(s.closed_on) for s in done if s.has_log and s.closed_on}
    contact = [s.id for s in done if s.has_log and s.has_contact]
    if gone or minimal:
        _delete_youths(batch, gone, minimal, contact)
    return batch


def _portal_users_due(now: Any, going: Going) -> list[Any]:
    """The Min side users an ID-porten log-in made (never staff: no membership ever, no staff
    flag, no usable password) with no link to a youth or a guardian record left, no log-in for
    ``RETENTION_PORTAL_USER_DAYS``, and named in no kept youth's audit trail: one query. What
    ``going`` names counts as gone already (a dry run's)."""
    cutoff = now - datetime.timedelta(days=PORTAL_USER.keep)
    user = OuterRef("pk")
    accounts = PortalAccount.objects.filter(user=user).exclude(pk__in=going.accounts)
    audit = AuditEntry.objects.filter(actor=user, subject__isnull=False).exclude(going.audit)
    return list(
        get_user_model()
        .objects.filter(  # the username's pattern index (Django's ``_like`` index)
            username__startswith=PORTAL_USERNAME_PREFIX,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
            is_staff=False,
            is_superuser=False,
        )
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(Exists(accounts))
        .exclude(Exists(StaffMembership.objects.filter(user=user)))
        .exclude(Exists(audit))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _delete_portal_users(batch: _Batch, users: list[Any]) -> None:
    """Their own log-in records, their ID-porten subjects, then the users through Django's
    collector, which also deletes what hangs on a user row (groups, permissions, devices);
    there are few."""
    rule = PORTAL_USER.key
    batch.delete(
        rule,
        "core.AuditEntry",
        AuditEntry.objects.filter(actor_id__in=users).exclude(batch.going.audit),
    )
    batch.delete(rule, "cases.ExternalSubject", ExternalSubject.objects.filter(user_id__in=users))
    rows = get_user_model().objects.filter(pk__in=users)
    if batch.dry_run:
        batch.counts[(rule, rows.model._meta.label, DELETED)] += len(users)
        return
    _total, by_model = rows.delete()
    for label, count in by_model.items():
        if count:
            batch.counts[(rule, label, DELETED)] += count


def _record(run: uuid.UUID, counts: Counter[Key], now: Any) -> None:
    RetentionDeletion.objects.bulk_create(
        [
            RetentionDeletion(run=run, at=now, rule=rule, model=label, kind=kind, rows=rows)
            for (rule, label, kind), rows in sorted(counts.items())
        ]
    )
    audit_record(
        actor=None,
        action="retention.deleted",
        data={
            "run": str(run),
            "rows": {
                f"{rule} {label} {kind}": rows for (rule, label, kind), rows in counts.items()
            },
        },
    )


def purge(
    *,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    batch_size: int | None = None,
) -> Report:
    """Delete (or, ``dry_run``, count) everything the rules say is due at ``now``, in batches
    of youths, each in its own transaction with its counts recorded; see the module's
    docstring."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    size = batch_size or settings.RETENTION_BATCH_SIZE
    report = Report(run=uuid.uuid4(), dry_run=dry_run)
    going = Going()
    after = None
    while True:
        before = after
        try:
            with transaction.atomic():
                states = _states(after, size)
                if not states:
                    break
                after = states[-1].id
                batch = _run_batch(states, now=now, today=today, dry_run=dry_run, going=going)
                if batch.counts and not dry_run:
                    _record(report.run, batch.counts, now)
        except Exception:
            logger.exception("a retention batch failed; its rows stay until the next run")
            report.failed += 1
            if after == before:  # the youths could not even be read: nothing to go on with
                raise
            continue
        report.batches += 1
        report.counts.update(batch.counts)
    _purge_portal_users(report, now=now, dry_run=dry_run, going=going)
    return report


def _purge_portal_users(report: Report, *, now: Any, dry_run: bool, going: Going) -> None:
    """``rules.PORTAL_USER``, after the youths' batches (which delete the links), in a
    transaction of its own."""
    try:
        with transaction.atomic():
            users = _portal_users_due(now, going)
            if not users:
                return
            batch = _Batch(dry_run=dry_run, going=going)
            _delete_portal_users(batch, users)
            if not dry_run:
                _record(report.run, batch.counts, now)
    except Exception:
        logger.exception("deleting Min side users failed; they stay until the next run")
        report.failed += 1
        return
    report.counts.update(batch.counts)


def due_report(*, now: datetime.datetime | None = None) -> Report:
    """What a run at ``now`` would delete, by rule and model, counts only; changes nothing."""
    return purge(now=now, dry_run=True)


def labels(keys: Iterable[Key]) -> set[str]:
    return {label for _rule, label, _kind in keys}
