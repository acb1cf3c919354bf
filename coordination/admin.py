"""Admin for the deadline ledger. Rules are edited here (on/off, parameters); deadlines and
reminders are read-only and shown through the same gate as the API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.access import reachable_youths
from cases.admin import ReadOnlyAdminMixin
from cases.middleware import viewer_of
from coordination.deadlines.selectors import deadlines_for
from coordination.models import (
    ChildCoordinator,
    ComplianceSnapshot,
    Deadline,
    DeadlineRule,
    Plan,
    Reminder,
)
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
class DeadlineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["due_on", "rule", "status", "service", "staff", "youth"]
    list_filter = ["status", "rule"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return deadlines_for(viewer_of(request))


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Delivery state only: reminders of deadlines the user may see."""

    list_display = ["send_after", "stage", "days", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "stage"]
    exclude = ["claim_token"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return Reminder.objects.filter(deadline__in=deadlines_for(viewer_of(request)).values("pk"))


@admin.register(ComplianceSnapshot)
class ComplianceSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "service", "rule", "group_size", "met", "target_percent"]
    list_filter = ["service"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Plans the user may see, by the same gate as the API. Only the plan's frame is shown here:
    its content (the youth's own words, goals, measures) is read in the API or the print view,
    where every look is written to the access log."""

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


@admin.register(ChildCoordinator)
class ChildCoordinatorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Child coordinator decisions on youths the user reaches."""

    list_display = ["decided_on", "service", "right_granted", "coordinator", "ended_at"]
    list_filter = ["right_granted"]
    exclude = ["reasons"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return ChildCoordinator.objects.filter(
            youth__in=reachable_youths(viewer_of(request))
        ).select_related("service", "coordinator")
