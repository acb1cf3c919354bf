"""Admin for the deadline ledger. Rules are edited here (on/off, parameters); deadlines and
reminders are read-only and shown through the same gate as the API, and what they show of a
youth is written to the access log like the API's reads (``cases.admin.LogsReads``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.access import reachable_youths
from cases.admin import LogsReads, ReadOnlyAdminMixin
from cases.middleware import viewer_of
from coordination.deadlines.selectors import deadlines_for, log_deadlines
from coordination.models import (
    ChildCoordinator,
    ComplianceSnapshot,
    Deadline,
    DeadlineRule,
    Plan,
    Reminder,
)
from coordination.plans.documents import item, log_plan_reads
from coordination.plans.selectors import plans_for


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    """Switch a rule on or off for this deployment and adjust its parameters."""

    list_display = ["code", "name", "enabled", "source"]
    list_filter = ["enabled"]
    readonly_fields = ["code"]
    fields = ["code", "name", "description", "source", "source_url", "enabled", "parameters"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a rule needs code behind it (coordination.deadlines.rules)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deadline)
class DeadlineAdmin(LogsReads, ReadOnlyAdminMixin, admin.ModelAdmin):
    log_purpose = "admin-deadline"
    list_display = ["due_on", "rule", "status", "service", "staff", "youth"]
    list_filter = ["status", "rule"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return deadlines_for(viewer_of(request))

    def log_shown(
        self, request: HttpRequest, purpose: str, objects: list[Any], *, page: bool = False
    ) -> None:
        """Deadlines seen, as the API and the pages record them."""
        log_deadlines(viewer_of(request), purpose, objects)


@admin.register(Reminder)
class ReminderAdmin(LogsReads, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Delivery state only: reminders of deadlines the user may see. A reminder shows its
    deadline: a look at the deadline, logged as one."""

    log_purpose = "admin-reminder"
    youth_field = "deadline__youth_id"
    list_display = ["send_after", "stage", "days", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "stage"]
    exclude = ["claim_token"]

    def get_queryset(self, request: HttpRequest) -> Any:
        deadlines = deadlines_for(viewer_of(request)).values("pk")
        return Reminder.objects.filter(deadline__in=deadlines).select_related("deadline")

    def log_shown(
        self, request: HttpRequest, purpose: str, objects: list[Any], *, page: bool = False
    ) -> None:
        deadlines = {r.deadline_id: r.deadline for r in objects}
        log_deadlines(viewer_of(request), purpose, list(deadlines.values()))


@admin.register(ComplianceSnapshot)
class ComplianceSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "service", "rule", "group_size", "met", "target_percent"]
    list_filter = ["service"]


@admin.register(Plan)
class PlanAdmin(LogsReads, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Plans the user may see, by the same gate as the API. Only the plan's frame is shown here:
    its content (the youth's own words, goals, measures) is read in the API or the print view.
    The frame is a look at the plan, logged as the API logs one."""

    log_purpose = "admin-plan"

    list_display = ["kind", "status", "service", "coordinator", "next_review_on", "created_at"]
    list_filter = ["kind", "status"]
    fields = [
        "kind",
        "status",
        "bti_level",
        "service",
        "coordinator",
        "starts_on",
        "ends_on",
        "next_review_on",
        "created_at",
        "activated_at",
        "converted_at",
        "closed_at",
        "close_reason",
        "version",
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return plans_for(viewer_of(request)).select_related("service", "coordinator")

    def log_shown(
        self, request: HttpRequest, purpose: str, objects: list[Any], *, page: bool = False
    ) -> None:
        log_plan_reads(viewer_of(request), purpose, objects)


@admin.register(ChildCoordinator)
class ChildCoordinatorAdmin(LogsReads, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Child coordinator decisions on youths the user reaches."""

    log_purpose = "admin-child-coordinator"

    list_display = ["decided_on", "service", "right_granted", "coordinator", "ended_at"]
    list_filter = ["right_granted"]
    exclude = ["reasons"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return ChildCoordinator.objects.filter(
            youth__in=reachable_youths(viewer_of(request))
        ).select_related("service", "coordinator")

    def items(self, record: ChildCoordinator) -> list[dict[str, Any]]:
        return [item("child-coordinator", record.pk, "GENERAL", "general")]
