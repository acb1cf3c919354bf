"""Admin for the audit trail: read-only, and a row about a subject only for those who reach it.
The audit trail's admin is registered by the app that owns the access gate, which says whom a
user reaches by filling in ``reachable_subjects``; until then nobody reaches any subject.

The API's tokens are listed here too, by their first characters, never with a secret.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.models import ApiToken
from core.tokens import api_token_revoke


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens by their first characters: the secret is stored nowhere, and its digest is not
    shown either. Made only through the API; revoked here with the action."""

    list_display = ["prefix", "user", "created_at", "expires_at", "revoked_at", "revoked_reason"]
    list_filter = ["revoked_reason"]
    search_fields = ["user__username", "prefix"]
    fields = ("prefix", "user", "created_at", "expires_at", "revoked_at", "revoked_reason")
    readonly_fields = fields
    actions = ["revoke"]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Trekk tilbake valgte API-nøkler"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        revoked = sum(
            api_token_revoke(actor=request.user, token=token)
            for token in queryset.filter(revoked_at__isnull=True)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d API-nøkkel trukket tilbake.",
                "%(count)d API-nøkler trukket tilbake.",
                revoked,
            )
            % {"count": revoked},
        )
