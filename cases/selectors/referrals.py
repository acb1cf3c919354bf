"""Referrals: a service's inbox and outbox, and one referral."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cases import access
from cases.models import Referral
from cases.referral_list import in_box

# What a referral list row does not show of the people and services it names (API and pages;
# time stamps and hashes cost more to load than the rows' own fields).
REFERRAL_ROW_UNUSED = tuple(
    f"{relation}__{field}"
    for relation, fields in {
        "youth": ("national_id", "created_at", "updated_at", "email", "phone", "version"),
        "from_service": ("created_at", "updated_at"),
        "to_service": ("created_at", "updated_at"),
        "sent_by": ("password", "last_login", "date_joined", "email"),
    }.items()
    for field in fields
)


def referral_list(*, user: Any, box: str) -> QuerySet[Referral]:
    """A service's referral inbox (to my services) or outbox (from my services); ``user`` may
    be this request's ``access.Viewer``."""
    return (
        in_box(box, access.service_ids(user))
        .select_related("youth", "from_service", "to_service", "sent_by")
        .defer(*REFERRAL_ROW_UNUSED)
    )


def referral_for_user(*, user: Any, referral_id: Any) -> Referral:
    try:
        return (
            access.referrals_for(user)
            .select_related("youth", "from_service", "to_service", "sent_by")
            .get(pk=referral_id)
        )
    except (Referral.DoesNotExist, ValueError):
        raise Http404 from None
