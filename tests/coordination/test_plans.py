"""Individual plans and stafettlogg plans: the rules of domain.md §6, through the services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from cases import services as case_services
from cases.access import viewer_for
from cases.models import FactChange, StaffRole
from consent.categories import Category
from consent.models import Consent, Method
from consent.services import Flow
from coordination.deadlines import ledger
from coordination.models import (
    Deadline,
    DeadlineStatus,
    MeasureStatus,
    Plan,
    PlanKind,
    PlanStatus,
    PlanUserObjectPermission,
    Reminder,
)
from coordination.plans import grants, selectors
from coordination.plans import services as plan_services
from core.errors import ApplicationError
from core.models import AuditEntry
from tests import factories
from tests.coordination.plan_helpers import activate, make_plan, plan_consent


def _goal_and_measure(people: Any, plan: Plan, **measure: Any) -> tuple[Any, Any]:
    goal = plan_services.goal_add(actor=people.coordinator, plan=plan, title="Fullføre vg2")
    values = {
        "title": "Samtaler om søvn",
        "service": people.health,
        "responsible": people.health_nurse,
        "category": Category.HEALTH,
        **measure,
    }
    measure = plan_services.measure_add(actor=people.coordinator, plan=plan, goal=goal, **values)
    return goal, factories.derived(measure)


# --- One plan, with consent ------------------------------------------------------------------


def test_it_records_the_plan_consent_between_the_participating_services(people: Any) -> None:
    plan = make_plan(people)
    consent = Consent.objects.get(pk=plan.consent_id)
    flows = {(s.from_party_id, s.to_party_id, s.category) for s in consent.scopes.all()}
    # Only the holder opens its records: the coordinator (OT) shares OT's with the others; NAV
    # and health share theirs by consents they record themselves.
    expected = {
        (people.ot.pk, b, c)
        for b in (people.nav.pk, people.health.pk)
        for c in (Category.GENERAL, Category.WORK_AND_WELFARE)
    }
    assert flows == expected
    assert consent.purpose_code == plan_services.PLAN_PURPOSE_CODE
    assert plan.status == PlanStatus.DRAFT
    assert plan.coordinator == people.coordinator
    assert [p.service for p in plan.participants.order_by("joined_at")] == [
        people.ot,
        people.nav,
        people.health,
    ]


def test_it_refuses_an_individual_plan_without_consent(people: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        plan_services.plan_create(
            actor=people.coordinator,
            youth=people.youth,
            kind=PlanKind.INDIVIDUAL,
            service=people.ot,
        )
    assert refused.value.code == "consent_required"
    assert not Plan.objects.exists()


def test_the_database_refuses_an_individual_plan_without_consent(people: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(
            youth=people.youth,
            kind=PlanKind.INDIVIDUAL,
            service=people.ot,
            created_by=people.coordinator,
        )


def test_a_youth_has_one_open_plan_at_a_time(people: Any) -> None:
    plan = make_plan(people)
    with pytest.raises(ApplicationError) as refused:
        make_plan(people, with_health=False)
    assert refused.value.code == "plan_exists"
    # The database says the same when the service check is bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(
            youth=people.youth,
            kind=PlanKind.STAFETTLOGG,
            service=people.ot,
            created_by=people.coordinator,
        )
    plan_services.plan_close(
        actor=people.coordinator, plan=plan, version=plan.version, reason="GOALS_REACHED"
    )
    assert make_plan(people, with_health=False).status == PlanStatus.DRAFT


def test_a_participating_service_must_follow_the_youth(people: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        plan_services.plan_create(
            actor=people.coordinator,
            youth=people.youth,
            kind=PlanKind.INDIVIDUAL,
            service=people.ot,
            consent=plan_consent(),
            participants=[plan_services.NewParticipant(service=people.school)],
        )
    assert refused.value.code == "service_not_following"
    assert "participants[0].service" in refused.value.fields


def test_a_closed_plan_is_read_only(people: Any) -> None:
    plan = make_plan(people)
    plan = plan_services.plan_close(
        actor=people.coordinator, plan=plan, version=plan.version, reason="NOT_NEEDED"
    )
    with pytest.raises(ApplicationError) as refused:
        plan_services.plan_update(
            actor=people.coordinator, plan=plan, version=plan.version, values={"needs": "x"}
        )
    assert refused.value.code == "plan_closed"
    with pytest.raises(ApplicationError):
        plan_services.goal_add(actor=people.coordinator, plan=plan, title="Nytt mål")


def test_only_the_coordinator_edits_the_plan(people: Any) -> None:
    plan = make_plan(people)
    with pytest.raises(ApplicationError) as refused:
        plan_services.plan_update(
            actor=people.nav_advisor, plan=plan, version=plan.version, values={"needs": "x"}
        )
    assert refused.value.code == "not_coordinator"


# --- Who sees what ---------------------------------------------------------------------------


def test_participants_see_only_what_the_consent_covers(people: Any) -> None:
    plan = make_plan(people)
    _goal, health_measure = _goal_and_measure(people, plan)
    work_goal = plan_services.goal_add(
        actor=people.coordinator,
        plan=plan,
        title="Arbeidstrening",
        category=Category.WORK_AND_WELFARE,
    )
    # NAV takes part, and the consent shares work and welfare but not health with it.
    nav_plan = selectors.plan_for_user(viewer=viewer_for(people.nav_advisor), plan_id=plan.pk)
    nav_view = selectors.plan_view(viewer=viewer_for(people.nav_advisor), plan=nav_plan)
    assert work_goal in nav_view.goals
    assert health_measure not in nav_view.measures
    # The health service sees its own measure.
    health_view = selectors.plan_view(viewer=viewer_for(people.health_nurse), plan=plan)
    assert health_measure in health_view.measures


def test_health_shows_when_health_shares_it_by_consent(people: Any) -> None:
    plan = make_plan(people, categories=(Category.WORK_AND_WELFARE, Category.HEALTH))
    _goal, health_measure = _goal_and_measure(people, plan)
    nav = viewer_for(people.nav_advisor)
    assert health_measure not in selectors.plan_view(viewer=nav, plan=plan).measures
    factories.give_consent(
        people,
        Flow(categories=[Category.HEALTH], from_party=people.health, to_party=people.nav),
    )
    assert health_measure in selectors.plan_view(viewer=nav, plan=plan).measures


def test_a_following_service_that_does_not_take_part_does_not_see_the_plan(people: Any) -> None:
    plan = make_plan(people)
    factories.follow(people.school_counsellor, people.school, people.youth)
    with pytest.raises(Http404):
        selectors.plan_for_user(viewer=viewer_for(people.school_counsellor), plan_id=plan.pk)
    with pytest.raises(Http404):
        selectors.plan_for_user(viewer=viewer_for(people.outsider), plan_id=plan.pk)


def test_withdrawing_the_plan_consent_hides_the_plan_from_the_other_services(people: Any) -> None:
    plan = make_plan(people)
    assert selectors.plans_for(viewer_for(people.nav_advisor)).filter(pk=plan.pk).exists()
    case_services.consent_withdraw(
        actor=people.coordinator, consent=plan.consent, method=Method.DIGITAL
    )
    assert not selectors.plans_for(viewer_for(people.nav_advisor)).filter(pk=plan.pk).exists()
    # The coordinating service keeps its own record.
    assert selectors.plans_for(viewer_for(people.coordinator)).filter(pk=plan.pk).exists()


def test_a_service_that_leaves_the_plan_stops_seeing_it(people: Any) -> None:
    plan = make_plan(people)
    nav = plan.participants.get(service=people.nav)
    plan_services.participant_remove(actor=people.coordinator, participant=nav, version=nav.version)
    assert not selectors.plans_for(viewer_for(people.nav_advisor)).filter(pk=plan.pk).exists()


def test_a_new_service_needs_a_new_consent(people: Any) -> None:
    plan = make_plan(people, with_health=False)
    factories.follow(people.school_counsellor, people.school, people.youth)
    part = plan_services.NewParticipant(service=people.school)
    with pytest.raises(ApplicationError) as refused:
        plan_services.participant_add(actor=people.coordinator, plan=plan, part=part)
    assert refused.value.code == "consent_required"
    old_consent = plan.consent
    plan_services.participant_add(
        actor=people.coordinator, plan=plan, part=part, consent=plan_consent()
    )
    plan.refresh_from_db()
    old_consent.refresh_from_db()
    assert plan.consent_id != old_consent.pk
    assert old_consent.withdrawn_at is not None
    assert selectors.plans_for(viewer_for(people.school_counsellor)).filter(pk=plan.pk).exists()


# --- Extra rights (django-guardian) ----------------------------------------------------------


def test_a_granted_right_lets_a_participant_add_measures(people: Any) -> None:
    plan = make_plan(people)
    goal = plan_services.goal_add(actor=people.coordinator, plan=plan, title="Jobb")
    with pytest.raises(ApplicationError) as refused:
        plan_services.measure_add(
            actor=people.nav_advisor, plan=plan, goal=goal, title="Praksis", service=people.nav
        )
    assert refused.value.code == "no_plan_right"
    plan_services.grant_permission(
        actor=people.coordinator, plan=plan, user=people.nav_advisor, codename=grants.EDIT_MEASURES
    )
    assert grants.has_grant(people.nav_advisor, plan, grants.EDIT_MEASURES)
    measure = plan_services.measure_add(
        actor=people.nav_advisor, plan=plan, goal=goal, title="Praksis", service=people.nav
    )
    assert measure.service == people.nav
    assert AuditEntry.objects.filter(action="plan.permission_granted").count() == 1
    # Goals are another right.
    with pytest.raises(ApplicationError):
        plan_services.goal_add(actor=people.nav_advisor, plan=plan, title="Eget mål")


def test_grants_disappear_when_the_participant_leaves(people: Any) -> None:
    plan = make_plan(people)
    plan_services.grant_permission(
        actor=people.coordinator, plan=plan, user=people.nav_advisor, codename=grants.EDIT_GOALS
    )
    nav = plan.participants.get(service=people.nav)
    plan_services.participant_remove(actor=people.coordinator, participant=nav, version=nav.version)
    assert not PlanUserObjectPermission.objects.filter(user=people.nav_advisor).exists()
    removed = AuditEntry.objects.get(action="plan.permission_removed")
    assert removed.data["reason"] == "participant_left"


def test_grants_disappear_when_the_consent_is_withdrawn(people: Any) -> None:
    plan = make_plan(people)
    plan_services.grant_permission(
        actor=people.coordinator, plan=plan, user=people.nav_advisor, codename=grants.EDIT_GOALS
    )
    case_services.consent_withdraw(
        actor=people.coordinator, consent=plan.consent, method=Method.ORAL
    )
    ledger.derive_changed()  # as the request that withdrew it does before it answers
    assert not grants.has_grant(people.nav_advisor, plan, grants.EDIT_GOALS)


def test_grants_only_go_to_staff_the_plan_is_shared_with(people: Any) -> None:
    plan = make_plan(people)
    with pytest.raises(ApplicationError) as refused:
        plan_services.grant_permission(
            actor=people.coordinator, plan=plan, user=people.outsider, codename=grants.EDIT_GOALS
        )
    assert refused.value.code == "not_participant"
    with pytest.raises(ApplicationError):
        plan_services.grant_permission(
            actor=people.nav_advisor, plan=plan, user=people.nav_advisor, codename=grants.EDIT_GOALS
        )


def test_the_responsible_person_may_move_a_measure_status(people: Any) -> None:
    plan = make_plan(people)
    _goal, measure = _goal_and_measure(people, plan)
    changed = plan_services.measure_change(
        actor=people.health_nurse,
        measure=measure,
        version=measure.version,
        values={"status": MeasureStatus.ONGOING},
    )
    assert changed.status == MeasureStatus.ONGOING
    with pytest.raises(ApplicationError):
        plan_services.measure_change(
            actor=people.health_nurse,
            measure=changed,
            version=changed.version,
            values={"title": "Noe annet"},
        )


# --- Coordinator handover --------------------------------------------------------------------


def test_a_new_coordinator_takes_over_only_after_accepting(people: Any) -> None:
    plan = make_plan(people)
    handover = plan_services.coordinator_offer(
        actor=people.coordinator, plan=plan, to_user=people.nav_advisor, to_service=people.nav
    )
    plan.refresh_from_db()
    assert plan.coordinator == people.coordinator  # the old one stays responsible
    with pytest.raises(ApplicationError) as refused:
        plan_services.coordinator_accept(actor=people.health_nurse, plan=plan)
    assert refused.value.code in ("not_member_of_service", "not_receiver")
    plan_services.coordinator_accept(actor=people.nav_advisor, plan=plan)
    plan.refresh_from_db()
    handover.refresh_from_db()
    assert (plan.coordinator, plan.service) == (people.nav_advisor, people.nav)
    assert handover.state == "ACCEPTED"
    terms = list(plan.coordinator_terms.order_by("since"))
    assert [t.user for t in terms] == [people.coordinator, people.nav_advisor]
    assert terms[0].until is not None and terms[1].until is None


def test_a_declined_offer_leaves_the_coordinator(people: Any) -> None:
    plan = make_plan(people)
    plan_services.coordinator_offer(
        actor=people.coordinator, plan=plan, to_user=people.nav_advisor, to_service=people.nav
    )
    plan_services.coordinator_decline(actor=people.nav_advisor, plan=plan, reason="Full kapasitet")
    plan.refresh_from_db()
    assert plan.coordinator == people.coordinator
    assert plan_services.pending_coordinator_handover(plan) is None


def test_the_coordinator_must_work_in_a_participating_service(people: Any) -> None:
    plan = make_plan(people, with_health=False)
    factories.follow(people.school_counsellor, people.school, people.youth)
    with pytest.raises(ApplicationError) as refused:
        plan_services.coordinator_offer(
            actor=people.coordinator,
            plan=plan,
            to_user=people.school_counsellor,
            to_service=people.school,
        )
    assert refused.value.code == "service_not_participating"


# --- Reviews and deadlines -------------------------------------------------------------------


def test_a_review_meets_the_due_review_and_creates_the_next(people: Any) -> None:
    plan = activate(people, make_plan(people), review_in_days=0)
    first = Deadline.objects.get(rule_id="IP-REVIEW")
    assert (first.subject_id, first.due_on, first.staff) == (
        plan.pk,
        datetime.date.today(),
        people.coordinator,
    )
    next_day = datetime.date.today() + datetime.timedelta(days=90)
    review = plan_services.review_record(
        actor=people.coordinator,
        plan=plan,
        version=plan.version,
        held_on=datetime.date.today(),
        next_review_on=next_day,
        youth_view="Det går bedre på skolen.",
    )
    factories.derived()
    first.refresh_from_db()
    assert first.status == DeadlineStatus.MET
    second = Deadline.objects.get(rule_id="IP-REVIEW", subject_id=review.pk)
    assert (second.due_on, second.status) == (next_day, DeadlineStatus.OPEN)
    plan.refresh_from_db()
    assert plan.next_review_on == next_day
    assert Reminder.objects.filter(deadline=second, user=people.coordinator).exists()


def test_a_review_needs_a_later_next_date(people: Any) -> None:
    plan = activate(people, make_plan(people))
    with pytest.raises(ApplicationError) as refused:
        plan_services.review_record(
            actor=people.coordinator,
            plan=plan,
            version=plan.version,
            held_on=datetime.date.today(),
            next_review_on=datetime.date.today(),
        )
    assert refused.value.fields == {"next_review_on": refused.value.message}


def test_a_plan_needs_a_review_date_to_go_active(people: Any) -> None:
    plan = make_plan(people)
    with pytest.raises(ApplicationError) as refused:
        plan_services.plan_activate(actor=people.coordinator, plan=plan, version=plan.version)
    assert "next_review_on" in refused.value.fields


def test_a_measure_end_date_reminds_the_responsible_person(people: Any) -> None:
    plan = activate(people, make_plan(people))
    ends = datetime.date.today() + datetime.timedelta(days=14)
    _goal, measure = _goal_and_measure(people, plan, ends_on=ends)
    deadline = Deadline.objects.get(rule_id="IP-MEASURE", subject_id=measure.pk)
    assert (deadline.staff, deadline.service, deadline.category) == (
        people.health_nurse,
        people.health,
        Category.HEALTH,
    )
    plan_services.measure_change(
        actor=people.health_nurse,
        measure=measure,
        version=measure.version,
        values={"status": MeasureStatus.DONE},
    )
    factories.derived()
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET


def test_closing_the_plan_cancels_its_open_deadlines(people: Any) -> None:
    plan = activate(people, make_plan(people))
    plan_services.plan_close(
        actor=people.coordinator, plan=plan, version=plan.version, reason="MOVED"
    )
    # The write records the change and derives nothing itself: the ledger derives the youth
    # once, where the request ends (here, by hand).
    assert Deadline.objects.get(rule_id="IP-REVIEW").status == DeadlineStatus.OPEN
    facts = FactChange.objects.filter(youth=people.youth).values_list("fact", flat=True)
    assert set(facts) == {"plan.changed"}
    factories.derived()
    deadline = Deadline.objects.get(rule_id="IP-REVIEW")
    assert deadline.status == DeadlineStatus.CANCELLED
    assert not FactChange.objects.exists()


def test_a_plan_without_coordinator_is_flagged_to_the_managers(people: Any) -> None:

    ot_manager = factories.make_staff(people.ot, StaffRole.MANAGER, username="leder.ot")
    plan = activate(people, make_plan(people, with_health=False))
    membership = people.coordinator.memberships.get(service=people.ot)
    case_services.membership_end(actor=ot_manager, membership=membership)
    factories.sync_youth(people.youth.pk)
    flags = Deadline.objects.filter(rule_id="IP-COORDINATOR")
    assert {d.service for d in flags} == {people.ot, people.nav}
    assert all(d.to_managers for d in flags)
    recipients = set(Reminder.objects.filter(deadline__in=flags).values_list("user", flat=True))
    assert recipients == {ot_manager.pk, people.manager.pk}
    # The NAV manager names a new coordinator; once accepted the flag is gone.
    plan_services.coordinator_offer(
        actor=people.manager, plan=plan, to_user=people.nav_advisor, to_service=people.nav
    )
    factories.derived(plan_services.coordinator_accept(actor=people.nav_advisor, plan=plan))
    assert not Deadline.objects.filter(rule_id="IP-COORDINATOR", closed_at__isnull=True).exists()


# --- History ---------------------------------------------------------------------------------


def test_the_plan_shows_its_state_at_a_past_date(people: Any, travel: Any) -> None:
    travel("2026-03-02", 9)
    plan = make_plan(people, my_life_so_far="Slutta på skolen i fjor.")
    travel("2026-03-10", 9)
    goal = plan_services.goal_add(actor=people.coordinator, plan=plan, title="Fullføre vg2")
    travel("2026-04-01", 9)
    plan = plan_services.plan_update(
        actor=people.coordinator,
        plan=plan,
        version=plan.version,
        values={"my_life_so_far": "Har begynt på vg2 igjen."},
    )
    plan_services.goal_remove(actor=people.coordinator, goal=goal, version=goal.version)
    from tests.coordination.conftest import at

    march, _rows = selectors.plan_state_at(
        viewer=viewer_for(people.nav_advisor), plan=plan, moment=at("2026-03-15")
    )
    assert march is not None
    assert march["my_life_so_far"] == "Slutta på skolen i fjor."
    assert [g["title"] for g in march["goals"]] == ["Fullføre vg2"]
    now, _rows = selectors.plan_state_at(
        viewer=viewer_for(people.nav_advisor), plan=plan, moment=at("2026-04-02")
    )
    assert now is not None
    assert now["my_life_so_far"] == "Har begynt på vg2 igjen."
    assert now["goals"] == []
    before, _rows = selectors.plan_state_at(
        viewer=viewer_for(people.nav_advisor), plan=plan, moment=at("2026-03-01")
    )
    assert before is None
    changes = [
        v.changes for v in selectors.history(viewer=viewer_for(people.coordinator), plan=plan)
    ]
    assert {"my_life_so_far": ["Slutta på skolen i fjor.", "Har begynt på vg2 igjen."]} in changes


def test_history_hides_what_the_viewer_may_not_see(people: Any) -> None:
    plan = make_plan(people)
    _goal, measure = _goal_and_measure(people, plan)
    nav_history = selectors.history(viewer=viewer_for(people.nav_advisor), plan=plan)
    assert not nav_history.filter(object_id=measure.pk).exists()
    assert (
        selectors.history(viewer=viewer_for(people.health_nurse), plan=plan)
        .filter(object_id=measure.pk)
        .exists()
    )


# --- Stafettlogg and child coordinator -------------------------------------------------------


def test_a_stafettlogg_becomes_an_individual_plan_keeping_its_history(people: Any) -> None:
    plan = make_plan(people, kind=PlanKind.STAFETTLOGG, with_health=False, bti_level=2)
    plan_services.goal_add(actor=people.coordinator, plan=plan, title="Møte opp på skolen")
    versions_before = plan.versions.count()
    converted = plan_services.plan_convert(
        actor=people.coordinator, plan=plan, version=plan.version, consent=plan_consent()
    )
    assert converted.pk == plan.pk
    assert (converted.kind, converted.bti_level) == (PlanKind.INDIVIDUAL, None)
    assert converted.consent is not None and converted.converted_at is not None
    assert converted.versions.count() == versions_before + 1
    assert converted.goals.count() == 1


def test_a_child_coordinator_is_for_children_under_18(people: Any) -> None:
    factories.follow(people.health_nurse, people.health, people.youth)
    with pytest.raises(ApplicationError) as refused:
        plan_services.child_coordinator_record(
            actor=people.health_nurse,
            youth=people.youth,  # 19 years old
            service=people.health,
            decided_on=datetime.date.today(),
            serious_condition=True,
            needs_complex_services=True,
            reasons="Alvorlig sykdom",
        )
    assert refused.value.code == "too_old"


def test_the_child_coordinator_coordinates_the_plan(people: Any) -> None:
    child = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(15)
    )
    factories.follow(people.health_nurse, people.health, child)
    factories.follow(people.ot_counsellor, people.ot, child)
    refused = plan_services.child_coordinator_record(
        actor=people.health_nurse,
        youth=child,
        service=people.health,
        decided_on=datetime.date.today(),
        serious_condition=True,
        needs_complex_services=False,
        reasons="Ikke behov for sammensatte tjenester",
    )
    assert refused.right_granted is False
    record = plan_services.child_coordinator_record(
        actor=people.health_nurse,
        youth=child,
        service=people.health,
        decided_on=datetime.date.today(),
        serious_condition=True,
        needs_complex_services=True,
        reasons="Alvorlig sykdom, mange tjenester",
        coordinator=people.health_nurse,
    )
    assert record.right_granted and record.coordinator == people.health_nurse
    # A plan for the child is coordinated by the child coordinator, no one else.
    with pytest.raises(ApplicationError) as other:
        plan_services.plan_create(
            actor=people.coordinator,
            youth=child,
            kind=PlanKind.STAFETTLOGG,
            service=people.ot,
        )
    assert other.value.code == "child_coordinator_coordinates"
    plan = plan_services.plan_create(
        actor=people.health_nurse, youth=child, kind=PlanKind.STAFETTLOGG, service=people.health
    )
    assert plan.coordinator == people.health_nurse


def test_appointing_a_child_coordinator_offers_them_the_plan(people: Any) -> None:
    child = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(14)
    )
    factories.follow(people.health_nurse, people.health, child)
    factories.follow(people.ot_counsellor, people.ot, child)
    plan = plan_services.plan_create(
        actor=people.coordinator,
        youth=child,
        kind=PlanKind.STAFETTLOGG,
        service=people.ot,
        participants=[plan_services.NewParticipant(service=people.health)],
    )
    plan_services.child_coordinator_record(
        actor=people.health_nurse,
        youth=child,
        service=people.health,
        decided_on=datetime.date.today(),
        serious_condition=True,
        needs_complex_services=True,
        reasons="Alvorlig skade",
        coordinator=people.health_nurse,
    )
    handover = plan_services.pending_coordinator_handover(plan)
    assert handover is not None and handover.to_user == people.health_nurse
    plan_services.coordinator_accept(actor=people.health_nurse, plan=plan)
    plan.refresh_from_db()
    assert plan.coordinator == people.health_nurse


# --- The dashboard ---------------------------------------------------------------------------


def test_the_dashboard_lists_my_plans_overdue_measures_and_expiring_consent(
    people: Any, travel: Any
) -> None:
    travel("2026-05-04", 9)
    plan = activate(people, make_plan(people), review_in_days=20)
    _goal, measure = _goal_and_measure(
        people, plan, ends_on=datetime.date(2026, 5, 10), category=Category.GENERAL
    )
    travel("2026-05-20", 9)
    board = selectors.dashboard(viewer=viewer_for(people.coordinator))
    assert board.plans == [plan]
    assert board.overdue_measures == [measure]
    assert board.consent_expiring == []
    # A consent ending within the warning period shows.
    plan.consent.valid_until = plan.consent.valid_from + datetime.timedelta(days=40)
    plan.consent.save(update_fields=["valid_until"])
    assert selectors.dashboard(viewer=viewer_for(people.coordinator)).consent_expiring == [plan]
    assert selectors.dashboard(viewer=viewer_for(people.nav_advisor)).plans == []


def test_a_removed_part_cannot_be_removed_or_changed_again(people: Any) -> None:
    plan = make_plan(people)
    _goal, measure = _goal_and_measure(people, plan)
    removed = plan_services.measure_remove(
        actor=people.coordinator, measure=measure, version=measure.version
    )
    for attempt in (
        lambda: plan_services.measure_remove(
            actor=people.coordinator, measure=removed, version=removed.version
        ),
        lambda: plan_services.measure_change(
            actor=people.coordinator,
            measure=removed,
            version=removed.version,
            values={"title": "Igjen"},
        ),
    ):
        with pytest.raises(ApplicationError) as refused:
            attempt()
        assert refused.value.code == "removed"
