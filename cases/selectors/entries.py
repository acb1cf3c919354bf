"""Follow-up entries: consent-bound information, and what a read of one records in the access
log."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cases import access
from cases.models import FollowUpEntry, Youth


def entry_list(*, viewer: access.Viewer, youth: Youth) -> QuerySet[FollowUpEntry]:
    """The youth's follow-up entries the viewer may see, newest first (one query)."""
    entries = FollowUpEntry.objects.filter(youth=youth, deleted_at__isnull=True)
    return (
        access.visible(viewer, entries)
        .select_related("service", "author")
        .order_by("-occurred_on", "-created_at", "-id")
    )


def entry_for_user(
    *, viewer: access.Viewer, entry_id: Any, purpose: str = "entry"
) -> FollowUpEntry:
    """One entry the viewer may see, else Http404 (a refused attempt logged: ``access.refused``)."""
    try:
        return (
            access.visible(viewer, FollowUpEntry.objects.filter(deleted_at__isnull=True))
            .select_related("service", "author", "youth")
            .get(pk=entry_id)
        )
    except (FollowUpEntry.DoesNotExist, ValueError):
        raise access.refused(viewer, FollowUpEntry, entry_id, purpose) from None


def entry_item(entry: FollowUpEntry) -> dict[str, Any]:
    return {
        "type": "entry",
        "id": str(entry.pk),
        "category": entry.category,
        "basis": access.basis_of(entry),
    }


def written_entry_item(entry: FollowUpEntry) -> dict[str, Any]:
    """An entry its author just logged or edited: seen in the service that holds it."""
    return {"type": "entry", "id": str(entry.pk), "category": entry.category, "basis": "own"}
