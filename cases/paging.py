"""Paging lists in one query: the page and its total together (API and pages)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import ModelIterable
from django.utils.translation import gettext_lazy as _

WINDOW_COUNT = "_page_total"
# A row's place in a list is a 64-bit integer in SQL (PostgreSQL's bigint, SQLite's INTEGER): no
# list holds more rows, and a LIMIT or OFFSET past it is an error rather than an empty page.
MAX_ROWS = 2**63 - 1


class WindowCountPaginator(Paginator):
    """Counts the whole list in the page's own query (``COUNT(*) OVER ()``).

    Django's paginator runs ``SELECT COUNT(*)`` and then the page: two round trips, and the
    database evaluates the filter twice (for the caseload that filter is the access policy over
    thousands of follow-up periods). The window count comes with every row of the page. Only a
    page past the end (no rows to carry the count) falls back to a separate count, to tell an
    empty list from a bad page number. A list with ``page_with_total(bottom, top)`` pages
    itself (the caseload, ``cases.caseload``); other lists count as Django's paginator does.
    """

    def _windowable(self) -> bool:
        objects = self.object_list
        return (
            isinstance(objects, QuerySet)
            and objects._iterable_class is ModelIterable  # rows are model instances
            and not objects.query.distinct
            and not objects.query.combinator
            and not objects.query.is_sliced
            and self.orphans == 0
        )

    def _rows_and_total(self, bottom: int) -> tuple[list[Any], int | None] | None:
        """The page's rows and the list's total in one query, or None where that is not
        possible (the paginator then counts and slices, as Django's does)."""
        objects: Any = self.object_list
        top = bottom + self.per_page
        if hasattr(objects, "page_with_total"):  # a list that pages itself (the caseload)
            return objects.page_with_total(bottom, top)
        if not self._windowable():
            return None
        rows = list(objects.annotate(**{WINDOW_COUNT: Window(Count("*"))})[bottom:top])
        return rows, (getattr(rows[0], WINDOW_COUNT) if rows else None)

    def page(self, number: Any) -> Page:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("Sidetallet er ikke et heltall.")) from None
        if number < 1:
            raise EmptyPage(_("Sidetallet er mindre enn 1."))
        if number * self.per_page > MAX_ROWS:  # past the end of any list
            raise EmptyPage(_("Siden har ingen resultater."))
        found = self._rows_and_total((number - 1) * self.per_page)
        if found is None:
            return super().page(number)
        rows, total = found
        if rows:
            # Paginator.count is a cached_property: this is where it keeps its value.
            self.__dict__["count"] = total
        elif number > 1:
            self.validate_number(number)  # counts, and raises EmptyPage past the end
        else:
            self.__dict__["count"] = 0
            if not self.allow_empty_first_page:
                raise EmptyPage(_("Siden har ingen resultater."))
        return Page(rows, number, self)

    def get_page(self, number: Any) -> Page:
        """As Django's: a bad number shows the first page, one past the end the last."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)
