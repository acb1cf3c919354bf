"""UG-90 day by day from the ledger's facts (``compliance.ug90_days`` and ``ug90_history``):
figures at a month's end, on a leap day and on the day summer time begins."""

from __future__ import annotations

import datetime
from typing import Any

import time_machine

from cases import services
from cases.models import Innsatsgruppe
from coordination.deadlines import compliance
from coordination.deadlines.compliance import PeriodFacts
from coordination.models import ComplianceSnapshot
from tests.coordination.conftest import Office, at
from tests.factories import derived

SIT = Innsatsgruppe.SITUASJONSBESTEMT_INNSATS.value
SPES = Innsatsgruppe.SPESIELT_TILPASSET_INNSATS.value
PARAMS = {**compliance.UG_90}
D = datetime.date.fromisoformat


def _by_day(figures: list[compliance.DayFigure]) -> dict[str, tuple[int, int]]:
    return {f.day.isoformat(): (f.group_size, f.met) for f in figures}


def test_a_month_end_counts_whoever_was_in_the_group_that_day() -> None:
    periods = [
        # In the group from 10 January, plan approved 31 January: met from the month's end.
        PeriodFacts(
            D("2026-01-05"), None, D("2000-06-01"), [(D("2026-01-10"), SPES)], D("2026-01-31")
        ),
        # Closed on 31 January: that day it no longer counts.
        PeriodFacts(
            D("2025-12-01"), D("2026-01-31"), D("2001-06-01"), [(D("2025-12-01"), SPES)], None
        ),
        # A new decision outside the group from 1 February ends the span on 31 January.
        PeriodFacts(
            D("2025-12-01"),
            None,
            D("2002-06-01"),
            [(D("2025-12-01"), SPES), (D("2026-02-01"), SIT)],
            D("2025-12-15"),
        ),
        # In another group throughout: never counted.
        PeriodFacts(D("2025-12-01"), None, D("2003-06-01"), [(D("2025-12-01"), SIT)], None),
    ]
    days = _by_day(compliance.ug90_days(periods, PARAMS, D("2026-01-09"), D("2026-02-01")))
    assert days["2026-01-09"] == (2, 1)
    assert days["2026-01-10"] == (3, 1)
    assert days["2026-01-30"] == (3, 1)
    assert days["2026-01-31"] == (2, 2)
    assert days["2026-02-01"] == (1, 1)
    assert len(days) == 24


def test_a_leap_day_and_the_30th_birthday() -> None:
    periods = [
        # Born 28 February 1998: turns 30 on 28 February 2028, out of the group that day.
        PeriodFacts(D("2027-01-01"), None, D("1998-02-28"), [(D("2027-01-01"), SPES)], None),
        # Born 1 March 1998: still 29 on the leap day.
        PeriodFacts(
            D("2027-01-01"), None, D("1998-03-01"), [(D("2027-01-01"), SPES)], D("2028-02-29")
        ),
        # Born 29 February 2000: turns 30 on 1 March 2030, in the group throughout.
        PeriodFacts(
            D("2027-01-01"), None, D("2000-02-29"), [(D("2027-01-01"), SPES)], D("2027-06-01")
        ),
    ]
    days = _by_day(compliance.ug90_days(periods, PARAMS, D("2028-02-27"), D("2028-03-02")))
    assert days["2028-02-27"] == (3, 1)
    assert days["2028-02-28"] == (2, 1)  # the first has turned 30
    assert days["2028-02-29"] == (2, 2)  # the second's plan approved on the leap day
    assert days["2028-03-01"] == (1, 1)  # the second has turned 30
    figure = compliance.ug90_days(periods, PARAMS, D("2028-02-29"), D("2028-02-29"))[0]
    assert (figure.day, figure.percent, figure.below_target) == (D("2028-02-29"), 100.0, False)


