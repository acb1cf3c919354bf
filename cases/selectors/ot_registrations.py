"""OT's registrations by reason code: counts only, no youth named."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from cases import access
from cases.models import OtRegistrationReason


@dataclass(frozen=True)
class ReasonCount:
    """Of one reason: the periods that began in the window, and of them those still open."""

    code: str
    label: str
    registered: int
    open: int


def ot_registration_counts(
    viewer: access.Viewer, *, service_id: uuid.UUID, start: datetime.date, end: datetime.date
) -> QuerySet[Any, Any]:
    """One row per registration reason of the OT service's periods begun from ``start`` to
    ``end`` (inclusive): ``registered`` and, of them, ``open``. Read from the gate's
    own-service periods; the filter is what ``period_ot_by_reason`` indexes."""
    return (
        access.own_service_periods(viewer)
        .filter(
            ~Q(registration_reason=""),
            service_id=service_id,
            started_on__gte=start,
            started_on__lte=end,
        )
        .order_by()
        .values("registration_reason")
        .annotate(registered=Count("id"), open=Count("id", filter=Q(ended_on__isnull=True)))
    )


def ot_registrations_by_reason(
    viewer: access.Viewer, *, service_id: uuid.UUID, start: datetime.date, end: datetime.date
) -> list[ReasonCount]:
    """``ot_registration_counts`` in one query, with every reason listed in the order of the
    codes (none counted: zero)."""
    counts = ot_registration_counts(viewer, service_id=service_id, start=start, end=end)
    counted = {row["registration_reason"]: (row["registered"], row["open"]) for row in counts}
    return [
        ReasonCount(
            code=reason.value,
            label=str(reason.label),
            registered=counted.get(reason.value, (0, 0))[0],
            open=counted.get(reason.value, (0, 0))[1],
        )
        for reason in OtRegistrationReason
    ]
