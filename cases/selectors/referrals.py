"""Referrals: one referral the viewer's services sent or received (the lists are
``cases.referral_list``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cases import access
from cases.models import Referral


def referral_for_user(*, viewer: access.Viewer, referral_id: Any) -> Referral:
    try:
        return (
            access.referrals_for(viewer)
            .select_related("youth", "from_service", "to_service", "sent_by")
            .get(pk=referral_id)
        )
    except (Referral.DoesNotExist, ValueError):
        raise Http404 from None
