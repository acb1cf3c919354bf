"""seed_demo: the demo municipality, made through the services."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from cases import demo, identity
from cases.models import ActivityPlan, AddressProtection, FollowUpPeriod, Service, Youth
from consent import ages
from consent.models import Consent, Decision, Giver, Method
from coordination.deadlines import compliance
from tests.conftest import FAST_HASHERS

YOUTHS = 40


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """One small demo for the module (seeding is the slow part), made inside a transaction that
    is rolled back at the end; each test runs in a savepoint within it (pytest-django's ``db``).
    Returns what the command printed."""
    out = io.StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        call_command("seed_demo", "--youths", str(YOUTHS), stdout=out, stderr=io.StringIO())
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo_output(seeded: str, db: Any) -> str:
    return seeded


def _log_in(client: Client, username: str) -> None:
    """Through the log-in page, as a person does (the lock-out counts by the request)."""
    response = client.post("/login/", {"username": username, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302, response.content[:300]


def test_seed_demo_makes_the_skien_municipality(demo_output: str) -> None:
    assert Service.objects.count() == len(demo.SERVICES)
    assert Youth.objects.count() == YOUTHS + len(demo.PROTECTED_YOUTHS)
    assert all(
        identity.parse(number).is_synthetic
        for number in (youth.national_id for youth in Youth.objects.all())
    )
    assert FollowUpPeriod.objects.filter(ended_on__isnull=True).count() >= YOUTHS
    assert "ingrid.nav" in demo_output and demo.DEMO_PASSWORD in demo_output
    assert authenticate(
        RequestFactory().post("/login/"), username="ingrid.nav", password=demo.DEMO_PASSWORD
    )
    # The youth guarantee has a history before today: the plans were agreed as the follow-up
    # went, so the compliance curve computed from them rises over the last 90 days.
    today = timezone.localdate()
    nav = Service.objects.get(name="NAV Skien")
    days = compliance.ug90_history(nav, today - datetime.timedelta(days=90), today, today=today)
    assert any(day.met for day in days[:-1]), [(d.day, d.met) for d in days]
    assert ActivityPlan.objects.filter(approved_at__date__lt=today).exists()


def test_the_demo_has_a_child_of_13_heard_and_guardians_who_consented_one_by_one(
    demo_output: str,
) -> None:
    today = timezone.localdate()
    [child] = [y for y in Youth.objects.all() if ages.age_on(y.birth_date, today) < 15]
    assert ages.age_on(child.birth_date, today) == demo.CHILD_AGE == 13
    [consent] = Consent.objects.filter(giver=Giver.GUARDIANS, subject_id=child.pk)
    assert consent.child_view  # the child's view, recorded
    assert consent.decision == Decision.GIVEN
    answers = list(consent.guardian_decisions.order_by("pk"))
    assert [(a.decision, a.method) for a in answers] == [
        (Decision.GIVEN, Method.SIGNED_FORM),
        (Decision.GIVEN, Method.DIGITAL),
    ]
    assert answers[0].guardian_id != answers[1].guardian_id
    assert consent.giver_names == " og ".join(sorted(a.guardian_name for a in answers))


def test_seed_demo_if_empty_leaves_existing_data_alone(demo_output: str) -> None:
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out, stderr=io.StringIO())
    assert Youth.objects.count() == YOUTHS + len(demo.PROTECTED_YOUTHS)
    assert "ingrid.nav" in out.getvalue()  # the logins are shown either way
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())


def test_seed_demo_refuses_production(db: Any, settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="produksjon"):
        call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())


def test_seed_demo_gives_min_side_logins(demo_output: str) -> None:
    from cases.models import PortalAccount

    accounts = {a.user.username: a for a in PortalAccount.objects.select_related("user")}
    assert set(accounts) == {"ungdom.demo", "foresatt.demo"}
    assert accounts["ungdom.demo"].youth.plans.exists()  # a youth with a plan to show
    assert accounts["foresatt.demo"].guardian is not None
    assert "ungdom.demo" in demo_output and "kari.personvern" in demo_output
    client = Client()
    _log_in(client, "ungdom.demo")
    assert client.get("/", follow=True).status_code == 200  # lands on Min side


def test_the_demo_has_a_shielded_and_a_kode_6_youth_only_the_cleared_advisor_sees(
    demo_output: str,
) -> None:
    shielded = Youth.objects.get(shielded=True)
    kode_6 = Youth.objects.get(address_protection=AddressProtection.STRENGT_FORTROLIG)
    assert demo.CLEARED_USERNAME in demo_output
    cleared, manager, other = Client(), Client(), Client()
    _log_in(cleared, demo.CLEARED_USERNAME)
    _log_in(manager, demo.MANAGER_USERNAME)
    _log_in(other, "ingrid.nav")
    for youth in (shielded, kode_6):
        assert cleared.get(f"/youths/{youth.pk}/").status_code == 200
        assert manager.get(f"/youths/{youth.pk}/").status_code == 404
        assert other.get(f"/youths/{youth.pk}/").status_code == 404
