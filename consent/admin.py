"""Admin for the audit trail: read-only, append-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.utils.module_loading import import_string

from consent.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "target_type"]
    list_filter = ["action"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> Any:
        """Entries about a youth show only to those who reach that youth (via the subject model's
        ``reachable_for`` hook, named in settings so this app stays independent)."""
        entries = super().get_queryset(request).select_related("actor")
        reach = getattr(settings, "CONSENT_SUBJECT_REACH", None)
        if reach is None:
            return entries.filter(subject__isnull=True)
        reachable = import_string(reach)(request.user)
        return entries.filter(Q(subject__isnull=True) | Q(subject__in=reachable))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
