"""The caseload: youths in reach in name order, each once, paged inside the database.

An advisor's office follows a couple of thousand youths. Sorting them by name by looking each
one up took most of the list's time (issue 7), so the page is picked from the open follow-up
periods alone (the youth's name is copied onto the period, and ``period_open_by_service``
carries it), and only the page's youths are read, with the total, in one query.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Func, IntegerField, Prefetch, QuerySet, Subquery

from cases.models import FollowUpPeriod, Youth

NAME_ORDER = ("youth_last_name", "youth_first_name", "youth_id")
TOTAL = "_caseload_total"


# What a caseload row shows (API and page); the rest of the columns, time stamps above all,
# cost more to load than the rows' own fields (tests hold the query count fixed).
YOUTH_COLUMNS = ("id", "first_name", "last_name", "birth_date", "municipality_number")
PERIOD_COLUMNS = (
    *("id", "youth", "started_on", "service", "responsible"),
    *("service__kind", "service__name"),
    *("responsible__username", "responsible__first_name", "responsible__last_name"),
)


def open_periods() -> QuerySet[FollowUpPeriod]:
    return (
        FollowUpPeriod.objects.filter(ended_on__isnull=True)
        .select_related("service", "responsible")
        .only(*PERIOD_COLUMNS)
    )


class Caseload:
    """The youths with a period among ``periods`` (open periods in reach, filtered), in name
    order. A paginator's list: ``page_with_total`` is what ``WindowCountPaginator`` calls."""

    def __init__(self, periods: QuerySet[FollowUpPeriod], *, one_service: bool = False) -> None:
        self.periods = periods.order_by()
        self.one_service = one_service

    def _keys(self) -> QuerySet[FollowUpPeriod, dict[str, Any]]:
        """Youth ids in name order, each once (grouped: a youth followed by two of my services
        has two periods)."""
        return (
            self.periods.values(*NAME_ORDER)
            .annotate(periods=Count("id"))
            .values("youth_id")
            .order_by(*NAME_ORDER)
        )

    def _total(self) -> Subquery:
        """How many youths: COUNT over the index alone (an aggregate without GROUP BY, which
        the ORM's ``Count`` in a subquery would add). Within one service a youth has one open
        period (``period_one_open_per_service``), so the rows need no DISTINCT (its sort was
        most of the count's time)."""
        template = (
            "COUNT(%(expressions)s)" if self.one_service else "COUNT(DISTINCT %(expressions)s)"
        )
        count = Func("youth_id", template=template, output_field=IntegerField())
        return Subquery(self.periods.annotate(n=count).values("n"))

    def _youths(self, keys: Any) -> QuerySet[Youth]:
        return (
            Youth.objects.filter(pk__in=keys)
            .only(*YOUTH_COLUMNS)
            .order_by("last_name", "first_name", "id")
            .prefetch_related(Prefetch("periods", queryset=open_periods(), to_attr="open_periods"))
        )

    def page_with_total(self, bottom: int, top: int) -> tuple[list[Youth], int | None]:
        """The youths from ``bottom`` to ``top`` in name order, and how many there are in all
        (None when the page is empty: there is no row to carry the total)."""
        rows = list(self._youths(self._keys()[bottom:top]).annotate(**{TOTAL: self._total()}))
        return rows, (getattr(rows[0], TOTAL) if rows else None)

    def count(self) -> int:
        return self.periods.values("youth_id").distinct().count()

    def __iter__(self) -> Iterator[Youth]:
        return iter(self._youths(self._keys()))

    def __len__(self) -> int:
        return self.count()
