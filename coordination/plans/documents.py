"""The plan as a document: what the viewer may see of it, in the API's shape, and the
access-log rows for showing it. Used by the API and by the printable page alike."""

from __future__ import annotations

from typing import Any

from cases import access
from coordination.models import Plan
from coordination.plans import grants, selectors, services, versions


def item(kind: str, obj_id: Any, category: str, basis: str | None) -> dict[str, Any]:
    return {"type": kind, "id": str(obj_id), "category": category, "basis": basis}


def log_plan_reads(
    viewer: access.Viewer,
    purpose: str,
    plans: list[Plan],
    extra: list[dict[str, Any]] | None = None,
) -> None:
    """One access-log row per youth whose plan was shown, with what was shown and on what.
    Extra items without a basis of their own (a review) were seen on the plan's basis."""
    mine = {m.service_id for m in viewer.memberships}
    reads = []
    for plan in plans:
        basis = selectors.basis_of_plan(mine, plan)
        items = [item("plan", plan.pk, "GENERAL", basis)]
        items += [{**i, "basis": i["basis"] or basis} for i in extra or []]
        reads.append(
            access.Read(youth_id=plan.youth_id, following_service_ids=list(mine), items=items)
        )
    access.log_reads(viewer, purpose, reads)


def rights(user: Any, plan: Plan) -> list[str]:
    """What the viewer may do beyond reading: all as coordinator, else what was granted."""
    if not plan.is_open:
        return []
    if plan.coordinator_id == user.pk:
        return ["coordinator", *grants.PERMISSIONS]
    return sorted(grants.grants_of(plan).get(user, []))


def plan_document(viewer: access.Viewer, plan: Plan, *, purpose: str = "plan") -> dict[str, Any]:
    """The live plan with what ``viewer`` may see of it; the read is logged. Call inside the
    read's transaction."""
    view = selectors.plan_view(viewer=viewer, plan=plan)
    data = {
        **_content(view),
        "my_rights": rights(viewer.user, plan),
        "pending_coordinator_handover": services.pending_coordinator_handover(plan),
    }
    log_plan_reads(
        viewer,
        purpose,
        [plan],
        [
            *(item("plan-goal", g.pk, g.category, access.basis_of(g)) for g in view.goals),
            *(item("plan-measure", m.pk, m.category, access.basis_of(m)) for m in view.measures),
        ],
    )
    return data


def own_document(plan: Plan) -> dict[str, Any]:
    """The whole plan for the youth it is about (their own page); not a service's look, so
    nothing is logged."""
    return {
        **_content(selectors.own_plan_view(plan)),
        "my_rights": [],
        "pending_coordinator_handover": None,
    }


def _content(view: selectors.PlanView) -> dict[str, Any]:
    visible_goals = {g.pk for g in view.goals}
    return {
        **versions.plan_state(view.plan),
        "participants": [versions.participant_state(p) for p in view.participants],
        "goals": [versions.goal_state(g) for g in view.goals],
        "measures": [versions.measure_state(m) for m in view.measures],
        "reviews": [
            versions.review_state(r, [n for n in r.goal_notes.all() if n.goal_id in visible_goals])
            for r in view.reviews
        ],
        "child_coordinator": view.child_coordinator,
    }
