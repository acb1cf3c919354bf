"""The sections of the youth's copy: every kind of record held about a youth, read for one
reader with the limits of *Min side* (``cases.portal``).

Each section names the models whose rows it holds (``Section.models``); the test that walks
every model with a path to the youth fails for a model that no section holds and that is not
in ``LEFT_OUT`` with its reason. A section reads all of the youth's rows in one query (two or
three with what hangs off them), so the copy runs a fixed number of queries however much is
held.

Rows are plain dicts of values (the JSON); ``Column`` says how the PDF shows a value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases import portal
from cases.models import (
    Activity,
    ActivityChangeRequest,
    ActivityComment,
    ActivityPlan,
    ActivityStatus,
    ActivityType,
    ActivityVersion,
    ChangeRequestOutcome,
    ConsentRequest,
    ConsentRequestState,
    EntryKind,
    FollowUpEntry,
    FollowUpPeriod,
    Guardian,
    GuardianRelation,
    Handover,
    HandoverKind,
    HandoverState,
    HealthObjection,
    Innsatsgruppe,
    MainGoal,
    Message,
    MessageRead,
    NavDecision,
    OtRegistrationReason,
    PortalAccount,
    Referral,
    ReferralReason,
    ReferralState,
    Responsibility,
    ServiceKind,
    StaffRole,
    Thread,
    ThreadKind,
    Youth,
    involvement_category,
)
from cases.models import AddressProtection as Protection
from consent.categories import Category
from consent.models import (
    AccessLogEntry,
    Consent,
    ConsentScope,
    Decision,
    Disclosure,
    Giver,
    GuardianDecision,
    Method,
)
from coordination import log_words
from coordination.export.cells import EMPTY, categories, choice, plain, short
from coordination.models import (
    BtiLevel,
    ChildCoordinator,
    CloseReason,
    CoordinatorTerm,
    Deadline,
    DeadlineStatus,
    MeasureStatus,
    NoticeSettings,
    ParticipantKind,
    Plan,
    PlanGoal,
    PlanKind,
    PlanMeasure,
    PlanParticipant,
    PlanReview,
    PlanReviewGoal,
    PlanStatus,
    PlanVersion,
    Reminder,
    ReminderStage,
    ReminderStatus,
    SubjectType,
    VersionAction,
)
from coordination.plans.versions import PLAN_TEXT_FIELDS
from core.models import AuditEntry

# Models that hold rows about a youth and are deliberately not in the copy, each with why.
LEFT_OUT: dict[str, str] = {
    # A queue row: "a fact about this youth changed, derive the deadlines", deleted once the
    # ledger has handled it. What it leads to is in the copy (deadlines); it holds no content.
    "cases.FactChange": "technical queue of changed facts, deleted once derived",
    # Extra rights a coordinator gives a staff member on a plan (django-guardian): about the
    # staff member, not the youth. Who was given what is in the plan's audit entries.
    "coordination.PlanUserObjectPermission": "staff rights on a plan, not about the youth",
    "coordination.PlanGroupObjectPermission": "staff rights on a plan, not about the youth",
    # Who read which message when: the copy shows each message's first reading by another
    # participant (``read_at`` in the messages).
    "cases.MessageRead": "read receipts, shown as when each message was read",
}


@dataclass(frozen=True)
class Limits:
    """What the reader is not shown (``cases.portal``): for a guardian, the categories withheld
    at the youth's age or by the youth's objection (``hidden``), and where the youth is followed
    when the youth has a protected identity (``whereabouts`` false). The youth (and a privacy
    officer answering the youth's request) has none."""

    guardian: bool = False
    hidden: frozenset[str] = frozenset()
    whereabouts: bool = True

    def shown(self, category: str, kind: str | None) -> bool:
        return portal.shown(self.hidden, category, kind or "")

    def place(self, service: Any) -> str | None:
        """A service by name, or nothing where its name would tell where the youth is."""
        return service.name if service is not None and self.whereabouts else None


@dataclass
class Context:
    """One copy being read: the youth, the reader's limits, the legal bases' codes kept from
    the youth's own page and the laws by code, and the ids each section kept (what hangs off a
    record is shown with it)."""

    youth: Youth
    limits: Limits
    withheld_codes: frozenset[str]
    laws: dict[str, str]
    kept: dict[str, set[Any]] = field(default_factory=dict)
    loaded: dict[str, list[Any]] = field(default_factory=dict)

    def keep(self, key: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.kept[key] = {row["id"] for row in rows}
        return rows

    def has(self, key: str, value: Any) -> bool:
        return value in self.kept.get(key, ())


@dataclass(frozen=True)
class Column:
    key: str
    heading: str | Promise
    cell: Callable[..., str] = plain
    long: bool = False  # a text shown under its row, across the table
    # In a section of lines, shown as "heading: value" only where there is a value.
    optional: bool = False
    laws: bool = False  # the cell also takes the laws by legal basis code


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    models: tuple[str, ...]
    columns: tuple[Column, ...]
    read: Callable[[Context], list[dict[str, Any]]]
    # The access log's word for its rows (``coordination.log_words.ITEM_WORDS``), when a
    # privacy officer's answer logs them one by one; None logs the section as one item.
    item_type: str | None = None
    about: str | Promise = ""
    youth_only: bool = False  # never in a guardian's copy
    # In the PDF, one line per row (the values in the columns' order) rather than a table: for
    # the long sections, as a log reads and as fast to draw (a table cell costs far more).
    lines: bool = False
    # In the PDF, the rows as a person reads them (``_looks_for_people``); the JSON keeps each.
    merge: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None


def _name(user: Any) -> str | None:
    if user is None:
        return None
    return str(user.get_full_name() or user.get_username())


def _kind(service: Any) -> str | None:
    return service.kind if service is not None else None


def _involvement(kind: str | None) -> str:
    """The category of the fact that a service of ``kind`` follows or refers the youth."""
    return involvement_category(kind) if kind else Category.GENERAL


# --- The youth and those around them -------------------------------------------------------


def _youth(ctx: Context) -> list[dict[str, Any]]:
    youth, limits = ctx.youth, ctx.limits
    row: dict[str, Any] = {
        "id": youth.pk,
        "first_name": youth.first_name,
        "last_name": youth.last_name,
        "birth_date": youth.birth_date,
    }
    if not limits.guardian:
        # The youth's own identity number is theirs to have; a guardian's copy leaves it out.
        row["national_id"] = youth.national_id
        row["national_id_kind"] = youth.national_id_kind
    if limits.whereabouts:
        row |= {
            "municipality_number": youth.municipality_number,
            "email": youth.email,
            "phone": youth.phone,
        }
    row |= {
        "address_protection": youth.address_protection,
        "shielded": youth.shielded,
        "registered_at": youth.created_at,
        "updated_at": youth.updated_at,
    }
    return [row]


def _guardians(ctx: Context) -> list[dict[str, Any]]:
    return [
        {
            "id": g.pk,
            "full_name": g.full_name,
            "relation": g.relation,
            "has_parental_responsibility": g.has_parental_responsibility,
            "email": g.email,
            "phone": g.phone,
            "registered_at": g.created_at,
        }
        for g in Guardian.objects.filter(youth=ctx.youth).order_by("full_name", "pk")
    ]


def _portal_accounts(ctx: Context) -> list[dict[str, Any]]:
    accounts = PortalAccount.objects.filter(youth=ctx.youth).select_related("user", "guardian")
    return [
        {
            "id": a.pk,
            "as_guardian": a.is_guardian,
            "holder": a.guardian.full_name if a.guardian else ctx.youth.full_name,
            "created_at": a.created_at,
        }
        for a in accounts.order_by("created_at", "pk")
    ]


# --- Follow-up: periods, contact persons, the log, referrals, handovers ---------------------


def _periods(ctx: Context) -> list[dict[str, Any]]:
    limits = ctx.limits
    periods = FollowUpPeriod.objects.filter(youth=ctx.youth).select_related(
        "service", "responsible", "created_by", "closed_by"
    )
    rows = []
    for p in periods.order_by("started_on", "created_at"):
        kind = p.service.kind
        if not (limits.whereabouts and limits.shown(Category.GENERAL, kind)):
            continue
        rows.append(
            {
                "id": p.pk,
                "service": p.service.name,
                "service_kind": kind,
                "started_on": p.started_on,
                "reason": p.reason,
                "registration_reason": p.registration_reason,
                "ended_on": p.ended_on,
                "end_reason": p.end_reason,
                "responsible": _name(p.responsible),
                "created_by": _name(p.created_by),
                "closed_by": _name(p.closed_by),
                "created_at": p.created_at,
                "category": _involvement(kind),
            }
        )
    return ctx.keep("periods", rows)


def _responsibilities(ctx: Context) -> list[dict[str, Any]]:
    terms = Responsibility.objects.filter(period__youth=ctx.youth).select_related(
        "user", "period__service"
    )
    return [
        {
            "id": r.pk,
            "period": r.period_id,
            "service": r.period.service.name,
            "responsible": _name(r.user),
            "since": r.since,
            "until": r.until,
        }
        for r in terms.order_by("since", "pk")
        if ctx.has("periods", r.period_id)
    ]


def _entries(ctx: Context) -> list[dict[str, Any]]:
    limits = ctx.limits
    entries = FollowUpEntry.objects.filter(youth=ctx.youth).select_related(
        "service", "author", "deleted_by"
    )
    rows = []
    for e in entries.order_by("occurred_on", "created_at"):
        if not (limits.whereabouts and limits.shown(e.category, e.service.kind)):
            continue
        deleted = e.deleted_at is not None
        rows.append(
            {
                "id": e.pk,
                "period": e.period_id,
                "service": e.service.name,
                "service_kind": e.service.kind,
                "occurred_on": e.occurred_on,
                "kind": e.kind,
                "category": e.category,
                # An entry deleted as made in error is listed without its text (see ``about``).
                "text": None if deleted else e.text,
                "corrects": e.corrects_id,
                "author": _name(e.author),
                "created_at": e.created_at,
                "updated_at": e.updated_at,
                "deleted_at": e.deleted_at,
                "deleted_by": _name(e.deleted_by),
                "deletion_reason": e.deletion_reason,
            }
        )
    ctx.kept["deleted_entries"] = {r["id"] for r in rows if r["deleted_at"] is not None}
    return ctx.keep("entries", rows)


def _threads(ctx: Context) -> list[dict[str, Any]]:
    """Threads about the youth: with the contact persons and between the services; a guardian
    reads the threads with the contact persons that *Min side* shows them."""
    limits = ctx.limits
    rows = []
    for t in Thread.objects.filter(youth=ctx.youth).select_related("service", "started_by"):
        if limits.guardian and t.kind != ThreadKind.YOUTH:
            continue
        if not (limits.whereabouts and limits.shown(t.category, t.service.kind)):
            continue
        rows.append(
            {
                "id": t.pk,
                "service": t.service.name,
                "kind": t.kind,
                "category": t.category,
                "subject": t.subject,
                "started_by": _name(t.started_by),
                "created_at": t.created_at,
            }
        )
    return ctx.keep("threads", rows)


def _messages(ctx: Context) -> list[dict[str, Any]]:
    """The messages of the threads in the copy, each with when another participant first read
    it (the read rows themselves are in ``LEFT_OUT``)."""
    first_read = (
        MessageRead.objects.filter(message_id=OuterRef("pk"))
        .exclude(reader_id=OuterRef("author_id"))
        .order_by("read_at")
        .values("read_at")[:1]
    )
    messages = (
        Message.objects.filter(thread__youth=ctx.youth)
        .select_related("author")
        .annotate(read_at=Subquery(first_read))
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": m.pk,
            "thread": m.thread_id,
            "author": _name(m.author),
            "created_at": m.created_at,
            "text": m.text,
            "corrects": m.corrects_id,
            "answer_by": m.answer_by,
            "read_at": m.read_at,
        }
        for m in messages
        if ctx.has("threads", m.thread_id)
    ]


def _referrals(ctx: Context) -> list[dict[str, Any]]:
    limits = ctx.limits
    referrals = Referral.objects.filter(youth=ctx.youth).select_related(
        "from_service", "to_service", "sent_by", "received_by", "answered_by"
    )
    rows = []
    for r in referrals.order_by("sent_at", "pk"):
        kinds = (r.from_service.kind, r.to_service.kind)
        carried = [Category.GENERAL, *r.categories]
        if not (limits.whereabouts and all(limits.shown(c, k) for c in carried for k in kinds)):
            continue
        rows.append(
            {
                "id": r.pk,
                "from_service": r.from_service.name,
                "to_service": r.to_service.name,
                "to_service_kind": r.to_service.kind,
                "sent_by": _name(r.sent_by),
                "sent_at": r.sent_at,
                "reason_code": r.reason_code,
                "reason": r.reason,
                "message": r.message,
                "categories": list(r.categories),
                "bases": dict(r.bases),
                "respond_by": r.respond_by,
                "state": r.state,
                "received_at": r.received_at,
                "received_by": _name(r.received_by),
                "answered_at": r.answered_at,
                "answered_by": _name(r.answered_by),
                "decline_reason": r.decline_reason,
                "period": r.period_id,
                "rerouted_to": r.rerouted_to_id,
                "closed_at": r.closed_at,
                "category": _involvement(r.to_service.kind),
            }
        )
    return ctx.keep("referrals", rows)


def _handovers(ctx: Context) -> list[dict[str, Any]]:
    limits = ctx.limits
    handovers = Handover.objects.filter(youth=ctx.youth).select_related(
        "period__service", "to_service", "from_user", "to_user", "decided_by"
    )
    rows = []
    for h in handovers.order_by("created_at", "pk"):
        kinds = (h.period.service.kind, h.to_service.kind)
        if not (limits.whereabouts and all(limits.shown(Category.GENERAL, k) for k in kinds)):
            continue
        rows.append(
            {
                "id": h.pk,
                "kind": h.kind,
                "plan": h.about_id,
                "period": h.period_id,
                "from_service": h.period.service.name,
                "from_user": _name(h.from_user),
                "to_service": h.to_service.name,
                "to_user": _name(h.to_user),
                "message": h.message,
                "state": h.state,
                "created_at": h.created_at,
                "decided_at": h.decided_at,
                "decided_by": _name(h.decided_by),
                "decline_reason": h.decline_reason,
            }
        )
    return ctx.keep("handovers", rows)


# --- NAV: §14a decisions, activity plans and activities --------------------------------------


def _decisions(ctx: Context) -> list[dict[str, Any]]:
    limits = ctx.limits
    decisions = NavDecision.objects.filter(youth=ctx.youth).select_related("service", "decided_by")
    return ctx.keep(
        "nav_decisions",
        [
            {
                "id": d.pk,
                "service": d.service.name,
                "innsatsgruppe": d.innsatsgruppe,
                "main_goal": d.main_goal,
                "decided_on": d.decided_on,
                "decided_by": _name(d.decided_by),
                "recorded_at": d.recorded_at,
                "superseded_at": d.superseded_at,
                "superseded_by": d.superseded_by_id,
                "category": Category.WORK_AND_WELFARE,
            }
            for d in decisions.order_by("decided_on", "recorded_at")
            if limits.whereabouts and limits.shown(Category.WORK_AND_WELFARE, d.service.kind)
        ],
    )


def _activity_plans(ctx: Context) -> list[dict[str, Any]]:
    plans = ActivityPlan.objects.filter(youth=ctx.youth).select_related(
        "period__service", "created_by", "approved_by"
    )
    return ctx.keep(
        "activity_plans",
        [
            {
                "id": p.pk,
                "period": p.period_id,
                "service": p.period.service.name,
                "created_at": p.created_at,
                "created_by": _name(p.created_by),
                "approved_at": p.approved_at,
                "approved_by": _name(p.approved_by),
            }
            for p in plans.order_by("created_at", "pk")
            if ctx.limits.whereabouts and ctx.limits.shown(Category.GENERAL, p.period.service.kind)
        ],
    )


def _activities(ctx: Context) -> list[dict[str, Any]]:
    activities = Activity.objects.filter(youth=ctx.youth).select_related(
        "responsible_service", "created_by"
    )
    return ctx.keep(
        "activities",
        [
            {
                "id": a.pk,
                "activity_plan": a.plan_id,
                "type": a.type,
                "status": a.status,
                "category": a.category,
                "title": a.title,
                "description": a.description,
                "from_date": a.from_date,
                "to_date": a.to_date,
                "deadline": a.deadline,
                "responsible_service": a.responsible_service.name,
                "agreed": a.agreed,
                "agreed_at": a.agreed_at,
                "status_changed_at": a.status_changed_at,
                "source": a.source,
                "external_id": a.external_id,
                "created_by": _name(a.created_by),
                "created_at": a.created_at,
                "updated_at": a.updated_at,
            }
            for a in activities.order_by("created_at", "pk")
            if ctx.has("activity_plans", a.plan_id)
            and ctx.limits.shown(a.category, a.responsible_service.kind)
        ],
    )


def _activity_history(ctx: Context) -> list[dict[str, Any]]:
    versions = ActivityVersion.objects.filter(activity__youth=ctx.youth).select_related(
        "changed_by"
    )
    return [
        {
            "id": v.pk,
            "activity": v.activity_id,
            "version": v.version,
            "changed_at": v.changed_at,
            "changed_by": _name(v.changed_by),
            "youth_text": v.youth_text,
            "staff_text": v.staff_text,
            "changes": v.changes,
        }
        for v in versions.order_by("changed_at", "pk")
        if ctx.has("activities", v.activity_id)
    ]


def _activity_comments(ctx: Context) -> list[dict[str, Any]]:
    comments = ActivityComment.objects.filter(youth=ctx.youth).select_related("written_by")
    return [
        {
            "id": c.pk,
            "activity": c.activity_id,
            "written_at": c.written_at,
            "written_by": _name(c.written_by),
            "by_youth": c.by_youth,
            "corrects": c.corrects_id,
            "text": c.text,
        }
        for c in comments.order_by("written_at", "pk")
        if ctx.has("activities", c.activity_id)
    ]


def _activity_change_requests(ctx: Context) -> list[dict[str, Any]]:
    requests = ActivityChangeRequest.objects.filter(youth=ctx.youth).select_related(
        "requested_by", "answered_by"
    )
    return [
        {
            "id": r.pk,
            "activity": r.activity_id,
            "requested_at": r.requested_at,
            "requested_by": _name(r.requested_by),
            "activity_version": r.activity_version,
            "text": r.text,
            "outcome": r.outcome,
            "answer": r.answer,
            "answered_at": r.answered_at,
            "answered_by": _name(r.answered_by) if r.answered_by else "",
        }
        for r in requests.order_by("requested_at", "pk")
        if ctx.has("activities", r.activity_id)
    ]


def _consent_requests(ctx: Context) -> list[dict[str, Any]]:
    requests = ConsentRequest.objects.filter(youth=ctx.youth).select_related(
        "from_service", "to_service", "requested_by", "answered_by"
    )
    return [
        {
            "id": r.pk,
            "from_service": ctx.limits.place(r.from_service),
            "to_service": ctx.limits.place(r.to_service),
            "categories": r.categories,
            "purpose": r.purpose,
            "agreed_text": r.agreed_text,
            "requested_at": r.requested_at,
            "requested_by": _name(r.requested_by),
            "state": r.state,
            "answered_at": r.answered_at,
            "consent": r.consent_id,
        }
        for r in requests.order_by("requested_at", "pk")
        if all(
            ctx.limits.shown(c, kind)
            for c in r.categories
            for kind in (r.from_service.kind, r.to_service.kind)
        )
        and ctx.limits.whereabouts
    ]


# --- Plans: the individual plan and the stafettlogg ------------------------------------------


def _plans(ctx: Context) -> list[dict[str, Any]]:
    plans = Plan.objects.filter(youth=ctx.youth).select_related(
        "service", "coordinator", "created_by"
    )
    return ctx.keep(
        "plans",
        [
            {
                "id": p.pk,
                "kind": p.kind,
                "status": p.status,
                "bti_level": p.bti_level,
                "service": p.service.name,
                "coordinator": _name(p.coordinator),
                "consent": p.consent_id,
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
                "next_review_on": p.next_review_on,
                "created_at": p.created_at,
                "created_by": _name(p.created_by),
                "activated_at": p.activated_at,
                "converted_at": p.converted_at,
                "closed_at": p.closed_at,
                "close_reason": p.close_reason,
                "close_note": p.close_note,
                **{name: getattr(p, name) for name in PLAN_TEXT_FIELDS},
            }
            for p in plans.order_by("created_at", "pk")
            if ctx.limits.whereabouts and ctx.limits.shown(Category.GENERAL, p.service.kind)
        ],
    )


def _participants(ctx: Context) -> list[dict[str, Any]]:
    participants = PlanParticipant.objects.filter(plan__youth=ctx.youth).select_related(
        "service", "contact"
    )
    return ctx.keep(
        "plan_participants",
        [
            {
                "id": p.pk,
                "plan": p.plan_id,
                "kind": p.kind,
                "service": p.service.name if p.service else None,
                "contact": _name(p.contact),
                "name": p.name,
                "relation": p.relation,
                "contribution": p.contribution,
                "joined_at": p.joined_at,
                "left_at": p.left_at,
                "category": _involvement(_kind(p.service)),
            }
            for p in participants.order_by("joined_at", "pk")
            if ctx.has("plans", p.plan_id) and ctx.limits.shown(Category.GENERAL, _kind(p.service))
        ],
    )


def _goals(ctx: Context) -> list[dict[str, Any]]:
    goals = PlanGoal.objects.filter(youth=ctx.youth).select_related("service")
    return ctx.keep(
        "plan_goals",
        [
            {
                "id": g.pk,
                "plan": g.plan_id,
                "parent": g.parent_id,
                "title": g.title,
                "description": g.description,
                "service": g.service.name,
                "category": g.category,
                "achieved_at": g.achieved_at,
                "position": g.position,
                "removed_at": g.removed_at,
            }
            for g in goals.order_by("plan_id", "position", "title")
            if ctx.has("plans", g.plan_id) and ctx.limits.shown(g.category, g.service.kind)
        ],
    )


def _measures(ctx: Context) -> list[dict[str, Any]]:
    measures = PlanMeasure.objects.filter(youth=ctx.youth).select_related("service", "responsible")
    return ctx.keep(
        "plan_measures",
        [
            {
                "id": m.pk,
                "plan": m.plan_id,
                "goal": m.goal_id,
                "title": m.title,
                "scope": m.scope,
                "how": m.how,
                "service": m.service.name,
                "responsible": _name(m.responsible),
                "category": m.category,
                "starts_on": m.starts_on,
                "ends_on": m.ends_on,
                "status": m.status,
                "status_changed_at": m.status_changed_at,
                "removed_at": m.removed_at,
            }
            for m in measures.order_by("plan_id", "ends_on", "title")
            if ctx.has("plan_goals", m.goal_id) and ctx.limits.shown(m.category, m.service.kind)
        ],
    )


def _reviews(ctx: Context) -> list[dict[str, Any]]:
    reviews = (
        PlanReview.objects.filter(plan__youth=ctx.youth)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("attendees", queryset=PlanParticipant.objects.select_related("service"))
        )
    )
    return ctx.keep(
        "plan_reviews",
        [
            {
                "id": r.pk,
                "plan": r.plan_id,
                "held_on": r.held_on,
                "youth_attended": r.youth_attended,
                "attendees": sorted(
                    p.name or (p.service.name if p.service else "")
                    for p in r.attendees.all()
                    if ctx.has("plan_participants", p.pk)
                ),
                "changes_agreed": r.changes_agreed,
                "youth_view": r.youth_view,
                "next_review_on": r.next_review_on,
                "was_due_on": r.was_due_on,
                "recorded_by": _name(r.recorded_by),
                "recorded_at": r.recorded_at,
            }
            for r in reviews.order_by("held_on", "recorded_at")
            if ctx.has("plans", r.plan_id)
        ],
    )


