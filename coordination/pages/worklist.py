"""Deadlines as a work list: grouped by youth and rule, each rule with what fulfils it and a link
to the page that does it (the words and the action are the rule's, ``rules.FULFILMENT``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from coordination.deadlines import rules
from coordination.models import Deadline, SubjectType


def action_url(deadline: Deadline) -> str | None:
    """Where the action that fulfils the deadline is done, for its subject; None where no page
    does it (a rule without words, a plan-less subject)."""
    fulfilment = rules.FULFILMENT.get(deadline.rule_id)
    if fulfilment is None:
        return None
    youth_page = reverse("pages:youth", args=[deadline.youth_id])
    action = fulfilment.action
    if action == rules.ACTION_HANDOVER:
        return reverse("pages:handover", args=[deadline.youth_id])
    if action == rules.ACTION_CONSENT:
        return reverse("pages:consent-new", args=[deadline.youth_id])
    if action == rules.ACTION_ACTIVITY and deadline.subject_type == SubjectType.ACTIVITY:
        return reverse("pages:activity-edit", args=[deadline.subject_id])
    if action == rules.ACTION_REFERRAL and deadline.subject_type == SubjectType.REFERRAL:
        return reverse("pages:referral", args=[deadline.subject_id])
    if action == rules.ACTION_THREAD:
        return youth_page + "#threads"
    plan_ref = getattr(deadline, "plan_ref", None)
    if action == rules.ACTION_PLAN and plan_ref is not None:
        return reverse("pages:plan", args=[plan_ref])
    if action in (rules.ACTION_PLAN, rules.ACTION_YOUTH_PLANS):
        return youth_page + "#plans-heading"
    return youth_page + "#activity-plan"


@dataclass
class RuleGroup:
    """One rule's deadlines for one youth, earliest first."""

    rule: Any
    fulfilment: rules.Fulfilment | None
    action_url: str | None
    deadlines: list[Deadline] = field(default_factory=list)


@dataclass
class YouthGroup:
    """One youth's deadlines, by rule in the order their earliest deadline falls."""

    youth: Any
    rules: list[RuleGroup] = field(default_factory=list)
    overdue: int = 0


def grouped(deadlines: Iterable[Deadline], today: datetime.date) -> list[YouthGroup]:
    """Deadlines (ordered by due day) grouped by youth, then by rule; a youth with an overdue
    deadline first, then by the earliest due day. Each deadline gets ``overdue`` (before
    ``today``). The link of a rule group is its first deadline's (one subject per link)."""
    youths: dict[Any, YouthGroup] = {}
    by_rule: dict[tuple[Any, str], RuleGroup] = {}
    for deadline in sorted(deadlines, key=lambda d: (d.due_on, d.created_at)):
        deadline.overdue = deadline.due_on < today  # type: ignore[attr-defined]
        group = youths.setdefault(deadline.youth_id, YouthGroup(deadline.youth))
        group.overdue += deadline.overdue  # type: ignore[attr-defined]
        key = (deadline.youth_id, deadline.rule_id)
        if key not in by_rule:
            by_rule[key] = RuleGroup(
                deadline.rule, rules.FULFILMENT.get(deadline.rule_id), action_url(deadline)
            )
            group.rules.append(by_rule[key])
        by_rule[key].deadlines.append(deadline)
        deadline.action_url = action_url(deadline)  # type: ignore[attr-defined]
    return list(youths.values())
