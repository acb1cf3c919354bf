"""Consents of a youth."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cases import access
from cases.models import Youth
from consent.models import Consent


def consent_list(*, youth: Youth) -> QuerySet[Consent]:
    """Consents and refusals on a youth the caller reaches (which consents exist is GENERAL)."""
    return (
        Consent.objects.filter(subject=youth)
        .select_related("recorded_by", "documented_by", "withdrawn_by")
        .prefetch_related("scopes", "guardian_decisions")
        .order_by("-valid_from", "-recorded_at")
    )


def consent_item(consent: Consent) -> dict[str, Any]:
    """A consent as the access log records it: which consents exist is general information."""
    return {"type": "consent", "id": str(consent.pk), "category": "GENERAL", "basis": "general"}


def consent_for_user(
    *, viewer: access.Viewer, consent_id: Any, purpose: str = "consent"
) -> Consent:
    """A consent on a youth the viewer reaches, else Http404 (a refused attempt logged:
    ``access.refused``)."""
    try:
        return Consent.objects.select_related("subject").get(
            pk=consent_id, subject__in=access.reachable_youths(viewer)
        )
    except (Consent.DoesNotExist, ValueError):
        raise access.refused(viewer, Consent, consent_id, purpose, youth="subject_id") from None
