"""Admin for the audit trail: read-only, append-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.utils.module_loading import import_string

from consent.models import AccessLogEntry, AuditEntry, Consent, LegalBasis, LegalBasisFlow


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "target_type"]
    list_filter = ["action"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> Any:
        """Entries about a youth show only to those who reach that youth (through the hook
        ``CONSENT_SUBJECT_REACH``, named in settings so this app stays independent: given the
        request, the subjects its user reaches)."""
        entries = super().get_queryset(request).select_related("actor")
        reach = getattr(settings, "CONSENT_SUBJECT_REACH", None)
        if reach is None:
            return entries.filter(subject__isnull=True)
        reachable = import_string(reach)(request)
        return entries.filter(Q(subject__isnull=True) | Q(subject__in=reachable))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


def _reachable(request: HttpRequest) -> Any:
    reach = getattr(settings, "CONSENT_SUBJECT_REACH", None)
    return import_string(reach)(request) if reach else None


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Consents are never edited here: record and withdraw them through the services."""

    list_display = ["valid_from", "decision", "giver", "purpose_code", "withdrawn_at"]
    list_filter = ["decision", "giver", "method"]

    def get_queryset(self, request: HttpRequest) -> Any:
        reachable = _reachable(request)
        consents = super().get_queryset(request)
        return consents.filter(subject__in=reachable) if reachable is not None else consents.none()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ConsentAdmin):
    list_display = ["at", "actor_name", "party", "purpose", "granted"]
    list_filter = ["granted", "purpose"]
    date_hierarchy = "at"
