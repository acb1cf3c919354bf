"""Disclosures the caller's services made or received, with the entries they gave."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from cases import access
from cases.models import FollowUpEntry
from consent.models import DisclosedItem, Disclosure

SIDES = ("sent", "received")


def disclosure_list(*, viewer: access.Viewer, side: str | None = None) -> QuerySet[Disclosure]:
    """Disclosures through the gate (``access.disclosures_for``), newest first; ``side`` keeps
    those the viewer's services sent or those they received."""
    disclosures = access.disclosures_for(viewer)
    if side == "sent":
        disclosures = disclosures.filter(from_party_id__in=viewer.reach)
    elif side == "received":
        disclosures = disclosures.filter(to_party_id__in=viewer.reach)
    return (
        disclosures.select_related("subject", "from_party", "to_party", "basis", "disclosed_by")
        .prefetch_related(Prefetch("items", queryset=DisclosedItem.objects.order_by("pk")))
        .order_by("-disclosed_at", "-pk")
    )


def disclosed_entries(disclosures: list[Disclosure]) -> dict[Any, FollowUpEntry]:
    """The entries the disclosures gave, by id, in one query: exactly those items, as the
    holder wrote them (a deleted entry stays given)."""
    ids = [
        item.item_id
        for disclosure in disclosures
        for item in disclosure.items.all()
        if item.item_type == access.DISCLOSABLE[FollowUpEntry]
    ]
    if not ids:
        return {}
    return {entry.pk: entry for entry in FollowUpEntry.objects.filter(pk__in=ids)}
