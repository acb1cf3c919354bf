"""OT's registrations by reason code: counts only, no youth named."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Count, Q

from cases import access
from cases.models import OtRegistrationReason


@dataclass(frozen=True)
class ReasonCount:
    """Of one reason: the periods that began in the window, and of them those still open."""

    code: str
    label: str
    registered: int
    open: int


def ot_registrations_by_reason(
    viewer: access.Viewer, *, service_id: uuid.UUID, start: datetime.date, end: datetime.date
) -> list[ReasonCount]:
    """The OT service's periods begun from ``start`` to ``end`` (inclusive), counted by
    registration reason in one query over the gate's own-service periods (the
    ``period_ot_by_reason`` index); every reason is listed, in the order of the codes."""
    counted: dict[str, tuple[int, int]] = {
        row["registration_reason"]: (row["registered"], row["open"])
        for row in access.own_service_periods(viewer)
        .filter(
            ~Q(registration_reason=""),
            service_id=service_id,
            started_on__gte=start,
            started_on__lte=end,
        )
        .order_by()
        .values("registration_reason")
        .annotate(registered=Count("id"), open=Count("id", filter=Q(ended_on__isnull=True)))
    }
    return [
        ReasonCount(
            code=reason.value,
            label=str(reason.label),
            registered=counted.get(reason.value, (0, 0))[0],
            open=counted.get(reason.value, (0, 0))[1],
        )
        for reason in OtRegistrationReason
    ]