def _review_notes(ctx: Context) -> list[dict[str, Any]]:
    notes = PlanReviewGoal.objects.filter(youth=ctx.youth).select_related("goal")
    return [
        {
            "id": n.pk,
            "review": n.review_id,
            "goal": n.goal_id,
            "goal_title": n.goal.title,
            "category": n.category,
            "achieved": n.achieved,
        }
        for n in notes.order_by("review_id", "pk")
        if ctx.has("plan_reviews", n.review_id) and ctx.has("plan_goals", n.goal_id)
    ]


def _coordinators(ctx: Context) -> list[dict[str, Any]]:
    terms = CoordinatorTerm.objects.filter(plan__youth=ctx.youth).select_related("user", "service")
    return [
        {
            "id": t.pk,
            "plan": t.plan_id,
            "coordinator": _name(t.user),
            "service": t.service.name,
            "since": t.since,
            "until": t.until,
        }
        for t in terms.order_by("since", "pk")
        if ctx.has("plans", t.plan_id) and ctx.limits.shown(Category.GENERAL, t.service.kind)
    ]


# A version of one of these objects is shown with the object (a goal or measure the reader is
# not shown hides its history too); a review's version holds the notes on every goal, so a
# reader not shown every goal gets the reviews from ``plan_reviews`` alone.
_VERSIONED = {"participant": "plan_participants", "goal": "plan_goals", "measure": "plan_measures"}


