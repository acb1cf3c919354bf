"""Reads. Every read of a youth's records starts from the access gate in ``cases.access``."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Value
from django.http import Http404

from cases import access, identity
from cases.caseload import Caseload, CaseloadFilter
from cases.models import (
    Activity,
    ActivityPlan,
    FollowUpEntry,
    FollowUpPeriod,
    Handover,
    NavDecision,
    Referral,
    Service,
    StaffMembership,
    StaffRole,
    Youth,
)
from cases.referral_list import in_box
from consent.categories import Category
from consent.models import AccessLogEntry, Consent

SCOPE_MINE = "mine"
SCOPE_OURS = "ours"


def youth_caseload(
    viewer: access.Viewer,
    *,
    scope: str = SCOPE_OURS,
    service_id: uuid.UUID | None = None,
    municipality_number: str | None = None,
    name: str | None = None,
    born_after: datetime.date | None = None,
    born_before: datetime.date | None = None,
) -> Caseload:
    """The caseload: "ours" = open periods in my services; "mine" = those where I am responsible.

    One query for the page, its youths' open periods (which services follow each youth is
    general information every following service sees) and the total. The ``viewer`` is this
    request's ``access.viewer_for(user)``, which the access log needs too.
    """
    filters = CaseloadFilter(
        reach=tuple(viewer.reach),
        responsible=viewer.user.pk if scope == SCOPE_MINE else None,
        service=service_id,
        municipality=municipality_number or None,
        name_prefixes=tuple((name or "").split()),
        born_after=born_after,
        born_before=born_before,
    )
    return Caseload(filters, one_service=bool(service_id) or len(viewer.reach) <= 1)


def youth_detail(*, user: Any, youth_id: Any) -> Youth:
    """A youth the user reaches, with guardians and all follow-up periods, or Http404."""
    return access.youth_for_user(
        user,
        youth_id,
        queryset=access.reachable_youths(user).prefetch_related(
            "guardians",
            Prefetch(
                "periods",
                queryset=FollowUpPeriod.objects.select_related("service", "responsible"),
                to_attr="all_periods",
            ),
        ),
    )


def youth_by_national_id(*, user: Any, national_id: str) -> Youth | None:
    """Look a youth up by identity number within the user's reach (typed with spaces or a
    dash, it finds the youth as registering stored it)."""
    number = identity.normalise(national_id)
    return access.reachable_youths(user).filter(national_id=number).first()


def period_list(*, user: Any) -> QuerySet[FollowUpPeriod]:
    return access.own_service_periods(user).select_related("service", "responsible", "youth")


def service_list() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True)


def membership_list(*, user: Any) -> QuerySet[StaffMembership]:
    return (
        StaffMembership.objects.filter(user=user, ended_at__isnull=True)
        .select_related("service")
        .order_by("service__name", "role")
    )


# --- Consent-bound information -----------------------------------------------------------


def entry_list(*, user: Any, youth: Youth) -> QuerySet[FollowUpEntry]:
    """The youth's follow-up entries the user may see, newest first (one query)."""
    entries = FollowUpEntry.objects.filter(youth=youth, deleted_at__isnull=True)
    return (
        access.visible(user, entries)
        .select_related("service", "author")
        .order_by("-occurred_on", "-created_at", "-id")
    )


def entry_for_user(*, user: Any, entry_id: Any) -> FollowUpEntry:
    try:
        return (
            access.visible(user, FollowUpEntry.objects.filter(deleted_at__isnull=True))
            .select_related("service", "author", "youth")
            .get(pk=entry_id)
        )
    except (FollowUpEntry.DoesNotExist, ValueError):
        raise Http404 from None


def consent_list(*, youth: Youth) -> QuerySet[Consent]:
    """Consents and refusals on a youth the caller reaches (which consents exist is GENERAL)."""
    return (
        Consent.objects.filter(subject=youth)
        .select_related("recorded_by", "documented_by", "withdrawn_by")
        .prefetch_related("scopes")
        .order_by("-valid_from", "-recorded_at")
    )


def consent_for_user(*, user: Any, consent_id: Any) -> Consent:
    try:
        return Consent.objects.select_related("subject").get(
            pk=consent_id, subject__in=access.reachable_youths(user)
        )
    except (Consent.DoesNotExist, ValueError):
        raise Http404 from None


