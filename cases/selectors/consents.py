"""Consents of a youth."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

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


def consent_for_user(*, viewer: access.Viewer, consent_id: Any) -> Consent:
    try:
        return Consent.objects.select_related("subject").get(
            pk=consent_id, subject__in=access.reachable_youths(viewer)
        )
    except (Consent.DoesNotExist, ValueError):
        raise Http404 from None
