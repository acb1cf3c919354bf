"""Every deadline rule with time travel: month ends, leap days, the 30th birthday, DST."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from cases import services
from cases.models import FollowUpPeriod, Innsatsgruppe
from consent.services import Flow
from coordination.deadlines import ledger
from coordination.deadlines.rules import add_months
from coordination.models import Deadline, DeadlineRule
from tests import factories
from tests.coordination.conftest import Office, at, deadline, deadlines
from tests.factories import derived, sync_youth

SIT = Innsatsgruppe.SITUASJONSBESTEMT_INNSATS
SPES = Innsatsgruppe.SPESIELT_TILPASSET_INNSATS
STD = Innsatsgruppe.STANDARD_INNSATS
D = datetime.date.fromisoformat


def approve_plan(office: Office, youth: Any) -> Any:
    plan = services.activity_plan_create(actor=office.advisor, youth=youth, service=office.nav)
    return derived(
        services.activity_plan_approve(actor=office.advisor, plan=plan, version=plan.version)
    )


def nav_period(office: Office, youth: Any) -> FollowUpPeriod:
    return FollowUpPeriod.objects.get(youth=youth, service=office.nav, ended_on__isnull=True)


# --- "Within one month" -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        ("2027-01-15", "2027-02-15"),
        ("2027-01-31", "2027-02-28"),  # no 31 February: the month's last day
        ("2028-01-31", "2028-02-29"),  # leap year
        ("2028-02-29", "2028-03-29"),  # from a leap day
        ("2027-03-31", "2027-04-30"),
        ("2027-12-31", "2028-01-31"),  # over the year end
    ],
)
def test_one_calendar_month_is_the_same_day_next_month_or_its_last_day(
    start: str, due: str
) -> None:
    assert add_months(D(start), 1) == D(due)


# --- UG-PLAN-1M -----------------------------------------------------------------------------


def test_ug_plan_1m_due_one_month_after_the_decision_met_by_approving_the_plan(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2005-06-10", on="2027-01-20")  # 21 on the decision day
    office.decide(youth, SIT, on="2027-01-31")
    row = deadline(youth, "UG-PLAN-1M")
    assert (row.due_on, row.status, row.service, row.staff) == (
        D("2027-02-28"),
        "OPEN",
        office.nav,
        office.advisor,
    )
    travel("2027-02-28", 15)  # approved on the due day: in time
    approve_plan(office, youth)
    row.refresh_from_db()
    assert row.status == "MET"
    assert row.closed_at is not None


def test_ug_plan_1m_approved_after_the_month_is_missed_and_stays_missed(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2004-03-01", on="2027-01-05")
    office.decide(youth, SIT, on="2027-01-10")
    travel("2027-02-11")
    ledger.sweep()
    assert deadline(youth, "UG-PLAN-1M").status == "MISSED"
    approve_plan(office, youth)
    row = deadline(youth, "UG-PLAN-1M")
    assert row.status == "MISSED"
    assert row.fulfilled_at == at("2027-02-11")


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("2007-01-11", False),  # turns 20 the day after the decision: 19
        ("2007-01-10", True),  # 20th birthday on the decision day
        ("2002-01-11", True),  # 24, the day before the 25th birthday
        ("2002-01-10", False),  # 25 on the decision day
    ],
)
def test_ug_plan_1m_covers_20_to_24_year_olds(office: Office, birth: str, expected: bool) -> None:
    youth = office.youth(birth, on="2027-01-05")
    office.decide(youth, SIT, on="2027-01-10")
    assert bool(deadlines(youth, "UG-PLAN-1M")) is expected


def test_ug_plan_1m_only_for_situasjonsbestemt_innsats(office: Office) -> None:
    youth = office.youth("2005-05-05", on="2027-01-05")
    office.decide(youth, SPES, on="2027-01-10")
    assert deadlines(youth, "UG-PLAN-1M") == []


def test_ug_plan_1m_a_new_decision_in_the_group_keeps_the_clock(office: Office) -> None:
    youth = office.youth("2005-05-05", on="2027-01-05")
    first = office.decide(youth, SIT, on="2027-01-10")
    office.decide(youth, SIT, on="2027-01-25")
    [row] = deadlines(youth, "UG-PLAN-1M")
    assert (row.subject_id, row.due_on) == (first.pk, D("2027-02-10"))


def test_ug_plan_1m_falls_away_when_the_group_changes_before_it_is_due(office: Office) -> None:
    youth = office.youth("2005-05-05", on="2027-01-05")
    office.decide(youth, SIT, on="2027-01-10")
    office.decide(youth, STD, on="2027-01-20")
    row = deadline(youth, "UG-PLAN-1M")
    assert row.status == "CANCELLED"
    assert not row.reminders.filter(status="PENDING").exists()


# --- UG-2023 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("2011-01-11", False),  # 15: in the guarantee from the next day, not yet
        ("2011-01-10", True),  # 16th birthday
        ("1997-01-11", True),  # the day before the 30th birthday
        ("1997-01-10", False),  # the 30th birthday
    ],
)
def test_ug_2023_from_16_to_the_day_before_the_30th_birthday(
    office: Office, birth: str, expected: bool
) -> None:
    youth = office.youth(birth, on="2027-01-05")
    office.decide(youth, SPES, on="2027-01-10")
    assert bool(deadlines(youth, "UG-2023")) is expected


def test_ug_2023_not_before_the_guarantee_came_into_force(office: Office) -> None:
    youth = office.youth("2003-01-01", on="2023-06-01")
    office.decide(youth, SIT, on="2023-06-30")
    assert deadlines(youth, "UG-2023") == []


def test_ug_2023_contact_person_within_the_local_policy_days(
    office: Office, travel: Any, settings: Any
) -> None:
    settings.DEADLINE_UG_CONTACT_PERSON_DAYS = 10
    youth = office.youth("2003-04-04", on="2027-01-05")
    travel("2027-01-06")
    period = nav_period(office, youth)
    derived(
        services.period_reassign(
            actor=office.advisor, period=period, version=period.version, responsible=None
        )
    )
    office.decide(youth, SIT, on="2027-01-08")
    row = deadline(youth, "UG-2023")
    assert (row.due_on, row.status, row.staff) == (D("2027-01-18"), "OPEN", None)
    # No contact person: the office's address is reminded, the managers when overdue.
    assert set(row.reminders.values_list("recipient_key", flat=True)) == {
        f"service:{office.nav.pk}",
        f"user:{office.manager.pk}",
    }
    travel("2027-01-12")
    period.refresh_from_db()
    derived(
        services.period_reassign(
            actor=office.manager, period=period, version=period.version, responsible=office.advisor
        )
    )
    row.refresh_from_db()
    assert (row.status, row.staff, row.fulfilled_at) == ("MET", office.advisor, at("2027-01-12"))


def test_ug_2023_with_a_contact_person_already_is_met_on_the_decision_day(
    office: Office,
) -> None:
    youth = office.youth("2003-04-04", on="2027-01-05")
    office.decide(youth, SPES, on="2027-01-08")
    row = deadline(youth, "UG-2023")
    assert row.status == "MET"
    assert row.fulfilled_at == at("2027-01-08", 0)  # the start of the decision day in Oslo


def test_ug_2023_falls_away_at_the_30th_birthday(office: Office, travel: Any) -> None:
    youth = office.youth("1997-02-20", on="2027-01-05")
    travel("2027-01-06")
    period = nav_period(office, youth)
    derived(
        services.period_reassign(
            actor=office.advisor, period=period, version=period.version, responsible=None
        )
    )
    office.decide(youth, SIT, on="2027-02-10")  # 29; deadline 24 February
    travel("2027-02-19")
    ledger.sweep()
    assert deadline(youth, "UG-2023").status == "OPEN"
    travel("2027-02-20")  # 30th birthday, before the due day: no longer covered
    ledger.sweep()
    assert deadline(youth, "UG-2023").status == "CANCELLED"


# --- UG-U20 and UI-8W -------------------------------------------------------------------------


def _refer_from_ot(office: Office, youth: Any, on: str) -> Any:
    with time_machine.travel(at(on, 9), tick=False):
        referral = derived(
            services.referral_send(
                actor=office.counsellor,
                youth=youth,
                from_service=office.ot,
                to_service=office.nav,
                reason_code="OT_NO_PLACE",
                message="Trenger arbeidsrettet tilbud",
                categories=[],
            )
        )
    return referral


def test_ug_u20_offer_after_ot_referral_within_local_policy_days(
    office: Office, travel: Any, settings: Any
) -> None:
    settings.DEADLINE_UG_U20_OFFER_DAYS = 21
    ot_youth = _ot_youth(office, "2009-09-09", on="2027-03-01")  # 17
    referral = _refer_from_ot(office, ot_youth, on="2027-03-02")
    travel("2027-03-04")
    derived(
        services.referral_accept(actor=office.advisor, referral=referral, version=referral.version)
    )
    row = deadline(ot_youth, "UG-U20")
    assert (row.due_on, row.status, row.service) == (D("2027-03-25"), "OPEN", office.nav)
    plan = services.activity_plan_create(actor=office.advisor, youth=ot_youth, service=office.nav)
    travel("2027-03-10")
    derived(
        services.activity_add(
            actor=office.advisor, plan=plan, type="EKSTERNAKTIVITET", title="Arbeidstrening"
        )
    )
    assert deadline(ot_youth, "UG-U20").status == "OPEN"  # suggested, not agreed yet
    activity = plan.activities.get()
    derived(
        services.activity_change(
            actor=office.advisor,
            activity=activity,
            version=1,
            values={"agreed": True},
            agreed_note="Avtalt muntlig i møte",
        )
    )
    row.refresh_from_db()
    assert (row.status, row.fulfilled_at) == ("MET", at("2027-03-10"))


def test_ug_u20_not_for_youths_of_20(office: Office, travel: Any) -> None:
    ot_youth = _ot_youth(office, "2007-03-04", on="2027-03-01")
    referral = _refer_from_ot(office, ot_youth, on="2027-03-02")
    travel("2027-03-04")  # 20th birthday
    derived(
        services.referral_accept(actor=office.advisor, referral=referral, version=referral.version)
    )
    assert deadlines(ot_youth, "UG-U20") == []


def _ot_youth(office: Office, birth: str, on: str) -> Any:
    with time_machine.travel(at(on, 9), tick=False):
        return derived(
            factories.register_youth(
                office.counsellor, office.ot, birth_date=D(birth), started_on=D(on)
            )
        )


def test_ui_8w_strengthened_offer_56_days_after_registration(office: Office, travel: Any) -> None:
    youth = office.youth("2000-01-01", on="2027-01-01")
    row = deadline(youth, "UI-8W")
    assert (row.due_on, row.status) == (D("2027-02-26"), "OPEN")
    travel("2027-02-27")
    ledger.sweep()
    assert deadline(youth, "UI-8W").status == "MISSED"


def test_ui_8w_not_for_job_seekers_of_30(office: Office) -> None:
    youth = office.youth("1997-01-01", on="2027-01-01")  # 30th birthday
    assert deadlines(youth, "UI-8W") == []


def test_ui_8w_met_by_an_agreed_measure(office: Office, travel: Any) -> None:
    youth = office.youth("2000-01-01", on="2027-01-01")
    travel("2027-01-20")
    plan = services.activity_plan_create(actor=office.advisor, youth=youth, service=office.nav)
    derived(
        services.activity_add(
            actor=office.advisor,
            plan=plan,
            type="EKSTERNAKTIVITET",
            title="Arbeidsforberedende trening",
            agreed=True,
            agreed_note="Avtalt muntlig i møte",
        )
    )
    assert deadline(youth, "UI-8W").status == "MET"


# --- Activity, referral and consent deadlines -------------------------------------------------


def test_activity_deadline_moves_with_the_frist_and_is_met_when_completed(
    office: Office, travel: Any
) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    plan = services.activity_plan_create(actor=office.advisor, youth=youth, service=office.nav)
    activity = derived(
        services.activity_add(
            actor=office.advisor,
            plan=plan,
            type="EGEN",
            title="Søke på jobber",
            deadline=D("2027-02-01"),
        )
    )
    row = deadline(youth, "ACTIVITY")
    assert (row.due_on, row.category) == (D("2027-02-01"), "WORK_AND_WELFARE")
    before = row.reminders.get(stage="BEFORE", days=-7)
    assert before.send_after == at("2027-01-25", 7)
    activity = derived(
        services.activity_change(
            actor=office.advisor, activity=activity, version=1, values={"deadline": D("2027-02-15")}
        )
    )
    before.refresh_from_db()
    assert before.send_after == at("2027-02-08", 7)
    derived(
        services.activity_change(
            actor=office.advisor, activity=activity, version=2, values={"status": "FULLFORT"}
        )
    )
    row.refresh_from_db()
    assert row.status == "MET"
    assert not row.reminders.filter(status="PENDING").exists()


def test_activity_deadline_falls_away_when_cancelled(office: Office, travel: Any) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    plan = services.activity_plan_create(actor=office.advisor, youth=youth, service=office.nav)
    activity = derived(
        services.activity_add(
            actor=office.advisor, plan=plan, type="EGEN", title="Kurs", deadline=D("2027-02-01")
        )
    )
    derived(
        services.activity_change(
            actor=office.advisor, activity=activity, version=1, values={"status": "AVBRUTT"}
        )
    )
    assert deadline(youth, "ACTIVITY").status == "CANCELLED"


def test_referral_response_deadline_is_the_respond_by_day(office: Office, travel: Any) -> None:
    youth = _ot_youth(office, "2008-08-08", on="2027-03-01")
    referral = _refer_from_ot(office, youth, on="2027-03-22")  # Monday before Easter 2027
    row = deadline(youth, "REFERRAL-RESPONSE")
    # 10 working days, skipping Maundy Thursday, Good Friday and Easter Monday (25, 26, 29 March).
    assert row.due_on == referral.respond_by == D("2027-04-08")
    assert row.staff is None
    assert row.reminders.filter(recipient_key=f"service:{office.nav.pk}").exists()
    travel("2027-04-09")
    ledger.sweep()
    assert deadline(youth, "REFERRAL-RESPONSE").status == "MISSED"
    derived(
        services.referral_decline(
            actor=office.advisor, referral=referral, version=referral.version, reason="Feil kontor"
        )
    )
    row.refresh_from_db()
    assert (row.status, row.closed_at is not None) == ("MISSED", True)  # answered late


def test_referral_response_falls_away_when_withdrawn(office: Office) -> None:
    youth = _ot_youth(office, "2008-08-08", on="2027-03-01")
    referral = _refer_from_ot(office, youth, on="2027-03-02")
    with time_machine.travel(at("2027-03-03"), tick=False):
        derived(
            services.referral_withdraw(
                actor=office.counsellor, referral=referral, version=referral.version
            )
        )
    assert deadline(youth, "REFERRAL-RESPONSE").status == "CANCELLED"


def _consent(office: Office, youth: Any, *, giver: str, **extra: Any) -> Any:
    if giver == "GUARDIANS":
        extra.setdefault("guardians", list(youth.guardians.all()))
        extra.setdefault("child_view", "Vil at NAV og OT snakker sammen.")
    return derived(
        services.consent_give(
            actor=office.advisor,
            youth=youth,
            decision="GIVEN",
            giver=giver,
            purpose_code="SAMARBEID",
            purpose="Samarbeid NAV og OT",
            method="DIGITAL",
            agreed_text="Jeg samtykker.",
            flows=[
                Flow(
                    categories=["WORK_AND_WELFARE"],
                    from_party=office.nav,
                    to_kind="OT",
                    kind_reason="OT i fylket, når ungdommen meldes dit",
                )
            ],
            **extra,
        )
    )


def test_consent_expiry_met_by_a_renewal(office: Office, travel: Any) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    consent = _consent(office, youth, giver="SUBJECT", valid_until=at("2027-06-30", 23, 59))
    row = deadline(youth, "CONSENT-EXPIRY")
    assert (row.due_on, row.staff, row.service) == (D("2027-06-30"), office.advisor, office.nav)
    travel("2027-06-20")
    _consent(office, youth, giver="SUBJECT", replaces=consent)
    assert deadline(youth, "CONSENT-EXPIRY").status == "MET"


def test_consent_expiry_falls_away_when_withdrawn(office: Office, travel: Any) -> None:
    youth = office.youth("2003-01-01", on="2027-01-04")
    travel("2027-01-05")
    consent = _consent(office, youth, giver="SUBJECT", valid_until=at("2027-06-30", 23, 59))
    derived(services.consent_withdraw(actor=office.advisor, consent=consent, method="DIGITAL"))
    assert deadline(youth, "CONSENT-EXPIRY").status == "CANCELLED"


def test_reconsent_30_days_before_the_sharing_age_for_a_guardian_consent_leap_day_birthday(
    office: Office, travel: Any
) -> None:
    """Sharing age 15 (the default): a 29 February child turns 15 on 1 March 2027 (no 29
    February that year); the youth is asked 30 days before (CONSENT_RECONSENT_DAYS_BEFORE)."""
    youth = office.youth("2012-02-29", on="2026-01-04")  # 13
    services.guardian_add(
        actor=office.advisor,
        youth=youth,
        full_name="Per Hansen",
        relation="PARENT",
        has_parental_responsibility=True,
    )
    travel("2026-01-05")
    consent = _consent(office, youth, giver="GUARDIANS")
    row = deadline(youth, "RECONSENT-18")
    assert row.due_on == D("2027-01-30")  # 30 days before 1 March 2027
    travel("2027-01-20")
    _consent(office, youth, giver="SUBJECT", replaces=consent, valid_from=at("2027-03-01", 0, 0))
    assert deadline(youth, "RECONSENT-18").status == "MET"


# --- The ledger itself ------------------------------------------------------------------------


def test_a_disabled_rule_derives_nothing_and_cancels_open_rows(office: Office) -> None:
    youth = office.youth("2000-01-01", on="2027-01-01")
    assert deadline(youth, "UI-8W").status == "OPEN"
    DeadlineRule.objects.filter(code="UI-8W").update(enabled=False)
    sync_youth(youth.pk, now=at("2027-01-02"))
    assert deadline(youth, "UI-8W").status == "CANCELLED"


def test_the_sweep_repairs_a_lost_row_and_a_second_sync_changes_nothing(office: Office) -> None:
    youth = office.youth("2000-01-01", on="2027-01-01")
    Deadline.objects.filter(youth=youth).delete()
    assert ledger.sweep(now=at("2027-01-02"))["created"] == 1
    again = sync_youth(youth.pk, now=at("2027-01-02"))
    assert (again.created, again.updated, again.closed) == (0, 0, 0)


def test_the_decision_day_is_the_day_in_oslo(office: Office) -> None:
    """00:30 on 1 February in Oslo is still 31 January in UTC: the local day counts."""
    youth = office.youth("2005-05-05", on="2027-01-05")
    with time_machine.travel(at("2027-02-01", 0, 30), tick=False):
        services.activity_plan_create(actor=office.advisor, youth=youth, service=office.nav)
    office.decide(youth, SIT, on="2027-01-31")
    plan = nav_period(office, youth).activity_plan
    with time_machine.travel(at("2027-02-28", 23, 30), tick=False):
        derived(
            services.activity_plan_approve(actor=office.advisor, plan=plan, version=plan.version)
        )
    # 23:30 on 28 February in Oslo is the due day (22:30 UTC): met.
    assert deadline(youth, "UG-PLAN-1M").status == "MET"