def _plan_history(ctx: Context) -> list[dict[str, Any]]:
    versions = PlanVersion.objects.filter(youth=ctx.youth).select_related("actor", "service")
    rows = []
    for v in versions.order_by("at", "id"):
        section = _VERSIONED.get(v.object_type)
        if not ctx.has("plans", v.plan_id) or not ctx.limits.shown(v.category, v.service.kind):
            continue
        if section is not None and not ctx.has(section, v.object_id):
            continue
        if v.object_type == "review" and ctx.limits.guardian:
            continue
        rows.append(
            {
                "id": v.pk,
                "plan": v.plan_id,
                "at": v.at,
                "actor": _name(v.actor),
                "object_type": v.object_type,
                "object_id": v.object_id,
                "action": v.action,
                "category": v.category,
                "changes": v.changes,
            }
        )
    return rows


def _child_coordinators(ctx: Context) -> list[dict[str, Any]]:
    limits = ctx.limits
    decisions = ChildCoordinator.objects.filter(youth=ctx.youth).select_related(
        "service", "coordinator", "recorded_by"
    )
    # The right rests on the child's health (pbrl § 2-5 c): it is health information.
    return [
        {
            "id": c.pk,
            "service": c.service.name,
            "decided_on": c.decided_on,
            "serious_condition": c.serious_condition,
            "needs_complex_services": c.needs_complex_services,
            "right_granted": c.right_granted,
            "reasons": c.reasons,
            "coordinator": _name(c.coordinator),
            "appointed_at": c.appointed_at,
            "ended_at": c.ended_at,
            "end_reason": c.end_reason,
            "recorded_by": _name(c.recorded_by),
            "recorded_at": c.recorded_at,
            "category": Category.HEALTH,
        }
        for c in decisions.order_by("decided_on", "recorded_at")
        if limits.whereabouts and limits.shown(Category.HEALTH, c.service.kind)
    ]


