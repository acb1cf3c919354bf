"""The Min side users that ID-porten log-ins made are deleted, with their ID-porten subjects and
their own log-in records, once they link to no youth and no guardian record and their last
log-in is ``RETENTION_PORTAL_USER_DAYS`` old (``rules.PORTAL_USER``)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import oidc, services
from cases.models import ExternalSubject, GuardianRelation, PortalAccount, StaffRole, Youth
from coordination.retention import purge
from core.models import AuditEntry
from tests import factories
from tests.coordination.test_retention import OSLO, RECORDED, close_everything, on, run

pytestmark = pytest.mark.django_db

User = get_user_model()
ISSUER = "https://idporten.example"
CLOSED = datetime.date(2026, 3, 31)
DUE = datetime.datetime(2031, 3, 31, 4, tzinfo=OSLO)  # the record's due day: 5 years on


def _log_in(user: Any) -> None:
    Client().force_login(user)


def minor_with_min_side_users(people: Any) -> tuple[Youth, Any, Any]:
    """A minor never looked at, and the Min side users of the minor and of a parent, each made
    by an ID-porten log-in on the day the minor was registered; the record closes on CLOSED."""
    number = factories.synthetic_number(datetime.date(1980, 5, 5))
    with on(RECORDED):
        youth = factories.register_youth(
            people.nav_advisor, people.nav, birth_date=datetime.date(2010, 6, 1), first_name="Ola"
        )
        services.guardian_add(
            actor=people.nav_advisor,
            youth=youth,
            full_name="Tone Berg",
            relation=GuardianRelation.PARENT,
            has_parental_responsibility=True,
            national_id=number,
        )
        own = oidc.portal_user_for(issuer=ISSUER, subject="idp-ola", number=youth.national_id)
        parent = oidc.portal_user_for(issuer=ISSUER, subject="idp-tone", number=number)
        _log_in(own)
        _log_in(parent)
    assert own.username.startswith(oidc.PORTAL_USERNAME_PREFIX) and own != parent
    with on(CLOSED):
        close_everything(people, youth)
    return youth, own, parent


def test_min_side_users_go_with_the_youths_record_they_linked_to(people: Any) -> None:
    youth, own, parent = minor_with_min_side_users(people)
    run(DUE - datetime.timedelta(hours=5))  # 23:00 the day before
    assert User.objects.filter(pk__in=[own.pk, parent.pk]).count() == 2
    report = run(DUE)
    assert not Youth.objects.filter(pk=youth.pk).exists()
    assert not User.objects.filter(pk__in=[own.pk, parent.pk]).exists()
    assert not ExternalSubject.objects.exists()
    assert not AuditEntry.objects.filter(actor_id__in=[own.pk, parent.pk]).exists()
    assert report.counts[("portal_user", "auth.User", purge.DELETED)] == 2
    assert report.counts[("portal_user", "cases.ExternalSubject", purge.DELETED)] == 2
    # Each user's log-in record (login.succeeded) went with it.
    assert report.counts[("portal_user", "core.AuditEntry", purge.DELETED)] == 2
    # Staff are untouched.
    assert User.objects.filter(pk=people.nav_advisor.pk).exists()


def test_a_min_side_user_who_logged_in_lately_stays_the_setting_s_days(
    people: Any, settings: Any
) -> None:
    settings.RETENTION_PORTAL_USER_DAYS = 30
    _youth, own, parent = minor_with_min_side_users(people)
    with on(datetime.date(2031, 3, 20)):
        _log_in(own)
    run(DUE)
    assert not PortalAccount.objects.exists()  # the links went with the record
    assert User.objects.filter(pk=own.pk).exists()
    assert not User.objects.filter(pk=parent.pk).exists()
    run(datetime.datetime(2031, 4, 19, 4, tzinfo=OSLO))  # 30 days after 20 March: 19 April
    assert User.objects.filter(pk=own.pk).exists()
    run(datetime.datetime(2031, 4, 20, 4, tzinfo=OSLO))
    assert not User.objects.filter(pk=own.pk).exists()


def test_the_dry_run_deletes_no_min_side_user_and_counts_those_the_run_deletes(
    people: Any,
) -> None:
    _youth, own, parent = minor_with_min_side_users(people)
    dry = run(DUE, dry_run=True)
    assert User.objects.filter(pk__in=[own.pk, parent.pk]).count() == 2
    assert PortalAccount.objects.count() == 2  # their links are still there
    # Counted as the run deletes them: their links go with the youth's record in the same run.
    portal_user = {key: n for key, n in dry.counts.items() if key[0] == "portal_user"}
    assert portal_user[("portal_user", "auth.User", purge.DELETED)] == 2
    real = run(DUE)
    assert not User.objects.filter(pk__in=[own.pk, parent.pk]).exists()
    assert {key: n for key, n in real.counts.items() if key[0] == "portal_user"} == portal_user


def test_staff_and_accounts_made_by_hand_are_never_taken_for_min_side_users(
    people: Any,
) -> None:
    staff = factories.UserFactory(username="entra-only")
    staff.set_unusable_password()
    staff.save()
    services.external_subject_link(
        actor=None, user=staff, issuer="https://login.example", subject="s"
    )
    named_like = factories.UserFactory(username=f"{oidc.PORTAL_USERNAME_PREFIX}staff")
    named_like.set_unusable_password()
    named_like.save()
    services.membership_add(
        actor=None, user=named_like, service=people.nav, role=StaffRole.CASEWORKER
    )
    services.membership_end(actor=None, membership=named_like.memberships.get())
    report = run(datetime.datetime(2040, 1, 1, tzinfo=OSLO))
    assert User.objects.filter(pk__in=[staff.pk, named_like.pk]).count() == 2
    assert ("portal_user", "auth.User", purge.DELETED) not in report.counts


@pytest.mark.parametrize("size", [1, 3])
def test_deleting_min_side_users_runs_the_same_queries_however_many_are_due(
    people: Any, size: int
) -> None:
    with on(RECORDED):
        users = []
        for n in range(size):
            youth = factories.register_youth(people.nav_advisor, people.nav, first_name=f"Ola{n}")
            users.append(
                oidc.portal_user_for(issuer=ISSUER, subject=f"idp-{n}", number=youth.national_id)
            )
            _log_in(users[-1])
    PortalAccount.objects.filter(user__in=users).delete()  # as the youths' retention does
    AuditEntry.objects.filter(action="portal_account.made").delete()
    moment = datetime.datetime(2026, 1, 1, tzinfo=OSLO)
    with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as captured:
        report = purge.purge()
    assert report.counts[("portal_user", "auth.User", purge.DELETED)] == size
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    # The youths' batches as in test_retention; then the users due, their audit rows, their
    # subjects, the collector's one look-up and delete per model hanging on a user, and the
    # record of the deletion: the same for one user as for three.
    assert len(statements) == 71, "\n".join(statements)
