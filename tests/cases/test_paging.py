"""Lists are paged in one query: the page's rows carry the total (cases.paging)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger

from cases.models import Service
from cases.paging import WindowCountPaginator
from tests import factories


@pytest.fixture
def five_services(db: Any) -> None:
    for i in range(5):
        factories.make_service(name=f"Tjeneste {i}")


def _services() -> Any:
    return Service.objects.filter(name__startswith="Tjeneste ").order_by("name")


def test_a_page_and_its_total_come_in_one_query(five_services: None, count_queries: Any) -> None:
    paginator = WindowCountPaginator(_services(), 2)
    with count_queries() as captured:
        page = paginator.page(2)
        names = [s.name for s in page]
        total, pages = paginator.count, paginator.num_pages
    assert names == ["Tjeneste 2", "Tjeneste 3"]
    assert (total, pages, page.has_next(), page.has_previous()) == (5, 3, True, True)
    assert len(captured) == 1
    assert "OVER ()" in captured[0]["sql"]


def test_a_page_past_the_end_is_refused_after_a_count(
    five_services: None, count_queries: Any
) -> None:
    paginator = WindowCountPaginator(_services(), 2)
    with count_queries() as captured, pytest.raises(EmptyPage):
        paginator.page(4)
    assert len(captured) == 2  # the empty page, then the count that tells it is past the end


def test_an_empty_list_has_one_empty_page(db: Any) -> None:
    paginator = WindowCountPaginator(_services(), 2)
    page = paginator.page(1)
    assert (list(page), paginator.count, paginator.num_pages) == ([], 0, 1)


@pytest.mark.parametrize("number", ["x", "0", "-1"])
def test_a_bad_page_number_is_refused(five_services: None, number: str) -> None:
    error = PageNotAnInteger if number == "x" else EmptyPage
    with pytest.raises(error):
        WindowCountPaginator(_services(), 2).page(number)


def test_get_page_falls_back_to_the_first_or_last_page(five_services: None) -> None:
    assert WindowCountPaginator(_services(), 2).get_page("x").number == 1
    assert WindowCountPaginator(_services(), 2).get_page("9").number == 3


def test_distinct_lists_are_counted_apart(five_services: None, count_queries: Any) -> None:
    """A window counts rows before DISTINCT, so such lists keep Django's separate count."""
    paginator = WindowCountPaginator(_services().distinct(), 2)
    with count_queries() as captured:
        rows = list(paginator.page(1))
        total = paginator.count
    assert (len(rows), total, len(captured)) == (2, 5, 2)


def test_the_api_list_reports_the_total_and_links(people: Any, client_for: Any) -> None:
    for i in range(3):
        factories.register_youth(people.nav_advisor, people.nav, first_name=f"Side{i}")
    api = client_for(people.nav_advisor)
    first = api.get("/api/v1/youths/?page_size=2").json()
    total = first["count"]
    assert total >= 4 and len(first["results"]) == 2 and first["next"]
    last_page = (total + 1) // 2
    last = api.get(f"/api/v1/youths/?page_size=2&page={last_page}").json()
    assert last["next"] is None and len(last["results"]) == total - 2 * (last_page - 1)
    assert api.get(f"/api/v1/youths/?page_size=2&page={last_page + 1}").status_code == 404
