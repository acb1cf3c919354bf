"""The caseload: youths in reach in name order, each once, paged inside the database.

An advisor's office follows a couple of thousand youths. Sorting them by name by looking each
one up took most of the list's time, so the page is picked from the open follow-up
periods alone (the youth's name is copied onto the period, and ``period_open_by_service``
carries it). The page's youths, each with the open periods that follow them, and the total
come back in one query, as values: a row is a youth with their open periods, which no model
is, and building ~300 model instances per page (youths, periods, services, staff) took as long
as the rest of the list.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Count, Func, IntegerField, Q, QuerySet, Subquery

from cases import access, refs
from cases.models import STRENGT_FORTROLIG_GRADES, FollowUpPeriod

NAME_ORDER = ("youth_last_name", "youth_first_name", "youth_id")

# What a caseload row shows of each open period and of its youth, service and responsible
# (the API's ``YouthListSerializer``, the caseload page, the access log).
ROW_VALUES = (
    *("youth_id", "youth__first_name", "youth__last_name", "youth__birth_date"),
    *("youth__municipality_number", "youth__address_protection", "id", "started_on"),
    *refs.service_columns(),
    *refs.staff_columns("responsible"),
)
ROW_ORDER = ("youth__last_name", "youth__first_name", "youth_id", "-started_on", "id")


def _youths(periods: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The caseload's rows from its open periods' values (in youth order): each youth once, as
    ``{"id", "first_name", "last_name", "birth_date", "municipality_number", "open_periods"}``,
    each open period as ``{"id", "started_on", "service", "responsible"}`` (``cases.refs``: the
    responsible None where the period has none). A youth with a strengt fortrolig address (kode 6
    or 19) shows no municipality."""
    youths: list[dict[str, Any]] = []
    for p in periods:
        if not youths or youths[-1]["id"] != p["youth_id"]:
            youths.append(
                {
                    "id": p["youth_id"],
                    "first_name": p["youth__first_name"],
                    "last_name": p["youth__last_name"],
                    "birth_date": p["youth__birth_date"],
                    "municipality_number": (
                        ""
                        if p["youth__address_protection"] in STRENGT_FORTROLIG_GRADES
                        else p["youth__municipality_number"]
                    ),
                    "open_periods": [],
                }
            )
        youths[-1]["open_periods"].append(
            {
                "id": p["id"],
                "started_on": p["started_on"],
                "service": refs.service(p),
                "responsible": refs.staff(p, "responsible"),
            }
        )
    return youths


