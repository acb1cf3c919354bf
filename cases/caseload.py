"""The caseload: youths in reach in name order (or by a ``CaseloadSort``: one value per youth,
such as the municipality or the last contact), each once, paged inside the database.

An advisor's office follows a couple of thousand youths. Sorting them by name by looking each
one up took most of the list's time, so the page is picked from the open follow-up
periods alone (the youth's name is copied onto the period, and ``period_open_by_service``
carries it), with the total in the same pass (a window over the youths). Their open periods
come in a second query, as values: a row is a youth with their open periods, which no model
is, and building ~300 model instances per page (youths, periods, services, staff) took as long
as the rest of the list.

Which services follow a youth is general information, except for the kinds whose involvement
is confidential (``cases.models.SENSITIVE_INVOLVEMENT``): those periods are shown by the same
allow-list as on the youth's own page (``access.allowed_for_many``, one more query, only for
pages with such a period of another service).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from cases import access, municipalities, refs
from cases.models import (
    STRENGT_FORTROLIG_GRADES,
    FollowUpEntry,
    FollowUpPeriod,
    Youth,
    involvement_category,
)
from consent.categories import Category

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
    name_prefixes: tuple[str, ...] = ()  # each a word of the first or the last name begins with
    last_name_prefix: str | None = None  # "Etternavn, Fornavn": words the last name begins with
    first_name_prefix: str | None = None  # and the first name
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
    last_name_prefix: str | None = None,
    first_name_prefix: str | None = None,
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
    periods = periods.filter(
        name_filter(
            name_prefixes=name_prefixes,
            last_name_prefix=last_name_prefix,
            first_name_prefix=first_name_prefix,
            first="youth_first_name",
            last="youth_last_name",
        )
    )
    if born_after is not None:
        periods = periods.filter(youth__birth_date__gte=born_after)
    if born_before is not None:
        periods = periods.filter(youth__birth_date__lte=born_before)
    return periods.order_by()


def _begins(field: str, text: str) -> Q:
    """The name in ``field`` has a word that begins with ``text`` (a double or hyphenated name
    is found by its second part too)."""
    return (
        Q(**{f"{field}__istartswith": text})
        | Q(**{f"{field}__icontains": f" {text}"})
        | Q(**{f"{field}__icontains": f"-{text}"})
    )


def name_search(text: str | None) -> dict[str, Any]:
    """The name filters of a search as the list writes names: "Etternavn, Fornavn" (the last
    name before the comma, the first name after it) or words in any order ("Fornavn Etternavn"),
    each the beginning of a word of the first or the last name."""
    text = (text or "").strip()
    if "," in text:
        last, _comma, first = text.partition(",")
        return {
            "last_name_prefix": " ".join(last.split()) or None,
            "first_name_prefix": " ".join(first.replace(",", " ").split()) or None,
        }
    return {"name_prefixes": tuple(text.split())}


def name_filter(
    *,
    name_prefixes: tuple[str, ...] = (),
    last_name_prefix: str | None = None,
    first_name_prefix: str | None = None,
    first: str = "first_name",
    last: str = "last_name",
) -> Q:
    """The condition of a name search (``name_search``'s filters) on rows whose names are in
    ``first`` and ``last``."""
    found = Q()
    for prefix in name_prefixes:
        found &= _begins(first, prefix) | _begins(last, prefix)
    if last_name_prefix:
        found &= _begins(last, last_name_prefix)
    if first_name_prefix:
        found &= _begins(first, first_name_prefix)
    return found


@dataclass(frozen=True)
class CaseloadSort:
    """An order of the caseload other than by name: values of each youth (``keys``, expressions
    on an open period that are the same for every period of a youth, such as a subquery by
    ``youth_id``) and how to order by them (``order``); name order breaks ties."""

    keys: dict[str, Any]
    order: tuple[Any, ...]


NAME_DESCENDING = CaseloadSort({}, tuple(F(name).desc() for name in NAME_ORDER))


def shown_municipality() -> Subquery:
    """SQL, by an open period's youth: the alphabetical place of the municipality a caseload
    row shows (none for a youth with a strengt fortrolig address, kode 6 and 19, who must not be
    placed by it either; last for a number the register does not hold)."""
    order = municipalities.by_name()
    place = Case(
        When(address_protection__in=STRENGT_FORTROLIG_GRADES, then=Value(None)),
        *[When(municipality_number=number, then=Value(n)) for n, number in enumerate(order)],
        default=Value(len(order)),
        output_field=IntegerField(),
    )
    youth = Youth.objects.filter(pk=OuterRef("youth_id")).annotate(place=place)
    return Subquery(youth.values("place")[:1], output_field=IntegerField())


def last_entries(viewer: access.Viewer, youth_ids: Any) -> QuerySet[FollowUpEntry]:
    """The newest follow-up entry the viewer may see (``access.visible``) of each youth of
    ``youth_ids`` (values, or a reference to the youth of an outer query), with what allowed it
    (``access.basis_of``). One query (the ``entry_timeline`` index per youth)."""
    entries = FollowUpEntry.objects.filter(deleted_at__isnull=True)
    if isinstance(youth_ids, OuterRef):
        entries = entries.filter(youth_id=youth_ids)
    else:
        entries = entries.filter(youth_id__in=youth_ids)
    return access.visible(viewer, entries).only(
        "id", "youth_id", "service_id", "category", "occurred_on"
    )


def newest_entries(viewer: access.Viewer, youth_ids: list[Any]) -> dict[Any, FollowUpEntry]:
    """``last_entries`` of the youths, by youth: the newest of each (by day, then by when it was
    written)."""
    ranked = last_entries(viewer, youth_ids).annotate(
        newest=Window(
            RowNumber(),
            partition_by=[F("youth_id")],
            order_by=[F("occurred_on").desc(), F("created_at").desc(), F("id").desc()],
        )
    )
    return {entry.youth_id: entry for entry in ranked.filter(newest=1)}


def last_contact_sort(viewer: access.Viewer, *, descending: bool) -> CaseloadSort:
    """By the day of the newest follow-up entry the viewer may see: the longest without contact
    (or never) first, or the most recent first."""
    newest = last_entries(viewer, OuterRef("youth_id")).order_by("-occurred_on")
    keys = {"last_contact": Subquery(newest.values("occurred_on")[:1])}
    key = F("last_contact")
    return CaseloadSort(
        keys, (key.desc(nulls_last=True),) if descending else (key.asc(nulls_first=True),)
    )


def municipality_sort(*, descending: bool) -> CaseloadSort:
    key = F("municipality_place")
    return CaseloadSort(
        {"municipality_place": shown_municipality()},
        (key.desc(nulls_last=True),) if descending else (key.asc(nulls_last=True),),
    )


def _keys(
    periods: QuerySet[FollowUpPeriod], sort: CaseloadSort | None = None
) -> QuerySet[FollowUpPeriod, tuple[Any, int]]:
    """Youth ids in order (by name, or by ``sort``), each once (grouped: a youth followed by
    two of my services has two periods), each with how many youths there are in all (a window
    over the groups, so the page and the total are one pass over the open-period index)."""
    keys = sort.keys if sort is not None else {}
    order = (*sort.order, *NAME_ORDER) if sort is not None else NAME_ORDER
    return (
        periods.annotate(**keys)
        .values(*keys, *NAME_ORDER)
        .annotate(periods=Count("id"))
        .annotate(total=Window(Count("youth_id")))
        .values_list("youth_id", "total")
        .order_by(*order)
    )


def _open_periods_of(keys: Any) -> QuerySet[FollowUpPeriod, dict[str, Any]]:
    """The open periods of the youths ``keys`` names (ids, or a subquery of them), youth by
    youth in name order, with what ``_shown`` needs."""
    return (
        FollowUpPeriod.objects.filter(ended_on__isnull=True, youth_id__in=keys)
        .order_by(*ROW_ORDER)
        .values(*ROW_VALUES, "service__kind", "youth__shielded")
    )


def _shown(
    periods: list[dict[str, Any]],
    reach: tuple[uuid.UUID, ...],
    cleared: tuple[tuple[uuid.UUID, ...], ...],
) -> list[dict[str, Any]]:
    """Of the youths' open periods, those whose service the viewer may see following them
    (which services follow a youth is general information, but for the kinds whose involvement
    is confidential: ``access.involvement_shown``, with each youth's allow-list). Allow-lists
    are read (one query) only for youths followed by such a service outside ``reach``."""
    following: dict[Any, list[tuple[Any, str]]] = {}
    wanted = set()
    for p in periods:
        youth, service, kind = p["youth_id"], p["service_id"], p["service__kind"]
        mine = following.setdefault(youth, [])
        protections = {
            "address_protection": p["youth__address_protection"],
            "shielded": p["youth__shielded"],
        }
        if service in reach and access.clears_values(cleared, protections, service):
            mine.append((service, kind))
        elif involvement_category(kind) != Category.GENERAL:
            wanted.add(youth)
    allowed = access.allowed_for_many(reach, {y: f for y, f in following.items() if y in wanted})
    return [
        p
        for p in periods
        if p["youth_id"] not in wanted
        or access.involvement_shown(
            allowed[p["youth_id"]] if following[p["youth_id"]] else None,
            p["service_id"],
            p["service__kind"],
        )
    ]


class Caseload:
    """The youths with an open period in reach that ``filters`` keeps, in name order (none for
    ``None``: a user without reach), as rows (``_youths``). A paginator's list:
    ``page_with_total`` is what ``WindowCountPaginator`` calls."""

    def __init__(self, filters: CaseloadFilter | None, sort: CaseloadSort | None = None) -> None:
        self.filters = filters if filters is not None and filters.reach else None
        self.sort = sort

    @property
    def periods(self) -> QuerySet[FollowUpPeriod]:
        if self.filters is None:
            return FollowUpPeriod.objects.none()
        return filtered_periods(**self.filters.inputs())

    def page_with_total(self, bottom: int, top: int) -> tuple[list[dict[str, Any]], int | None]:
        """The youths from ``bottom`` to ``top`` in name order, and how many there are in all
        (None when the page is empty: there is no row to carry the total). Two queries, three
        where a youth on the page is followed by a service whose involvement is confidential."""
        if self.filters is None:
            return [], None
        keys = list(_keys(self.periods, self.sort)[bottom:top])
        if not keys:
            return [], None
        ids = [youth for youth, _total in keys]
        rows = self._rows(_open_periods_of(ids))
        if self.sort is not None:  # the periods come in name order; the page in the sort's
            place = {youth: n for n, youth in enumerate(ids)}
            rows.sort(key=lambda row: place[row["id"]])
        return rows, keys[0][1]

    def _rows(self, periods: QuerySet[FollowUpPeriod, dict[str, Any]]) -> list[dict[str, Any]]:
        assert self.filters is not None
        return _youths(_shown(list(periods), self.filters.reach, self.filters.cleared))

    def count(self) -> int:
        return self.periods.values("youth_id").distinct().count()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self.filters is None:
            return iter([])
        return iter(self._rows(_open_periods_of(self.periods.values("youth_id"))))

    def __len__(self) -> int:
        return self.count()