# --- Deadlines and reminders (coordination's ledger) -----------------------------------------


def _deadlines(ctx: Context) -> list[dict[str, Any]]:
    limits = ctx.limits
    deadlines = Deadline.objects.filter(youth=ctx.youth).select_related("rule", "service", "staff")
    return ctx.keep(
        "deadlines",
        [
            {
                "id": d.pk,
                "rule": d.rule_id,
                "rule_name": d.rule.name,
                "subject_type": d.subject_type,
                "subject_id": d.subject_id,
                "category": d.category,
                "due_on": d.due_on,
                "service": d.service.name,
                "staff": _name(d.staff),
                "status": d.status,
                "fulfilled_at": d.fulfilled_at,
                "closed_at": d.closed_at,
                "created_at": d.created_at,
            }
            for d in deadlines.order_by("due_on", "created_at")
            if limits.whereabouts and limits.shown(d.category, d.service.kind)
        ],
    )


def _reminders(ctx: Context) -> list[dict[str, Any]]:
    """The reminders of the youth's deadlines, and the notices about the youth (to the youth,
    or to staff of a new message from or about the youth); not in a guardian's copy, which
    does not say who wrote to or about the youth."""
    own = Q(deadline__youth=ctx.youth)
    if not ctx.limits.guardian:
        own |= Q(stage=ReminderStage.NOTICE, youth=ctx.youth)
    reminders = Reminder.objects.filter(own).select_related("user", "service")
    return [
        {
            "id": r.pk,
            "deadline": r.deadline_id,
            "stage": r.stage,
            "days": r.days,
            "recipient": (
                _name(r.user)
                if r.user_id
                else r.service.name
                if r.service
                else f"{ctx.youth.full_name} ({r.get_channel_display()})"
            ),
            "send_after": r.send_after,
            "status": r.status,
            "sent_at": r.sent_at,
        }
        for r in reminders.order_by("send_after", "pk")
        if r.deadline_id is None or ctx.has("deadlines", r.deadline_id)
    ]


def _notice_settings(ctx: Context) -> list[dict[str, Any]]:
    """Where the youth wants notices: the youth's own, not in a guardian's copy."""
    if ctx.limits.guardian:
        return []
    return [
        {
            "id": row.pk,
            "email": row.email,
            "email_on": row.email_on,
            "mobile": row.mobile,
            "sms_on": row.sms_on,
            "updated_at": row.updated_at,
        }
        for row in NoticeSettings.objects.filter(youth=ctx.youth)
    ]


# --- Consents, the youth's objection, disclosures --------------------------------------------


