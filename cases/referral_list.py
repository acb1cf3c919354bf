"""A box of referrals (the inbox or outbox of my services), paged in one query, as values.

Fifty referrals name fifty youths and a hundred services and senders; building model instances
for them took much of the inbox's time, and selecting the related rows for them compiled as
long again. The page and the list's total come back in one query (``COUNT(*) OVER ()``) as
values. A row is a dict: the referral's own fields under the model's names, and the youth,
services and sender it names as dicts (what ``ReferralSerializer``, the pages and the access
log read).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Window

from cases import access, refs
from cases.models import Referral
from cases.models.referrals import AWAITING_ANSWER

TOTAL = "_list_total"
OWN = (
    *("id", "youth_id", "from_service_id", "to_service_id", "reason_code", "reason", "message"),
    *("categories", "bases", "respond_by", "state", "sent_at", "received_at", "answered_at"),
    *("decline_reason", "period_id", "rerouted_to_id", "closed_at", "version"),
)
NAMED = (
    *("youth__first_name", "youth__last_name", "youth__birth_date"),
    *refs.service_columns("from_service"),
    *refs.service_columns("to_service"),
    *refs.staff_columns("sent_by"),
)


def _row(values: dict[str, Any]) -> dict[str, Any]:
    """A row of a box from the values of one referral."""
    row = {name: values[name] for name in OWN}
    row["youth"] = {
        "id": values["youth_id"],
        "first_name": values["youth__first_name"],
        "last_name": values["youth__last_name"],
        "birth_date": values["youth__birth_date"],
    }
    row["from_service"] = refs.service(values, "from_service")
    row["to_service"] = refs.service(values, "to_service")
    row["sent_by"] = refs.staff(values, "sent_by")
    return row


@dataclass(frozen=True)
class ReferralFilter:
    """What a list shows: a box of the viewer's services, in some states, overdue or not, of the
    youths the viewer's clearances open (``Viewer.cleared``)."""

    box: str
    services: tuple[uuid.UUID, ...]
    cleared: tuple[tuple[uuid.UUID, ...], ...]
    states: tuple[str, ...] = ()
    overdue: bool | None = None
    today: datetime.date | None = None  # what "overdue" is measured against


def filtered(filters: ReferralFilter) -> QuerySet[Referral]:
    """The referrals to (inbox) or from (outbox) the services, newest first, that the filters
    keep."""
    side = "to_service_id" if filters.box == "inbox" else "from_service_id"
    referrals = Referral.objects.filter(
        access.screen(filters.services, filters.cleared, service=side),
        **{f"{side}__in": filters.services},
    ).order_by("-sent_at", "-id")
    if filters.states:
        referrals = referrals.filter(state__in=list(filters.states))
    if filters.overdue is not None:
        late = Q(state__in=AWAITING_ANSWER, respond_by__lt=filters.today)
        referrals = referrals.filter(late) if filters.overdue else referrals.exclude(late)
    return referrals


class ReferralList:
    """The referrals ``filters`` keeps, as rows (none without services); a paginator's list
    (``page_with_total`` is what ``WindowCountPaginator`` calls)."""

    def __init__(self, filters: ReferralFilter) -> None:
        self.filters = filters if filters.services else None

    def _referrals(self) -> QuerySet[Referral]:
        if self.filters is None:
            return Referral.objects.none()
        return filtered(self.filters)

    def page_with_total(self, bottom: int, top: int) -> tuple[list[dict[str, Any]], int | None]:
        """The rows from ``bottom`` to ``top`` and the list's total (None for an empty page:
        there is no row to carry it)."""
        if self.filters is None:
            return [], None
        counted = self._referrals().annotate(**{TOTAL: Window(Count("*"))})
        values = list(counted.values(*OWN, *NAMED, TOTAL)[bottom:top])
        return [_row(v) for v in values], (values[0][TOTAL] if values else None)

    def count(self) -> int:
        return self._referrals().count()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter([_row(v) for v in self._referrals().values(*OWN, *NAMED)])

    def __len__(self) -> int:
        return self.count()
