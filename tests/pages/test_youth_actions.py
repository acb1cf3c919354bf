"""The youth page offers only the actions the viewer's service may take: the same rule
functions the services enforce decide which buttons show, so no button leads to a refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cases import services
from consent.categories import Category
from consent.models import Giver, Method
from consent.services import Flow
from core.errors import ApplicationError
from tests.factories import derived

pytestmark = pytest.mark.django_db


def _page(user: Any, youth: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/youths/{youth.pk}/")
    assert response.status_code == 200
    return str(response.content.decode())


def test_only_a_nav_office_following_the_youth_is_offered_to_start_an_activity_plan(
    people: Any,
) -> None:
    assert "Opprett aktivitetsplan" in _page(people.nav_advisor, people.youth)
    assert "Opprett aktivitetsplan" not in _page(people.ot_counsellor, people.youth)
    # The service refuses OT by the same rule the page asked.
    with pytest.raises(ApplicationError):
        services.activity_plan_create(
            actor=people.ot_counsellor, youth=people.youth, service=people.ot
        )


def test_only_nav_advisors_are_offered_to_approve_the_activity_plan(
    people: Any,
) -> None:
    plan = derived(
        services.activity_plan_create(
            actor=people.nav_advisor, youth=people.youth, service=people.nav
        )
    )
    nav = _page(people.nav_advisor, people.youth)
    assert "Godkjenn planen" in nav and "Ny aktivitet" in nav
    assert "Opprett aktivitetsplan" not in nav  # the period has its plan
    ot = _page(people.ot_counsellor, people.youth)
    assert "Godkjenn planen" not in ot
    assert "Ny aktivitet" not in ot  # without consent OT does not see NAV's plan at all
    with pytest.raises(ApplicationError):
        services.activity_plan_approve(actor=people.ot_counsellor, plan=plan, version=plan.version)


def test_only_the_service_that_shares_is_offered_to_record_a_withdrawal(people: Any) -> None:
    services.consent_give(
        actor=people.ot_counsellor,
        youth=people.youth,
        decision="GIVEN",
        giver=Giver.SUBJECT,
        purpose_code="SAMARBEID",
        purpose="OT og NAV samarbeider.",
        method=Method.SIGNED_FORM,
        agreed_text="Ja.",
        flows=[Flow(categories=[Category.EDUCATION], from_party=people.ot, to_party=people.nav)],
    )
    assert "Registrer tilbaketrekking" in _page(people.ot_counsellor, people.youth)
    assert "Registrer tilbaketrekking" not in _page(people.nav_advisor, people.youth)