def test_an_empty_or_backwards_range_has_no_days() -> None:
    assert compliance.ug90_days([], PARAMS, D("2026-01-01"), D("2026-01-03")) == [
        compliance.DayFigure(0, 0, 90, D("2026-01-0" + str(n))) for n in (1, 2, 3)
    ]
    assert compliance.ug90_days([], PARAMS, D("2026-01-02"), D("2026-01-01")) == []


def _approve(office: Office, youth: Any, moment: datetime.datetime) -> None:
    with time_machine.travel(moment, tick=False):
        plan = services.activity_plan_create(actor=office.advisor, youth=youth, service=office.nav)
        derived(
            services.activity_plan_approve(actor=office.advisor, plan=plan, version=plan.version)
        )


def test_history_from_the_ledger_on_the_day_summer_time_begins(
    office: Office, travel: Any, count_queries: Any
) -> None:
    # Summer time begins on Sunday 29 March 2026 (02:00 becomes 03:00).
    youths = [office.youth(f"2000-0{n + 1}-15", on="2026-03-02") for n in range(4)]
    for youth in youths:
        office.decide(youth, SPES, on="2026-03-02")
    # 00:30 Oslo time on the 29th is 23:30 UTC on the 28th: the 29th counts.
    _approve(office, youths[0], at("2026-03-29", 0, 30))
    # 23:30 Oslo time on the 29th (summer time) is 21:30 UTC: still the 29th.
    _approve(office, youths[1], at("2026-03-29", 23, 30))
    # 00:30 Oslo time on the 30th is 22:30 UTC on the 29th: the 30th.
    _approve(office, youths[2], at("2026-03-30", 0, 30))
    travel("2026-04-02")
    with count_queries() as queries:
        history = compliance.ug90_history(office.nav, D("2026-03-01"), D("2026-04-30"))
    assert len(queries) == 4  # the rule, the periods, their decisions, the nightly figures
    days = _by_day(history)
    assert days["2026-03-01"] == (0, 0)
    assert days["2026-03-28"] == (4, 0)
    assert days["2026-03-29"] == (4, 2)
    assert days["2026-03-30"] == (4, 3)
    assert history[-1].day == D("2026-04-02")  # not past today
    now = compliance.ug90(office.nav)
    assert (history[-1].group_size, history[-1].met) == (now.group_size, now.met) == (4, 3)


def test_a_nightly_figure_shows_where_one_was_taken(office: Office, travel: Any) -> None:
    youth = office.youth("2000-05-05", on="2026-01-05")
    office.decide(youth, SPES, on="2026-01-05")
    ComplianceSnapshot.objects.create(
        rule_id="UG-90",
        service=office.nav,
        day=D("2026-01-10"),
        group_size=7,
        met=5,
        target_percent=90,
    )
    travel("2026-01-12")
    days = _by_day(compliance.ug90_history(office.nav, D("2026-01-08"), D("2026-01-12")))
    assert days == {
        "2026-01-08": (1, 0),
        "2026-01-09": (1, 0),
        "2026-01-10": (7, 5),
        "2026-01-11": (1, 0),
        "2026-01-12": (1, 0),
    }


def test_the_history_reads_the_same_number_of_queries_for_many_youths(
    office: Office, travel: Any, count_queries: Any
) -> None:
    travel("2026-02-01")
    with count_queries() as few:
        compliance.ug90_history(office.nav, D("2025-02-01"), D("2026-02-01"))
    for n in range(6):
        youth = office.youth(f"2001-01-{n + 1:02d}", on="2026-01-05")
        office.decide(youth, SPES if n % 2 else SIT, on="2026-01-06")
    travel("2026-02-01")
    with count_queries() as many:
        history = compliance.ug90_history(office.nav, D("2025-02-01"), D("2026-02-01"))
    assert len(few) == 3 and len(many) == 4  # no periods: their decisions are not read
    assert (history[-1].group_size, len(history)) == (3, 366)