@dataclass(frozen=True)
class CaseloadFilter:
    """What narrows a caseload: the viewer's reach and clearances (``Viewer.cleared``) and the
    chosen filters (values only)."""

    reach: tuple[uuid.UUID, ...]
    cleared: tuple[tuple[uuid.UUID, ...], ...]
    responsible: int | None = None
    service: uuid.UUID | None = None
    municipality: str | None = None
    name_prefixes: tuple[str, ...] = ()  # each name starts with one of them
    born_after: datetime.date | None = None
    born_before: datetime.date | None = None

    def inputs(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def filtered_periods(
    *,
    reach: tuple[uuid.UUID, ...],
    cleared: tuple[tuple[uuid.UUID, ...], ...],
    responsible: int | None,
    service: uuid.UUID | None,
    municipality: str | None,
    name_prefixes: tuple[str, ...],
    born_after: datetime.date | None,
    born_before: datetime.date | None,
) -> QuerySet[FollowUpPeriod]:
    """The open periods in reach that the filters keep (a youth followed by two of my services
    has two), without youths the clearances do not open (``access.screen``)."""
    narrow = Q()
    if responsible is not None:
        narrow &= Q(responsible_id=responsible)
    if service is not None:
        narrow &= Q(service_id=service)
    periods = access.periods_in(reach, narrow, cleared=cleared)
    if municipality is not None:
        # Never found by a municipality it does not show (kode 6 and 19).
        periods = periods.filter(youth__municipality_number=municipality).exclude(
            youth__address_protection__in=STRENGT_FORTROLIG_GRADES
        )
    for prefix in name_prefixes:
        periods = periods.filter(
            Q(youth_first_name__istartswith=prefix) | Q(youth_last_name__istartswith=prefix)
        )
    if born_after is not None:
        periods = periods.filter(youth__birth_date__gte=born_after)
    if born_before is not None:
        periods = periods.filter(youth__birth_date__lte=born_before)
    return periods.order_by()


def _keys(periods: QuerySet[FollowUpPeriod]) -> QuerySet[FollowUpPeriod, dict[str, Any]]:
    """Youth ids in name order, each once (grouped: a youth followed by two of my services has
    two periods)."""
    return (
        periods.values(*NAME_ORDER)
        .annotate(periods=Count("id"))
        .values("youth_id")
        .order_by(*NAME_ORDER)
    )


def _total(periods: QuerySet[FollowUpPeriod], one_service: bool) -> Subquery:
    """How many youths: COUNT over the index alone (an aggregate without GROUP BY, which the
    ORM's ``Count`` in a subquery would add). Within one service a youth has one open period
    (``period_one_open_per_service``), so the rows need no DISTINCT (its sort was most of the
    count's time)."""
    template = "COUNT(%(expressions)s)" if one_service else "COUNT(DISTINCT %(expressions)s)"
    count = Func("youth_id", template=template, output_field=IntegerField())
    return Subquery(periods.annotate(n=count).values("n"))


def _open_periods_of(
    keys: Any, reach: tuple[uuid.UUID, ...], cleared: tuple[tuple[uuid.UUID, ...], ...]
) -> QuerySet[FollowUpPeriod]:
    """The open periods of the youths ``keys`` names that ``reach`` may see (which services
    follow a youth: general information, but for the kinds whose involvement is confidential,
    ``access.involvement_visible``), youth by youth in name order."""
    periods = FollowUpPeriod.objects.filter(ended_on__isnull=True, youth_id__in=keys)
    return access.involvement_visible(reach, periods, cleared=cleared).order_by(*ROW_ORDER)


def _page(
    *, one_service: bool, bottom: int, top: int, **filters: Any
) -> QuerySet[FollowUpPeriod, dict[str, Any]]:
    """One page of youths (their open periods' values) with the total in every row."""
    periods = filtered_periods(**filters)
    page = _open_periods_of(_keys(periods)[bottom:top], filters["reach"], filters["cleared"])
    return page.annotate(total=_total(periods, one_service)).values(*ROW_VALUES, "total")


class Caseload:
    """The youths with an open period in reach that ``filters`` keeps, in name order (none for
    ``None``: a user without reach), as rows (``_youths``). A paginator's list:
    ``page_with_total`` is what ``WindowCountPaginator`` calls."""

    def __init__(self, filters: CaseloadFilter | None, *, one_service: bool = False) -> None:
        self.filters = filters if filters is not None and filters.reach else None
        self.one_service = one_service

    @property
    def periods(self) -> QuerySet[FollowUpPeriod]:
        if self.filters is None:
            return FollowUpPeriod.objects.none()
        return filtered_periods(**self.filters.inputs())

    def page_with_total(self, bottom: int, top: int) -> tuple[list[dict[str, Any]], int | None]:
        """The youths from ``bottom`` to ``top`` in name order, and how many there are in all
        (None when the page is empty: there is no row to carry the total)."""
        if self.filters is None:
            return [], None
        periods = list(
            _page(one_service=self.one_service, bottom=bottom, top=top, **self.filters.inputs())
        )
        return _youths(periods), (periods[0]["total"] if periods else None)

    def count(self) -> int:
        return self.periods.values("youth_id").distinct().count()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self.filters is None:
            return iter([])
        periods = _open_periods_of(_keys(self.periods), self.filters.reach, self.filters.cleared)
        return iter(_youths(periods.values(*ROW_VALUES)))

    def __len__(self) -> int:
        return self.count()
