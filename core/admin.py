"""Admin for the audit trail: read-only, and a row about a subject only for those who reach it.

Registered by the app that owns the access gate, which says whom a user reaches by filling in
``reachable_subjects``; until then nobody reaches any subject.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest


class SubjectRowsAdmin(admin.ModelAdmin):
    """Rows about a subject (``subject`` names it), never added, changed or deleted here."""

    def reachable_subjects(self, request: HttpRequest) -> QuerySet[Any]:
        """The subjects whose rows ``request.user`` may see: none, unless overridden."""
        subject_model = self.model._meta.get_field("subject").related_model
        return subject_model._default_manager.none()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditEntryAdmin(SubjectRowsAdmin):
    list_display = ["at", "action", "actor", "target_type"]
    list_filter = ["action"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """Entries about no subject, and those about a subject the user reaches."""
        entries = super().get_queryset(request).select_related("actor")
        reachable = self.reachable_subjects(request)
        return entries.filter(Q(subject__isnull=True) | Q(subject__in=reachable))
