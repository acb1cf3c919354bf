"""A list of referrals (the inbox or outbox of my services) as plain rows, paged in one query.

Fifty referrals name fifty youths and a hundred services and senders; building model instances
for them took much of the inbox's time. The page and the list's total come back in
one query (``COUNT(*) OVER ()``) as values, and each row carries what the API's and the page's
rows show under the model's attribute names.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Window

from cases import labels
from cases.models import Referral
from cases.models.referrals import AWAITING_ANSWER, is_overdue
from cases.rows import Refs, Row, ServiceRef, StaffRef, YouthRef

TOTAL = "_list_total"


@dataclass(frozen=True, slots=True)
class ReferralRow(Row):
    """A referral in a list: its own fields and the youth, services and sender it names."""

    id: uuid.UUID
    youth_id: uuid.UUID
    from_service_id: uuid.UUID
    to_service_id: uuid.UUID
    sent_by_id: int
    reason_code: str
    reason: str
    message: str
    categories: list[str]
    bases: dict[str, str]
    respond_by: datetime.date
    state: str
    sent_at: datetime.datetime
    received_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    decline_reason: str
    period_id: uuid.UUID | None
    rerouted_to_id: uuid.UUID | None
    closed_at: datetime.datetime | None
    version: int
    youth: YouthRef
    from_service: ServiceRef
    to_service: ServiceRef
    sent_by: StaffRef

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return is_overdue(self.state, self.respond_by, today)

    def get_state_display(self) -> str:
        return str(labels.display_value(Referral, "state", self.state))


NAMED = ("youth", "from_service", "to_service", "sent_by")
OWN_COLUMNS = tuple(name for name in ReferralRow.__dataclass_fields__ if name not in NAMED)
NAMED_COLUMNS = (
    *("youth__first_name", "youth__last_name", "youth__birth_date"),
    *("from_service__kind", "from_service__name", "to_service__kind", "to_service__name"),
    *("sent_by__username", "sent_by__first_name", "sent_by__last_name"),
)


def _row(values: tuple[Any, ...], refs: Refs) -> ReferralRow:
    own = values[: len(OWN_COLUMNS)]
    first, last, born, from_kind, from_name, to_kind, to_name, username, sfirst, slast = values[
        len(OWN_COLUMNS) : len(OWN_COLUMNS) + len(NAMED_COLUMNS)
    ]
    youth_id, from_id, to_id, sender_id = own[1:5]
    return ReferralRow(
        **dict(zip(OWN_COLUMNS, own, strict=True)),
        youth=YouthRef(youth_id, first, last, born),
        from_service=refs.service(from_id, from_kind, from_name),
        to_service=refs.service(to_id, to_kind, to_name),
        sent_by=refs.staff_member(sender_id, username, sfirst, slast),
    )


def in_box(box: str, services: Any) -> QuerySet[Referral]:
    """The referrals to (inbox) or from (outbox) the services ``services`` (ids or a subquery),
    newest first."""
    side = "to_service_id__in" if box == "inbox" else "from_service_id__in"
    return Referral.objects.filter(**{side: services}).order_by("-sent_at", "-id")


@dataclass(frozen=True)
class ReferralFilter:
    """What a list shows: a box of the viewer's services, in some states, overdue or not."""

    box: str
    services: tuple[uuid.UUID, ...]
    states: tuple[str, ...] = ()
    overdue: bool | None = None
    today: datetime.date | None = None  # what "overdue" is measured against

    def inputs(self) -> dict[str, Any]:
        return {
            "box": self.box,
            "services": self.services,
            "states": self.states,
            "overdue": self.overdue,
            "today": self.today if self.overdue is not None else None,
        }


def filtered(
    *,
    box: str,
    services: tuple[uuid.UUID, ...],
    states: tuple[str, ...],
    overdue: bool | None,
    today: datetime.date | None,
) -> QuerySet[Referral]:
    referrals = in_box(box, list(services))
    if states:
        referrals = referrals.filter(state__in=list(states))
    if overdue is not None:
        late = Q(state__in=AWAITING_ANSWER, respond_by__lt=today)
        referrals = referrals.filter(late) if overdue else referrals.exclude(late)
    return referrals


def _page(*, bottom: int, top: int, **filters: Any) -> QuerySet[Referral, tuple[Any, ...]]:
    """A page of rows with the list's total in each (``COUNT(*) OVER ()``)."""
    counted = filtered(**filters).annotate(**{TOTAL: Window(Count("*"))})
    return counted.values_list(*OWN_COLUMNS, *NAMED_COLUMNS, TOTAL)[bottom:top]


class ReferralList:
    """The referrals ``filters`` keeps, as rows (none without services); a paginator's list
    (``page_with_total`` is what ``WindowCountPaginator`` calls)."""

    def __init__(self, filters: ReferralFilter) -> None:
        self.filters = filters if filters.services else None

    def _referrals(self) -> QuerySet[Referral]:
        if self.filters is None:
            return Referral.objects.none()
        return filtered(**self.filters.inputs())

    def page_with_total(self, bottom: int, top: int) -> tuple[list[ReferralRow], int | None]:
        if self.filters is None:
            return [], None
        values = list(_page(bottom=bottom, top=top, **self.filters.inputs()))
        refs = Refs()
        return [_row(v, refs) for v in values], (values[0][-1] if values else None)

    def count(self) -> int:
        return self._referrals().count()

    def __iter__(self) -> Iterator[ReferralRow]:
        refs = Refs()
        rows = self._referrals().values_list(*OWN_COLUMNS, *NAMED_COLUMNS)
        return iter([_row(v, refs) for v in rows])

    def __len__(self) -> int:
        return self.count()
