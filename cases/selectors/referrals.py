"""Referrals: a box of the viewer's services (inbox or outbox), and one referral."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from cases import access
from cases.models import Referral
from cases.referral_list import ReferralFilter, ReferralList


def referral_list(
    *,
    viewer: access.Viewer,
    box: str,
    states: Sequence[str] = (),
    overdue: bool | None = None,
    today: datetime.date | None = None,
) -> ReferralList:
    """The referrals to (``inbox``) or from (``outbox``) the viewer's services, newest first, as
    rows (``cases.referral_list``): in ``states`` if given, overdue or not against ``today`` if
    ``overdue`` is given. A paginator pages it with its total in the page's query."""
    return ReferralList(
        ReferralFilter(box, viewer.reach, viewer.cleared, tuple(states), overdue, today)
    )


def referral_for_user(
    *, viewer: access.Viewer, referral_id: Any, purpose: str = "referral"
) -> Referral:
    """One referral the viewer's services sent or received, else Http404 (a refused attempt
    logged: ``access.refused``)."""
    try:
        return (
            access.referrals_for(viewer)
            .select_related("youth", "from_service", "to_service", "sent_by")
            .get(pk=referral_id)
        )
    except (Referral.DoesNotExist, ValueError):
        raise access.refused(viewer, Referral, referral_id, purpose) from None