def _consents(ctx: Context) -> list[dict[str, Any]]:
    consents = (
        Consent.objects.filter(subject=ctx.youth)
        .select_related("documented_by", "recorded_by", "withdrawn_by")
        .prefetch_related(
            Prefetch(
                "scopes",
                queryset=ConsentScope.objects.select_related("from_party", "to_party").order_by(
                    "pk"
                ),
            ),
            Prefetch(
                "guardian_decisions",
                queryset=GuardianDecision.objects.select_related("recorded_by", "documented_by"),
            ),
        )
        .order_by("valid_from", "recorded_at")
    )
    shown = [c for c in consents if portal.consent_shown(ctx.limits.hidden, c)]
    ctx.loaded["consents"] = shown
    return ctx.keep(
        "consents",
        [
            {
                "id": c.pk,
                "decision": c.decision,
                "giver": c.giver,
                "giver_names": c.giver_names,
                "child_view": c.child_view,
                "purpose_code": c.purpose_code,
                "purpose": c.purpose,
                "method": c.method,
                "agreed_text": c.agreed_text,
                "valid_from": c.valid_from,
                "valid_until": c.valid_until,
                "documented_by": _name(c.documented_by),
                "recorded_by": _name(c.recorded_by),
                "recorded_at": c.recorded_at,
                "withdrawn_at": c.withdrawn_at,
                "withdrawn_by": _name(c.withdrawn_by),
                "withdrawal_method": c.withdrawal_method,
                "replaces": c.replaces_id,
                "categories": sorted({s.category for s in c.scopes.all()}),
            }
            for c in shown
        ],
    )


def _flows(ctx: Context) -> list[dict[str, Any]]:
    limits = ctx.limits
    return [
        {
            "id": s.pk,
            "consent": s.consent_id,
            "from_service": limits.place(s.from_party),
            "from_kind": _kind(s.from_party) or s.from_kind,
            "to_service": limits.place(s.to_party),
            "to_kind": _kind(s.to_party) or s.to_kind,
            "category": s.category,
            "competent_until": s.competent_until,
            "kind_reason": s.kind_reason,
        }
        for c in ctx.loaded["consents"]
        for s in c.scopes.all()
    ]


def _guardian_answers(ctx: Context) -> list[dict[str, Any]]:
    return [
        {
            "id": d.pk,
            "consent": d.consent_id,
            "guardian": d.guardian_id,
            "guardian_name": d.guardian_name,
            "decision": d.decision,
            "method": d.method,
            "decided_at": d.decided_at,
            "recorded_by": _name(d.recorded_by),
            "documented_by": _name(d.documented_by),
        }
        for c in ctx.loaded["consents"]
        for d in sorted(c.guardian_decisions.all(), key=lambda d: (d.decided_at, d.pk))
    ]


def _health_objections(ctx: Context) -> list[dict[str, Any]]:
    objections = HealthObjection.objects.filter(youth=ctx.youth).select_related(
        "recorded_by", "service", "withdrawn_by"
    )
    return [
        {
            "id": o.pk,
            "objected_at": o.objected_at,
            "recorded_by": _name(o.recorded_by),
            "service": o.service.name if o.service else None,
            "withdrawn_at": o.withdrawn_at,
            "withdrawn_by": _name(o.withdrawn_by),
            "category": Category.HEALTH,
        }
        for o in objections.order_by("objected_at", "pk")
    ]


def _disclosures(ctx: Context) -> list[dict[str, Any]]:
    limits = ctx.limits
    disclosures = (
        Disclosure.objects.filter(subject=ctx.youth)
        .select_related("from_party", "to_party", "disclosed_by")
        .prefetch_related("items")
        .order_by("disclosed_at", "pk")
    )
    shown = [
        d
        for d in disclosures
        if d.basis_id not in ctx.withheld_codes
        and limits.whereabouts
        and all(
            limits.shown(c, k)
            for c in [Category.GENERAL, *(i.category for i in d.items.all())]
            for k in (d.from_party.kind, d.to_party.kind)
        )
    ]
    ctx.loaded["disclosures"] = shown
    ctx.kept["withheld_disclosures"] = {str(d.pk) for d in disclosures if d not in shown}
    return ctx.keep(
        "disclosures",
        [
            {
                "id": d.pk,
                "from_service": d.from_party.name,
                "to_service": d.to_party.name,
                "basis": d.basis_id,
                "law": ctx.laws.get(d.basis_id, d.basis_id),
                "reason": d.reason,
                "report": d.report,
                "disclosed_by": _name(d.disclosed_by),
                "disclosed_at": d.disclosed_at,
            }
            for d in shown
        ],
    )


def _disclosed_items(ctx: Context) -> list[dict[str, Any]]:
    return [
        {
            "id": i.pk,
            "disclosure": i.disclosure_id,
            "item_type": i.item_type,
            "item_id": i.item_id,
            "category": i.category,
        }
        for d in ctx.loaded["disclosures"]
        for i in sorted(d.items.all(), key=lambda i: i.pk)
    ]


# --- Who looked, and what changed -----------------------------------------------------------


def _access_log(ctx: Context) -> list[dict[str, Any]]:
    limits = ctx.limits
    bases = frozenset(f"legal:{code}" for code in ctx.withheld_codes)
    if limits.guardian:
        looks: Iterable[AccessLogEntry] = [
            e
            for e in portal.access_log(ctx.youth, without_health_services=bool(limits.hidden))
            if portal.look_shown(limits.hidden, bases, e)
        ]
    else:
        # The youth's copy holds the refused attempts too: they are rows about the youth.
        looks = [
            e
            for e in AccessLogEntry.objects.filter(subject=ctx.youth)
            .select_related("party")
            .order_by("-at", "-pk")
            if not bases & set(e.bases)
        ]
    return [
        {
            "id": e.pk,
            "at": e.at,
            "who": e.actor_name if limits.whereabouts else "",
            "role": e.role,
            "service": limits.place(e.party),
            "purpose": e.purpose,
            "granted": e.granted,
            "categories": list(e.categories),
            "items": list(e.items),
            "bases": list(e.bases),
        }
        for e in looks
    ]


