"""Admin for consents, legal bases and the access log: consents and the log read-only.

Legal bases are registered here. Consents and the access log are about a subject: the app that
owns the access gate registers ``ConsentAdmin`` and ``AccessLogEntryAdmin`` with
``reachable_subjects`` filled in, the same way as the audit trail's admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from consent.models import GuardianDecision, LegalBasis, LegalBasisFlow
from core.admin import SubjectRowsAdmin


class LegalBasisFlowInline(admin.TabularInline):
    model = LegalBasisFlow
    extra = 0


@admin.register(LegalBasis)
class LegalBasisAdmin(admin.ModelAdmin):
    """Legal bases are data: an admin can add more, each with its source."""

    list_display = ["code", "law_and_section", "name", "is_active"]
    inlines = [LegalBasisFlowInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: access-log rows name the code


class GuardianDecisionInline(admin.TabularInline):
    """Each guardian's own answer on a guardians' consent, read-only."""

    model = GuardianDecision
    extra = 0
    fields = readonly_fields = (
        "guardian_name",
        "decision",
        "method",
        "decided_at",
        "recorded_by",
        "documented_by",
    )
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConsentAdmin(SubjectRowsAdmin):
    """Consents are never edited here: record and withdraw them through the services."""

    list_display = ["valid_from", "decision", "giver", "purpose_code", "withdrawn_at"]
    list_filter = ["decision", "giver", "method"]
    inlines = [GuardianDecisionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)
        return rows.filter(subject__in=self.reachable_subjects(request))


class AccessLogEntryAdmin(ConsentAdmin):
    list_display = ["at", "actor_name", "party", "purpose", "granted"]
    inlines = []
    list_filter = ["granted", "purpose"]
    date_hierarchy = "at"