# What a referral list row does not show of the people and services it names (API and pages;
# time stamps and hashes cost more to load than the rows' own fields).
REFERRAL_ROW_UNUSED = tuple(
    f"{relation}__{field}"
    for relation, fields in {
        "youth": ("national_id", "created_at", "updated_at", "email", "phone", "version"),
        "from_service": ("created_at", "updated_at"),
        "to_service": ("created_at", "updated_at"),
        "sent_by": ("password", "last_login", "date_joined", "email"),
    }.items()
    for field in fields
)


def referral_list(*, user: Any, box: str) -> QuerySet[Referral]:
    """A service's referral inbox (to my services) or outbox (from my services); ``user`` may
    be this request's ``access.Viewer``."""
    return (
        in_box(box, access.service_ids(user))
        .select_related("youth", "from_service", "to_service", "sent_by")
        .defer(*REFERRAL_ROW_UNUSED)
    )


def referral_for_user(*, user: Any, referral_id: Any) -> Referral:
    try:
        return (
            access.referrals_for(user)
            .select_related("youth", "from_service", "to_service", "sent_by")
            .get(pk=referral_id)
        )
    except (Referral.DoesNotExist, ValueError):
        raise Http404 from None


def handover_list(*, user: Any) -> QuerySet[Handover]:
    mine = access.service_ids(user)
    return (
        Handover.objects.filter(Q(to_service_id__in=mine) | Q(period__service_id__in=mine))
        .select_related("youth", "to_service", "from_user", "to_user", "period__service")
        .order_by("-created_at")
    )


def handover_for_user(*, user: Any, handover_id: Any) -> Handover:
    try:
        return handover_list(user=user).get(pk=handover_id)
    except (Handover.DoesNotExist, ValueError):
        raise Http404 from None


def access_log_for_privacy_officer(*, user: Any) -> QuerySet[AccessLogEntry]:
    """Access-log rows of the staff of the services where the user is privacy officer."""
    services = StaffMembership.objects.filter(
        user=user, ended_at__isnull=True, role=StaffRole.PRIVACY_OFFICER
    ).values("service_id")
    return (
        AccessLogEntry.objects.filter(party_id__in=services)
        .select_related("party")
        .order_by("-at", "-id")
    )


# --- NAV follow-up: decisions, activity plans, activities -----------------------------------
# Decisions and plans are work-and-welfare information owned by the NAV office; an activity has
# its own category (treatment is health). Other services see them by consent or legal basis.


def _as_work_and_welfare(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.annotate(info_category=Value(Category.WORK_AND_WELFARE.value))


def decision_list(*, user: Any, youth: Youth) -> QuerySet[NavDecision]:
    decisions = _as_work_and_welfare(
        NavDecision.objects.filter(youth=youth).select_related("service", "decided_by")
    )
    return access.visible(user, decisions, category="info_category").order_by(
        "-decided_on", "-recorded_at"
    )


def activity_plan_list(*, user: Any, youth_id: Any = None) -> QuerySet[ActivityPlan]:
    plans = ActivityPlan.objects.select_related("period__service", "approved_by", "created_by")
    if youth_id is not None:
        plans = plans.filter(youth_id=youth_id)
    return access.visible(
        user, _as_work_and_welfare(plans), owner="period__service", category="info_category"
    ).order_by("-created_at")


def activity_plan_for_user(*, user: Any, plan_id: Any) -> ActivityPlan:
    try:
        return activity_plan_list(user=user).get(pk=plan_id)
    except (ActivityPlan.DoesNotExist, ValueError):
        raise Http404 from None


def activity_list(*, user: Any, plan: ActivityPlan) -> QuerySet[Activity]:
    activities = Activity.objects.filter(plan=plan).select_related(
        "responsible_service", "plan__period__service"
    )
    return access.visible(user, activities, owner="plan__period__service").order_by(
        "deadline", "created_at"
    )


def activity_for_user(*, user: Any, activity_id: Any) -> Activity:
    activities = Activity.objects.select_related("responsible_service", "plan__period__service")
    try:
        return access.visible(user, activities, owner="plan__period__service").get(pk=activity_id)
    except (Activity.DoesNotExist, ValueError):
        raise Http404 from None
