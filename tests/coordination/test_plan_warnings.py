"""The rules behind a plan's warnings: its review is overdue (``IP-REVIEW``'s date has passed)
and the consent it rests on no longer holds (withdrawn or expired), at the edges of months and
on a leap day."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from consent.models import Consent
from coordination.deadlines.rules import review_due_on, review_overdue
from coordination.models import Plan, PlanKind, PlanStatus
from coordination.plans.warnings import ConsentState, plan_consent_state, plan_warnings

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def _plan(
    status: str = PlanStatus.ACTIVE,
    next_review_on: datetime.date | None = None,
    consent: Consent | None = None,
) -> Plan:
    activated = datetime.datetime(2026, 1, 2, 9, tzinfo=OSLO) if status != "DRAFT" else None
    plan = Plan(
        kind=PlanKind.INDIVIDUAL,
        status=status,
        next_review_on=next_review_on,
        activated_at=activated,
    )
    plan.consent = consent
    return plan


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=OSLO)


@pytest.mark.parametrize(
    ("review", "today", "overdue"),
    [
        # Month end: due on the 31st, overdue from the 1st.
        (datetime.date(2026, 1, 31), datetime.date(2026, 1, 31), False),
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 1), True),
        # A review on the leap day is due that day, overdue on 1 March.
        (datetime.date(2028, 2, 29), datetime.date(2028, 2, 28), False),
        (datetime.date(2028, 2, 29), datetime.date(2028, 2, 29), False),
        (datetime.date(2028, 2, 29), datetime.date(2028, 3, 1), True),
        # Across the year's end.
        (datetime.date(2026, 12, 31), datetime.date(2027, 1, 1), True),
        (datetime.date(2027, 2, 28), datetime.date(2027, 3, 1), True),
    ],
)
def test_review_overdue_from_the_day_after_the_review_date(
    review: datetime.date, today: datetime.date, overdue: bool
) -> None:
    assert review_due_on(_plan(next_review_on=review)) == review
    assert review_overdue(_plan(next_review_on=review), today) is overdue


def test_only_a_plan_in_use_has_a_review_deadline() -> None:
    past = datetime.date(2026, 1, 31)
    later = datetime.date(2026, 6, 1)
    assert not review_overdue(_plan(PlanStatus.DRAFT, past), later)
    assert not review_overdue(_plan(PlanStatus.CLOSED, past), later)
    assert not review_overdue(_plan(next_review_on=None), later)
    assert review_due_on(_plan(PlanStatus.DRAFT, past)) is None


def _consent(
    *,
    until: datetime.datetime | None = None,
    withdrawn: datetime.datetime | None = None,
) -> Consent:
    return Consent(
        decision="GIVEN",
        valid_from=datetime.datetime(2026, 1, 1, tzinfo=OSLO),
        valid_until=until,
        withdrawn_at=withdrawn,
    )


def test_consent_that_holds_and_a_plan_without_one() -> None:
    assert plan_consent_state(_plan(), _at(datetime.date(2026, 5, 1))) is None
    plan = _plan(consent=_consent())
    assert plan_consent_state(plan, _at(datetime.date(2028, 2, 29))) == ConsentState.HOLDS


@pytest.mark.parametrize(
    ("until", "at", "state"),
    [
        # Valid to the end of 31 January (midnight starting 1 February): holds all of the 31st.
        (datetime.date(2026, 2, 1), _at(datetime.date(2026, 1, 31), 23), ConsentState.HOLDS),
        (datetime.date(2026, 2, 1), _at(datetime.date(2026, 2, 1), 0), ConsentState.EXPIRED),
        # Valid through the leap day.
        (datetime.date(2028, 3, 1), _at(datetime.date(2028, 2, 29), 23), ConsentState.HOLDS),
        (datetime.date(2028, 3, 1), _at(datetime.date(2028, 3, 1), 8), ConsentState.EXPIRED),
    ],
)
def test_consent_expires_at_its_end(
    until: datetime.date, at: datetime.datetime, state: ConsentState
) -> None:
    end = datetime.datetime(until.year, until.month, until.day, tzinfo=OSLO)
    assert plan_consent_state(_plan(consent=_consent(until=end)), at) == state


def test_consent_withdrawn_from_the_moment_it_was_withdrawn() -> None:
    withdrawn = _at(datetime.date(2028, 2, 29), 14)
    plan = _plan(consent=_consent(withdrawn=withdrawn))
    assert plan_consent_state(plan, _at(datetime.date(2028, 2, 29), 13)) == ConsentState.HOLDS
    assert plan_consent_state(plan, withdrawn) == ConsentState.WITHDRAWN
    assert plan_consent_state(plan, _at(datetime.date(2028, 3, 31))) == ConsentState.WITHDRAWN


def test_warnings_name_the_day_and_leave_a_closed_plan_alone() -> None:
    withdrawn = _at(datetime.date(2028, 2, 29), 14)
    plan = _plan(next_review_on=datetime.date(2028, 1, 31), consent=_consent(withdrawn=withdrawn))
    found = plan_warnings(plan, today=datetime.date(2028, 3, 1), at=_at(datetime.date(2028, 3, 1)))
    assert [w.code for w in found] == ["review_overdue", "consent_withdrawn"]
    assert "31.01.2028" in found[0].text and "29.02.2028" in found[1].text
    ended = _consent(until=datetime.datetime(2026, 2, 1, tzinfo=OSLO))
    found = plan_warnings(
        _plan(next_review_on=datetime.date(2026, 3, 1), consent=ended),
        today=datetime.date(2026, 2, 2),
        at=_at(datetime.date(2026, 2, 2)),
    )
    assert [w.code for w in found] == ["consent_expired"] and "01.02.2026" in found[0].text
    closed = _plan(PlanStatus.CLOSED, datetime.date(2026, 1, 31), _consent(withdrawn=withdrawn))
    assert plan_warnings(closed, today=datetime.date(2028, 3, 1)) == []
