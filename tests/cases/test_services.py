"""Registry services: registration, periods, optimistic concurrency and atomicity."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services
from cases.models import FollowUpPeriod, Youth, national_id_matches
from core.errors import ApplicationError, ConflictError
from core.models import AuditEntry
from tests import factories


def test_registering_a_known_youth_follows_the_same_record(people: Any) -> None:
    youth, period, created = services.youth_register(
        actor=people.school_counsellor,
        service=people.school,
        national_id=people.youth.national_id,
        first_name="EMMA",
        last_name="hansen",
        municipality_number="4001",
        reason="Fare for å avbryte opplæringen",
    )
    assert not created
    assert youth.pk == people.youth.pk
    # Not overwritten by the second registration (whose names match, written otherwise).
    assert (youth.first_name, youth.municipality_number) == ("Emma", "4003")
    assert period.service == people.school
    assert Youth.objects.count() == 1


def test_registration_derives_the_birth_date_from_the_number(people: Any) -> None:
    birth = factories.years_ago(17)
    youth = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=birth, national_id=None
    )
    assert youth.birth_date == birth
    assert youth.national_id_kind == "SYNTETISK"


def test_registration_refuses_a_birth_date_that_contradicts_the_number(people: Any) -> None:
    number = factories.synthetic_number(datetime.date(2007, 5, 17))
    with pytest.raises(ValidationError) as excinfo:
        services.youth_register(
            actor=people.nav_advisor,
            service=people.nav,
            national_id=number,
            birth_date=datetime.date(2007, 5, 18),
            first_name="Ali",
            last_name="Ahmed",
            municipality_number="4003",
            reason="Arbeidssøker",
        )
    assert "birth_date" in excinfo.value.message_dict
    assert not Youth.objects.filter(national_id_matches(number)).exists()


def test_a_2032_rule_number_needs_the_birth_date(people: Any) -> None:
    kwargs = dict(
        actor=people.nav_advisor,
        service=people.nav,
        national_id="30100599976",
        first_name="Ny",
        last_name="Regel",
        municipality_number="4003",
        reason="Arbeidssøker",
    )
    with pytest.raises(ValidationError):
        services.youth_register(**kwargs)  # type: ignore[arg-type]
    youth, _period, created = services.youth_register(
        **kwargs,  # type: ignore[arg-type]
        birth_date=datetime.date(2005, 10, 30),
    )
    assert created and youth.birth_date == datetime.date(2005, 10, 30)


def test_only_staff_of_the_service_may_register_with_it(people: Any) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        factories.register_youth(people.outsider, people.nav, birth_date=factories.years_ago(20))
    assert excinfo.value.code == "not_member_of_service"


def test_registration_is_all_or_nothing(people: Any) -> None:
    """A youth whose period cannot be opened is not left behind half-registered."""
    number = factories.synthetic_number(factories.years_ago(18))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        factories.register_youth(
            people.nav_advisor, people.nav, national_id=number, started_on=tomorrow
        )
    assert not Youth.objects.filter(national_id_matches(number)).exists()
    assert not AuditEntry.objects.filter(action="youth.registered", data__isnull=True).exists()


def test_one_open_period_per_service_and_youth(people: Any) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        factories.follow(people.manager, people.nav, people.youth)
    assert excinfo.value.code == "already_followed"


def test_a_stale_version_is_refused_with_the_current_one(people: Any) -> None:
    youth = people.youth
    services.youth_update(actor=people.nav_advisor, youth=youth, version=1, phone="41234567")
    with pytest.raises(ConflictError) as excinfo:
        services.youth_update(actor=people.ot_counsellor, youth=youth, version=1, phone="99999999")
    assert excinfo.value.current_version == 2
    youth.refresh_from_db()
    assert youth.phone == "41234567"


def test_youth_update_validates_and_audits(people: Any) -> None:
    with pytest.raises(ValidationError):
        services.youth_update(
            actor=people.nav_advisor, youth=people.youth, version=1, email="ikke-en-adresse"
        )
    updated = services.youth_update(
        actor=people.nav_advisor, youth=people.youth, version=1, email="emma@example.no"
    )
    assert updated.version == 2
    entry = AuditEntry.objects.filter(action="youth.updated").get()
    assert entry.subject_id == people.youth.pk
    assert entry.data["fields"] == ["email"]


def test_closing_a_period_freezes_it(people: Any) -> None:
    period = FollowUpPeriod.objects.get(youth=people.youth, service=people.ot)
    closed = services.period_close(
        actor=people.ot_counsellor, period=period, version=1, end_reason="I arbeid"
    )
    assert closed.ended_on == timezone.localdate()
    assert closed.closed_by == people.ot_counsellor
    with pytest.raises(ApplicationError) as excinfo:
        services.period_reassign(
            actor=people.ot_counsellor, period=closed, version=2, responsible=people.coordinator
        )
    assert excinfo.value.code == "period_closed"
    # The service can start a new period later.
    again = factories.follow(people.ot_counsellor, people.ot, people.youth)
    assert again.is_open


def test_a_period_cannot_end_before_it_started(people: Any) -> None:
    period = FollowUpPeriod.objects.get(youth=people.youth, service=people.ot)
    with pytest.raises(ValidationError):
        services.period_close(
            actor=people.ot_counsellor,
            period=period,
            version=1,
            end_reason="Feil",
            ended_on=period.started_on - datetime.timedelta(days=1),
        )
    period.refresh_from_db()
    assert period.is_open and period.version == 1


def test_the_responsible_must_work_in_the_service(people: Any) -> None:
    period = FollowUpPeriod.objects.get(youth=people.youth, service=people.ot)
    with pytest.raises(ApplicationError) as excinfo:
        services.period_reassign(
            actor=people.ot_counsellor, period=period, version=1, responsible=people.nav_advisor
        )
    assert excinfo.value.code == "responsible_not_in_service"
    moved = services.period_reassign(
        actor=people.ot_counsellor, period=period, version=1, responsible=people.coordinator
    )
    assert moved.responsible == people.coordinator
    assert AuditEntry.objects.filter(action="period.reassigned").get().data == {
        "from": "ola.ot",
        "to": "eva.koord",
    }


def test_ending_a_membership_removes_reach_from_the_next_viewer(people: Any) -> None:
    """A viewer holds the memberships it was made with (one request); the next one made after
    the membership ended reaches nothing through it."""
    from cases import access

    before = access.viewer_for(people.ot_counsellor)
    assert access.reachable_youths(before).filter(pk=people.youth.pk).exists()
    membership = people.ot_counsellor.memberships.get()
    services.membership_end(actor=people.manager, membership=membership)
    assert not access.reachable_youths(access.viewer_for(people.ot_counsellor)).exists()
    assert access.reachable_youths(before).filter(pk=people.youth.pk).exists()


def test_a_viewer_reaches_through_caseload_roles_in_active_services_only(people: Any) -> None:
    """The viewer's reach is the services where it holds a caseload role, the service active
    and the membership not ended; its periods are those services' open periods."""
    from cases import access
    from cases.models import FollowUpPeriod, Service, StaffRole

    def reached(user: Any) -> tuple[tuple[Any, ...], set[Any]]:
        viewer = access.viewer_for(user)
        periods = set(access.reaching_periods(viewer).values_list("pk", flat=True))
        return viewer.reach, periods

    ot_period = FollowUpPeriod.objects.get(youth=people.youth, service=people.ot)
    assert reached(people.ot_counsellor) == ((people.ot.pk,), {ot_period.pk})
    services.membership_add(
        actor=None, user=people.outsider, service=people.ot, role=StaffRole.PRIVACY_OFFICER
    )
    assert reached(people.outsider) == ((people.elsewhere.pk,), set())  # not through OT
    Service.objects.filter(pk=people.ot.pk).update(is_active=False)
    assert reached(people.ot_counsellor) == ((), set())
    Service.objects.filter(pk=people.ot.pk).update(is_active=True)
    services.membership_end(actor=people.manager, membership=people.ot_counsellor.memberships.get())
    assert reached(people.ot_counsellor) == ((), set())
