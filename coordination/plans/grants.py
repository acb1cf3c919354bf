"""Extra rights on one plan, given by its coordinator to a participant (django-guardian object
permissions with direct foreign keys, ``PlanUserObjectPermission``).

These rows are explicit grants, never a copy of what consent says: they only add rights to
someone who already sees the plan, and they are removed when the person's service leaves the
plan, when they stop working there, or when the plan's consent stops covering that service
(``grants_prune``). Every grant and removal is written to the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, get_user_perms, remove_perm

from cases.models import CASELOAD_ROLES, StaffMembership
from consent.coverage import in_force_scopes
from coordination.models import (
    ParticipantKind,
    Plan,
    PlanParticipant,
    PlanUserObjectPermission,
)
from core.audit import audit_record
from core.errors import ApplicationError

EDIT_MEASURES = "edit_plan_measures"
EDIT_GOALS = "edit_plan_goals"
PERMISSIONS = (EDIT_MEASURES, EDIT_GOALS)


def has_grant(user: Any, plan: Plan, codename: str) -> bool:
    """Whether the coordinator gave ``user`` this right on ``plan`` (direct rows only: no
    superuser shortcut, unlike ``user.has_perm``)."""
    return codename in get_user_perms(user, plan)


def grants_of(plan: Plan) -> dict[Any, list[str]]:
    """User → codenames granted on the plan, in one query."""
    found: dict[Any, list[str]] = {}
    rows = PlanUserObjectPermission.objects.filter(content_object=plan).select_related(
        "user", "permission"
    )
    for row in rows.order_by("user__username", "permission__codename"):
        found.setdefault(row.user, []).append(row.permission.codename)
    return found


def eligible_users(plan: Plan) -> Any:
    """Staff who may hold a grant: active caseload members of a participating service that the
    plan's consent shares the plan with (the holding service always qualifies)."""
    shared_by_consent = Q(pk__in=[])  # no consent: only the holding service
    if plan.consent_id is not None:
        shared = in_force_scopes().filter(
            consent_id=plan.consent_id, to_party_id=OuterRef("service_id")
        )
        shared_by_consent = Q(Exists(shared))
    services = PlanParticipant.objects.filter(
        Q(service_id=plan.service_id) | shared_by_consent,
        plan=plan,
        kind=ParticipantKind.SERVICE,
        left_at__isnull=True,
    )
    memberships = StaffMembership.objects.filter(
        service_id__in=services.values("service_id"),
        ended_at__isnull=True,
        role__in=CASELOAD_ROLES,
    )
    return get_user_model().objects.filter(is_active=True, pk__in=memberships.values("user_id"))


@transaction.atomic
def grant(*, actor: Any, plan: Plan, user: Any, codename: str) -> None:
    if codename not in PERMISSIONS:
        message = _("Ukjent rettighet.")
        raise ApplicationError(message, code="invalid_choice", fields={"permission": message})
    if not eligible_users(plan).filter(pk=user.pk).exists():
        message = _(
            "Personen må jobbe i en tjeneste som deltar i planen og er dekket av samtykket."
        )
        raise ApplicationError(message, code="not_participant", fields={"user": message})
    if plan.coordinator_id == user.pk:
        message = _("Koordinatoren har alle rettigheter i planen fra før.")
        raise ApplicationError(message, code="is_coordinator", fields={"user": message})
    if has_grant(user, plan, codename):
        return
    assign_perm(f"coordination.{codename}", user, plan)
    audit_record(
        actor=actor,
        action="plan.permission_granted",
        subject=plan.youth,
        target=plan,
        data={"user": user.get_username(), "permission": codename},
    )


@transaction.atomic
def revoke(*, actor: Any, plan: Plan, user: Any, codename: str, reason: str = "revoked") -> bool:
    if not has_grant(user, plan, codename):
        return False
    remove_perm(f"coordination.{codename}", user, plan)
    audit_record(
        actor=actor,
        action="plan.permission_removed",
        subject=plan.youth,
        target=plan,
        data={"user": user.get_username(), "permission": codename, "reason": reason},
    )
    return True


@transaction.atomic
def grants_prune(*, plan: Plan, actor: Any = None, reason: str) -> int:
    """Remove the grants of everyone who no longer qualifies (all of them once the plan is
    closed). Returns how many were removed."""
    eligible = set() if not plan.is_open else set(eligible_users(plan).values_list("pk", flat=True))
    removed = 0
    for user, codenames in grants_of(plan).items():
        if user.pk in eligible:
            continue
        for codename in codenames:
            removed += revoke(actor=actor, plan=plan, user=user, codename=codename, reason=reason)
    return removed


def prune_for_youth(youth_id: Any, *, reason: str) -> int:
    """After a consent on the youth changed: prune the grants on their open plans."""
    removed = 0
    granted = PlanUserObjectPermission.objects.filter(content_object_id=OuterRef("pk"))
    plans = Plan.objects.filter(Exists(granted), youth_id=youth_id).select_related("youth")
    for plan in plans:
        removed += grants_prune(plan=plan, reason=reason)
    return removed


def prune_all(*, reason: str) -> int:
    """Nightly: prune every plan that has grants (consents expire without an event)."""
    granted = PlanUserObjectPermission.objects.filter(content_object_id=OuterRef("pk"))
    removed = 0
    for plan in Plan.objects.filter(Exists(granted)).select_related("youth").iterator():
        removed += grants_prune(plan=plan, reason=reason)
    return removed