def _looks_for_people(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The access log for people, newest first: one line per person, service and outcome on a
    day, with the span of the day's looks and how many, what they were for, what they showed
    and on which bases; looks at general information only (a list the youth was on) one line
    per person, service and month, naming the days. A caseload opened every day is one line a
    month; the JSON keeps every look with its time."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        moment = timezone.localtime(row["at"])
        listed = not row["items"]
        when = (moment.year, moment.month) if listed else moment.date()
        key = (listed, when, row["who"], row["role"], row["service"], row["granted"])
        group = groups.setdefault(
            key,
            {**row, "listed": listed, "moments": [], "purposes": set(), "types": set()}
            | {"codes": set()},
        )
        group["moments"].append(moment)
        group["purposes"].add(row["purpose"])
        group["types"] |= {str(item.get("type", "")) for item in row["items"]}
        group["codes"] |= set(row["bases"])
    return [
        {
            **group,
            "at": _span(group["moments"], monthly=group["listed"]),
            "purpose": ", ".join(sorted(group["purposes"])),
            "items": [{"type": t} for t in sorted(group["types"]) if t],
            "bases": sorted(group["codes"]),
        }
        for group in groups.values()
    ]


def _span(moments: list[Any], *, monthly: bool) -> str:
    """When a group of looks was: a month and its days, or a day and its first and last
    time; with how many looks when more than one."""
    first, last = min(moments), max(moments)
    if monthly:
        days = sorted({m.day for m in moments})
        span = f"{date_format(first, 'F Y')}: " + ", ".join(f"{day}." for day in days)
    else:
        span = first.strftime("%d.%m.%Y %H:%M")
        if last != first:
            span += last.strftime("–%H:%M")
    if len(moments) > 1:
        span += " " + ngettext("(%(count)d gang)", "(%(count)d ganger)", len(moments)) % {
            "count": len(moments)
        }
    return span


def _audit(ctx: Context) -> list[dict[str, Any]]:
    withheld = ctx.kept.get("withheld_disclosures", set())
    deleted = {str(pk) for pk in ctx.kept.get("deleted_entries", set())}
    rows = []
    entries = AuditEntry.objects.filter(subject=ctx.youth).select_related("actor")
    for a in entries.order_by("at", "pk"):
        if a.target_type == "consent.Disclosure" and a.target_id in withheld:
            continue
        data = dict(a.data)
        if a.target_type == "cases.FollowUpEntry" and a.target_id in deleted:
            # The text an edit replaced goes with the deleted entry's own text.
            data.pop("before", None)
        rows.append(
            {
                "id": a.pk,
                "at": a.at,
                "actor": _name(a.actor),
                "action": a.action,
                "target_type": a.target_type,
                "target_id": a.target_id,
                "data": data,
            }
        )
    return rows


def _what(value: Any) -> str:
    return log_words.what_words(value)


def _bases(value: Any, laws: dict[str, str]) -> str:
    return "; ".join(sorted({log_words.basis_words(code, laws) for code in value})) or EMPTY


OBJECT_WORDS = {
    "plan": _("planen"),
    "participant": _("deltaker"),
    "goal": _("mål"),
    "measure": _("tiltak"),
    "review": _("evaluering"),
}


def _what_one(value: Any) -> str:
    return log_words.what_words([{"type": value}])


def _object(value: Any) -> str:
    return plain(OBJECT_WORDS.get(value, value))


def _role(value: Any) -> str:
    return plain(StaffRole(value).label if value in StaffRole.values else value)


def _refused(value: Any) -> str:
    """Only a refused look says so."""
    return "" if value else str(_("avvist"))


SECTIONS: tuple[Section, ...] = (
    Section(
        "youth",
        _("Personopplysninger"),
        ("cases.Youth",),
        (
            Column("first_name", _("Fornavn")),
            Column("last_name", _("Etternavn")),
            Column("birth_date", _("Fødselsdato")),
            Column("national_id", _("Fødselsnummer / D-nummer")),
            Column("municipality_number", _("Kommunenummer")),
            Column("email", _("E-post")),
            Column("phone", _("Telefon")),
            Column("address_protection", _("Adressebeskyttelse"), choice(Protection)),
            Column("shielded", _("Skjermet")),
            Column("registered_at", _("Registrert")),
            Column("updated_at", _("Sist endret")),
        ),
        _youth,
        item_type="youth",
    ),
    Section(
        "guardians",
        _("Foresatte"),
        ("cases.Guardian",),
        (
            Column("full_name", _("Navn")),
            Column("relation", _("Relasjon"), choice(GuardianRelation)),
            Column("has_parental_responsibility", _("Foreldreansvar")),
            Column("email", _("E-post")),
            Column("phone", _("Telefon")),
            Column("registered_at", _("Registrert")),
        ),
        _guardians,
        item_type="guardian",
    ),
    Section(
        "portal_accounts",
        _("Innlogging på Min side"),
        ("cases.PortalAccount",),
        (
            Column("holder", _("Hvem")),
            Column("as_guardian", _("Som foresatt")),
            Column("created_at", _("Opprettet")),
        ),
        _portal_accounts,
        item_type="portal-account",
    ),
    Section(
        "periods",
        _("Oppfølgingsperioder"),
        ("cases.FollowUpPeriod",),
        (
            Column("service", _("Tjeneste")),
            Column("started_on", _("Fra")),
            Column("ended_on", _("Til")),
            Column("responsible", _("Kontaktperson")),
            Column("registration_reason", _("Tilmeldingsårsak"), choice(OtRegistrationReason)),
            Column("created_by", _("Opprettet av")),
            Column("closed_by", _("Avsluttet av")),
            Column("reason", _("Årsak til oppstart"), long=True),
            Column("end_reason", _("Årsak til avslutning"), long=True),
        ),
        _periods,
        item_type="period",
    ),
    Section(
        "responsibilities",
        _("Kontaktpersoner over tid"),
        ("cases.Responsibility",),
        (
            Column("service", _("Tjeneste")),
            Column("responsible", _("Kontaktperson")),
            Column("since", _("Fra")),
            Column("until", _("Til")),
        ),
        _responsibilities,
        item_type="responsibility",
    ),
    Section(
        "entries",
        _("Oppfølgingslogg"),
        ("cases.FollowUpEntry",),
        (
            Column("id", _("Ref."), short),
            Column("occurred_on", _("Dato")),
            Column("service", _("Tjeneste")),
            Column("kind", _("Type"), choice(EntryKind)),
            Column("category", _("Kategori"), categories),
            Column("author", _("Skrevet av")),
            Column("corrects", _("Retter"), short, optional=True),
            Column("deleted_at", _("Slettet"), optional=True),
            Column("deleted_by", _("Slettet av"), optional=True),
            Column("text", _("Tekst"), long=True),
            Column("deletion_reason", _("Årsak til sletting"), long=True),
        ),
        _entries,
        lines=True,
        item_type="entry",
        about=_(
            "Alle notater som er lagret, også de som er rettet. Et notat som er slettet fordi "
            "det ble skrevet ved en feil, står med hvem som slettet det, når og hvorfor, men "
            "uten teksten: et slikt notat er ofte skrevet om feil person, og teksten kan være "
            "opplysninger om noen andre (personvernforordningen art. 15 nr. 4). Tjenesten som "
            "har notatet, svarer om du vil vite mer."
        ),
    ),
    Section(
        "threads",
        _("Samtaler"),
        ("cases.Thread",),
        (
            Column("id", _("Ref."), short),
            Column("created_at", _("Startet")),
            Column("service", _("Tjeneste")),
            Column("kind", _("Type"), choice(ThreadKind)),
            Column("category", _("Kategori"), categories),
            Column("subject", _("Emne")),
            Column("started_by", _("Startet av")),
        ),
        _threads,
        item_type="thread",
    ),
    Section(
        "messages",
        _("Meldinger"),
        ("cases.Message",),
        (
            Column("thread", _("Samtale"), short),
            Column("created_at", _("Sendt")),
            Column("author", _("Skrevet av")),
            Column("corrects", _("Retter"), short, optional=True),
            Column("answer_by", _("Svar innen"), optional=True),
            Column("read_at", _("Lest"), optional=True),
            Column("text", _("Tekst"), long=True),
        ),
        _messages,
        lines=True,
        item_type="message",
    ),
    Section(
        "referrals",
        _("Henvisninger"),
        ("cases.Referral",),
        (
            Column("sent_at", _("Sendt")),
            Column("from_service", _("Fra")),
            Column("to_service", _("Til")),
            Column("reason_code", _("Årsak"), choice(ReferralReason)),
            Column("categories", _("Opplysninger som fulgte med"), categories),
            Column("state", _("Status"), choice(ReferralState)),
            Column("respond_by", _("Svarfrist")),
            Column("message", _("Melding"), long=True),
            Column("decline_reason", _("Begrunnelse for avslag"), long=True),
        ),
        _referrals,
        item_type="referral",
    ),
    Section(
        "handovers",
        _("Stafetter (overføring av ansvar)"),
        ("cases.Handover",),
        (
            Column("created_at", _("Opprettet")),
            Column("kind", _("Hva"), choice(HandoverKind)),
            Column("from_service", _("Fra tjeneste")),
            Column("from_user", _("Fra")),
            Column("to_service", _("Til tjeneste")),
            Column("to_user", _("Til")),
            Column("state", _("Status"), choice(HandoverState)),
            Column("message", _("Melding"), long=True),
        ),
        _handovers,
        item_type="handover",
    ),
    Section(
        "nav_decisions",
        _("§ 14 a-vedtak"),
        ("cases.NavDecision",),
        (
            Column("decided_on", _("Vedtaksdato")),
            Column("service", _("NAV-kontor")),
            Column("innsatsgruppe", _("Innsatsgruppe"), choice(Innsatsgruppe)),
            Column("main_goal", _("Hovedmål"), choice(MainGoal)),
            Column("decided_by", _("Fattet av")),
            Column("superseded_at", _("Erstattet")),
        ),
        _decisions,
        item_type="decision",
    ),
    Section(
        "activity_plans",
        _("Aktivitetsplaner"),
        ("cases.ActivityPlan",),
        (
            Column("service", _("NAV-kontor")),
            Column("created_at", _("Opprettet")),
            Column("created_by", _("Opprettet av")),
            Column("approved_at", _("Godkjent")),
            Column("approved_by", _("Godkjent av")),
        ),
        _activity_plans,
        item_type="activity-plan",
    ),
    Section(
        "activities",
        _("Aktiviteter"),
        ("cases.Activity",),
        (
            Column("title", _("Tittel")),
            Column("type", _("Type"), choice(ActivityType)),
            Column("status", _("Status"), choice(ActivityStatus)),
            Column("category", _("Kategori"), categories),
            Column("from_date", _("Fra")),
            Column("to_date", _("Til")),
            Column("deadline", _("Frist")),
            Column("responsible_service", _("Ansvarlig tjeneste")),
            Column("description", _("Beskrivelse"), long=True),
        ),
        _activities,
        item_type="activity",
    ),
    Section(
        "activity_history",
        _("Endringer i aktivitetene"),
        ("cases.ActivityVersion",),
        (
            Column("changed_at", _("Tidspunkt")),
            Column("changed_by", _("Endret av")),
            Column("version", _("Versjon")),
            Column("youth_text", _("Hva som skjedde")),
            Column("staff_text", _("Tekst for ansatte")),
            Column("changes", _("Endringer"), long=True),
        ),
        _activity_history,
        lines=True,
        item_type="activity-version",
    ),
    Section(
        "activity_comments",
        _("Kommentarer til aktivitetene"),
        ("cases.ActivityComment",),
        (
            Column("written_at", _("Tidspunkt")),
            Column("written_by", _("Skrevet av")),
            Column("text", _("Kommentar"), long=True),
        ),
        _activity_comments,
        lines=True,
        item_type="activity-comment",
    ),
    Section(
        "activity_change_requests",
        _("Ønsker om endring av aktivitetene"),
        ("cases.ActivityChangeRequest",),
        (
            Column("requested_at", _("Tidspunkt")),
            Column("text", _("Ønsket"), long=True),
            Column("outcome", _("Svar"), choice(ChangeRequestOutcome)),
            Column("answer", _("Svar til ungdommen"), long=True),
            Column("answered_at", _("Besvart")),
        ),
        _activity_change_requests,
        lines=True,
        item_type="activity-change-request",
    ),
    Section(
        "plans",
        _("Planer (individuell plan og stafettlogg)"),
        ("coordination.Plan",),
        (
            Column("kind", _("Type plan"), choice(PlanKind)),
            Column("status", _("Status"), choice(PlanStatus)),
            Column("bti_level", _("BTI-nivå"), choice(BtiLevel)),
            Column("service", _("Koordinerende tjeneste")),
            Column("coordinator", _("Koordinator")),
            Column("starts_on", _("Fra")),
            Column("ends_on", _("Til")),
            Column("closed_at", _("Avsluttet")),
            Column("close_reason", _("Årsak til avslutning"), choice(CloseReason)),
            Column("my_life_so_far", _("Livet mitt så langt"), long=True),
            Column("my_goals", _("Mine mål"), long=True),
            Column("my_challenges", _("Mine utfordringer"), long=True),
            Column("what_matters", _("Det som er viktig for meg"), long=True),
            Column("my_contribution", _("Det jeg selv bidrar med"), long=True),
            Column("resources", _("Ressurser"), long=True),
            Column("needs", _("Behov"), long=True),
            Column("cooperation_needed", _("Samarbeid som trengs"), long=True),
            Column("close_note", _("Merknad ved avslutning"), long=True),
        ),
        _plans,
        item_type="plan",
    ),
    Section(
        "plan_participants",
        _("Deltakere i planen"),
        ("coordination.PlanParticipant",),
        (
            Column("kind", _("Type deltaker"), choice(ParticipantKind)),
            Column("service", _("Tjeneste")),
            Column("contact", _("Kontaktperson")),
            Column("name", _("Navn")),
            Column("relation", _("Relasjon")),
            Column("joined_at", _("Med fra")),
            Column("left_at", _("Ute fra")),
            Column("contribution", _("Bidrar med"), long=True),
        ),
        _participants,
        item_type="plan-participant",
    ),
    Section(
        "plan_goals",
        _("Mål i planen"),
        ("coordination.PlanGoal",),
        (
            Column("title", _("Mål")),
            Column("service", _("Tjeneste")),
            Column("category", _("Kategori"), categories),
            Column("achieved_at", _("Nådd")),
            Column("removed_at", _("Fjernet")),
            Column("description", _("Beskrivelse"), long=True),
        ),
        _goals,
        item_type="plan-goal",
    ),
    Section(
        "plan_measures",
        _("Tiltak i planen"),
        ("coordination.PlanMeasure",),
        (
            Column("title", _("Tiltak")),
            Column("service", _("Ansvarlig tjeneste")),
            Column("responsible", _("Ansvarlig person")),
            Column("category", _("Kategori"), categories),
            Column("starts_on", _("Fra")),
            Column("ends_on", _("Til / frist")),
            Column("status", _("Status"), choice(MeasureStatus)),
            Column("removed_at", _("Fjernet")),
            Column("scope", _("Omfang"), long=True),
            Column("how", _("Hvordan det gjennomføres"), long=True),
        ),
        _measures,
        item_type="plan-measure",
    ),
    Section(
        "plan_reviews",
        _("Evalueringer av planen"),
        ("coordination.PlanReview",),
        (
            Column("held_on", _("Dato")),
            Column("youth_attended", _("Du deltok")),
            Column("attendees", _("Til stede")),
            Column("next_review_on", _("Neste evaluering")),
            Column("recorded_by", _("Registrert av")),
            Column("changes_agreed", _("Endringer som ble avtalt"), long=True),
            Column("youth_view", _("Din egen vurdering"), long=True),
        ),
        _reviews,
        item_type="plan-review",
    ),
    Section(
        "plan_review_notes",
        _("Hva som er oppnådd, mål for mål"),
        ("coordination.PlanReviewGoal",),
        (
            Column("goal_title", _("Mål")),
            Column("category", _("Kategori"), categories),
            Column("achieved", _("Hva som er oppnådd"), long=True),
        ),
        _review_notes,
        item_type="plan-review-note",
    ),
    Section(
        "plan_coordinators",
        _("Koordinatorer for planen"),
        ("coordination.CoordinatorTerm",),
        (
            Column("coordinator", _("Koordinator")),
            Column("service", _("Tjeneste")),
            Column("since", _("Fra")),
            Column("until", _("Til")),
        ),
        _coordinators,
        item_type="plan-coordinator",
    ),
    Section(
        "plan_history",
        _("Endringer i planen"),
        ("coordination.PlanVersion",),
        (
            Column("at", _("Tidspunkt")),
            Column("actor", _("Endret av")),
            Column("object_type", _("Hva"), _object),
            Column("action", _("Handling"), choice(VersionAction)),
            Column("changes", _("Endringer"), long=True),
        ),
        _plan_history,
        lines=True,
        item_type="plan-version",
    ),
    Section(
        "child_coordinators",
        _("Barnekoordinator"),
        ("coordination.ChildCoordinator",),
        (
            Column("decided_on", _("Vedtaksdato")),
            Column("service", _("Tjeneste")),
            Column("right_granted", _("Retten er innvilget")),
            Column("coordinator", _("Barnekoordinator")),
            Column("ended_at", _("Avsluttet")),
            Column("reasons", _("Begrunnelse"), long=True),
        ),
        _child_coordinators,
        item_type="child-coordinator",
    ),
    Section(
        "deadlines",
        _("Frister"),
        ("coordination.Deadline",),
        (
            Column("due_on", _("Frist")),
            Column("rule_name", _("Hva som må skje")),
            Column("subject_type", _("Gjelder"), choice(SubjectType)),
            Column("service", _("Ansvarlig tjeneste")),
            Column("staff", _("Ansvarlig ansatt")),
            Column("status", _("Status"), choice(DeadlineStatus)),
            Column("fulfilled_at", _("Innfridd")),
        ),
        _deadlines,
        item_type="deadline",
    ),
    Section(
        "reminders",
        _("Påminnelser til ansatte om fristene"),
        ("coordination.Reminder",),
        (
            Column("send_after", _("Sendes fra")),
            Column("stage", _("Trinn"), choice(ReminderStage)),
            Column("recipient", _("Mottaker")),
            Column("status", _("Status"), choice(ReminderStatus)),
            Column("sent_at", _("Sendt")),
        ),
        _reminders,
        lines=True,
        item_type="reminder",
    ),
    Section(
        "notice_settings",
        _("Varsling på e-post og SMS"),
        ("coordination.NoticeSettings",),
        (
            Column("email", _("E-post")),
            Column("email_on", _("Varsel på e-post")),
            Column("mobile", _("Mobilnummer")),
            Column("sms_on", _("Varsel på SMS")),
            Column("updated_at", _("Endret")),
        ),
        _notice_settings,
        item_type="notice_settings",
    ),
    Section(
        "consents",
        _("Samtykker"),
        ("consent.Consent",),
        (
            Column("valid_from", _("Gyldig fra")),
            Column("valid_until", _("Gyldig til")),
            Column("decision", _("Beslutning"), choice(Decision)),
            Column("giver", _("Gitt av"), choice(Giver)),
            Column("giver_names", _("Navn")),
            Column("method", _("Hvordan"), choice(Method)),
            Column("recorded_by", _("Registrert av")),
            Column("withdrawn_at", _("Trukket tilbake")),
            Column("purpose", _("Formål"), long=True),
            Column("agreed_text", _("Teksten som ble godtatt"), long=True),
            Column("child_view", _("Barnets mening"), long=True),
        ),
        _consents,
        item_type="consent",
    ),
    Section(
        "consent_requests",
        _("Spørsmål om samtykke på Min side"),
        ("cases.ConsentRequest",),
        (
            Column("requested_at", _("Tidspunkt")),
            Column("from_service", _("Tjenesten som deler")),
            Column("to_service", _("Tjenesten som får")),
            Column("categories", _("Kategorier"), categories),
            Column("state", _("Svar"), choice(ConsentRequestState)),
            Column("answered_at", _("Besvart")),
            Column("agreed_text", _("Teksten"), long=True),
        ),
        _consent_requests,
        lines=True,
        item_type="consent-request",
    ),
    Section(
        "consent_flows",
        _("Hva samtykkene dekker"),
        ("consent.ConsentScope",),
        (
            Column("from_service", _("Fra tjeneste")),
            Column("from_kind", _("Fra tjenestetype"), choice(ServiceKind)),
            Column("to_service", _("Til tjeneste")),
            Column("to_kind", _("Til tjenestetype"), choice(ServiceKind)),
            Column("category", _("Kategori"), categories),
            Column("competent_until", _("Gjelder til")),
            Column("kind_reason", _("Hvorfor en tjenestetype"), long=True),
        ),
        _flows,
        item_type="consent-flow",
    ),
    Section(
        "guardian_answers",
        _("Foresattes svar på samtykker"),
        ("consent.GuardianDecision",),
        (
            Column("guardian_name", _("Foresatt")),
            Column("decision", _("Svar"), choice(Decision)),
            Column("method", _("Hvordan"), choice(Method)),
            Column("decided_at", _("Tidspunkt")),
            Column("recorded_by", _("Registrert av")),
        ),
        _guardian_answers,
        item_type="guardian-answer",
    ),
    Section(
        "health_objections",
        _("Innsigelse mot at foresatte får vite om helsen din"),
        ("cases.HealthObjection",),
        (
            Column("objected_at", _("Registrert")),
            Column("recorded_by", _("Registrert av")),
            Column("service", _("Helsetjeneste som hørte deg")),
            Column("withdrawn_at", _("Trukket tilbake")),
            Column("withdrawn_by", _("Trukket tilbake av")),
        ),
        _health_objections,
        item_type="health-objection",
        # Whether the youth objects to the guardians being told about their health is itself
        # not for the guardians: their page never shows it.
        youth_only=True,
    ),
    Section(
        "disclosures",
        _("Utleveringer etter lov"),
        ("consent.Disclosure",),
        (
            Column("id", _("Ref."), short),
            Column("disclosed_at", _("Tidspunkt")),
            Column("from_service", _("Fra")),
            Column("to_service", _("Til")),
            Column("law", _("Hjemmel")),
            Column("disclosed_by", _("Gitt av")),
            Column("reason", _("Hvorfor vilkårene er oppfylt"), long=True),
            Column("report", _("Skriftlig melding"), long=True),
        ),
        _disclosures,
        item_type="disclosure",
    ),
    Section(
        "disclosed_items",
        _("Opplysninger som ble utlevert"),
        ("consent.DisclosedItem",),
        (
            Column("disclosure", _("Utlevering"), short),
            Column("item_type", _("Type"), _what_one),
            Column("item_id", _("Ref."), short),
            Column("category", _("Kategori"), categories),
        ),
        _disclosed_items,
        item_type="disclosed-item",
    ),
    Section(
        "access_log",
        _("Hvem har sett opplysningene"),
        ("consent.AccessLogEntry",),
        (
            Column("at", _("Når")),
            Column("who", _("Hvem")),
            Column("role", _("Rolle"), _role),
            Column("service", _("Tjeneste")),
            Column("purpose", _("Formål")),
            Column("items", _("Hva"), _what),
            Column("bases", _("Grunnlag"), _bases, laws=True),
            Column("granted", _("Utfall"), _refused, optional=True),
        ),
        _access_log,
        lines=True,
        merge=_looks_for_people,
        about=_(
            "Hver linje er én person i én tjeneste på én dag: når de så, hvor mange ganger, "
            "hva de så og på hvilket grunnlag. Når de bare så hvem som følger deg opp (for "
            "eksempel på en liste), er det én linje i måneden med dagene. JSON-filen har hvert "
            "enkelt oppslag med klokkeslett."
        ),
    ),
    Section(
        "audit",
        _("Endringslogg"),
        ("core.AuditEntry",),
        (
            Column("at", _("Tidspunkt")),
            Column("actor", _("Utført av")),
            Column("action", _("Handling")),
            Column("target_type", _("Objekttype")),
            Column("data", _("Data"), long=True),
        ),
        _audit,
        lines=True,
        # The trail of changes names every record and what changed in it, with no category to
        # read it by: a guardian's copy leaves it out, as their page does.
        youth_only=True,
    ),
)


def section_of(key: str) -> Section:
    for section in SECTIONS:
        if section.key == key:
            return section
    raise KeyError(key)


__all__ = ["EMPTY", "LEFT_OUT", "SECTIONS", "Column", "Context", "Limits", "Section"]
