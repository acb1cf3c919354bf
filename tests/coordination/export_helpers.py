"""A youth with a record of every kind held in Samordna, made through the services: the
fixture of the tests of the youth's copy (GDPR art. 15)."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

from cases import portal, services
from cases.models import (
    Activity,
    FollowUpPeriod,
    Guardian,
    HandoverKind,
    PortalAccount,
    Youth,
)
from cases.services import consent_requests, youth_plan
from consent import ages
from consent.categories import Category
from consent.models import Giver, Method
from consent.services import Flow
from coordination.models import Plan
from coordination.plans import services as plan_services
from coordination.reminders import preferences
from tests import factories
from tests.coordination.plan_helpers import nav_and_plan_records


@dataclasses.dataclass
class Held:
    """The youth, their guardian and portal accounts, and a few records the tests name."""

    youth: Youth
    guardian: Guardian
    own: PortalAccount
    parent: PortalAccount
    nav_entry: Any
    correction: Any
    deleted: Any
    health_entry: Any
    school_entry: Any
    plan: Plan


def _look(user: Any, youth: Youth) -> None:
    """A staff member opens the youth's page: a look in the access log."""
    client = Client()
    client.force_login(user)
    client.get(f"/youths/{youth.pk}/")


def minor_with_everything(people: Any, *, age: int = 15, name: str = "Sara") -> Held:
    """A youth of ``age`` followed by NAV, OT, the school, the health service and child
    welfare, with a record of every kind: guardian and portal accounts, entries (one corrected,
    one deleted), a referral, a handover, a §14a decision and an activity plan with a changed
    activity, an individual plan with a goal, a measure and a review, a child-coordinator
    decision, deadlines and reminders, notice settings, a consent on health (the guardians',
    with their answer, under 16), the youth's objection on health (from 12 to 15), a
    disclosure on opplæringslova § 9-4, looks (and a refused one) in the access log, and the
    audit trail of it all."""
    youth = factories.register_youth(
        people.nav_advisor,
        people.nav,
        birth_date=factories.years_ago(age),
        first_name=name,
        last_name="Berg",
    )
    p = dataclasses.replace(people, youth=youth)
    for staff, service in (
        (p.ot_counsellor, p.ot),
        (p.school_counsellor, p.school),
        (p.health_nurse, p.health),
        (p.cw_caseworker, p.child_welfare),
    ):
        factories.follow(staff, service, youth)
    guardian = services.guardian_add(
        actor=p.nav_advisor,
        youth=youth,
        full_name="Kari Berg",
        relation="PARENT",
        has_parental_responsibility=True,
    )
    own = portal.account_create(youth=youth, username=f"{name.lower()}.berg", password="x-123456")
    parent = portal.account_create(
        youth=youth, guardian=guardian, username=f"kari.{name.lower()}", password="x-123456"
    )
    preferences.notice_settings_set(
        actor=own.user, youth=youth, email="", mobile="912 34 567", email_on=False, sms_on=True
    )
    today = timezone.localdate()

    def entry(staff: Any, service: Any, category: str, text: str, **extra: Any) -> Any:
        return services.entry_log(
            actor=staff,
            youth=youth,
            service=service,
            occurred_on=today,
            kind="CONVERSATION",
            category=category,
            text=text,
            **extra,
        )

    nav_entry = entry(p.nav_advisor, p.nav, Category.WORK_AND_WELFARE, "Snakket om arbeidstrening")
    correction = entry(
        p.nav_advisor,
        p.nav,
        Category.WORK_AND_WELFARE,
        "Rettelse: arbeidstrening fra mars",
        corrects=nav_entry,
    )
    deleted = entry(p.nav_advisor, p.nav, Category.WORK_AND_WELFARE, "Notat om en annen person")
    services.entry_delete(actor=p.nav_advisor, entry=deleted, reason="Skrevet på feil ungdom")
    health_entry = entry(p.health_nurse, p.health, Category.HEALTH, "Samtale om søvn og angst")
    school_entry = entry(p.school_counsellor, p.school, Category.EDUCATION, "Sluttet på skolen")
    # A thread with the NAV contact person, answered and read, and one with the health service.
    talk = services.thread_start(
        actor=own.user, youth=youth, service=p.nav, kind="YOUTH", subject="Møte", text="Når?"
    )
    services.message_post(actor=p.nav_advisor, thread=talk, text="Tirsdag")
    services.thread_read(actor=p.nav_advisor, thread=talk)
    services.thread_start(
        actor=p.health_nurse, youth=youth, service=p.health, kind="STAFF", subject="Søvn", text="x"
    )

    services.referral_send(
        actor=p.nav_advisor,
        youth=youth,
        from_service=p.nav,
        to_service=p.elsewhere,
        reason_code="OTHER",
        reason="Flytter",
        message="Ungdommen flytter til Porsgrunn",
        categories=[],
    )
    services.handover_offer(
        actor=p.nav_advisor,
        period=FollowUpPeriod.objects.get(youth=youth, service=p.nav),
        to_service=p.nav,
        to_user=p.manager,
        message="Du tar over",
        kind=HandoverKind.RESPONSIBILITY,
    )
    plan = nav_and_plan_records(p)
    activity = Activity.objects.get(youth=youth)
    services.activity_change(
        actor=p.nav_advisor,
        activity=activity,
        version=activity.version,
        values={"status": "GJENNOMFORES"},
        youth_text="Du har begynt å søke",
    )
    # The youth's part in the plan: a comment, a request to change, and a consent asked for.
    activity.refresh_from_db()
    youth_plan.activity_comment_add(
        actor=own.user, account=own, activity=activity, text="Jeg har søkt tre jobber"
    )
    youth_plan.activity_change_request(
        actor=own.user,
        account=own,
        activity=activity,
        version=activity.version,
        text="Kan fristen flyttes?",
    )
    consent_requests.consent_request_prepare(
        actor=p.school_counsellor,
        youth=youth,
        template_code="skole",
        from_service=p.school,
        to_service=p.nav,
    )
    plan.refresh_from_db()
    plan_services.review_record(
        actor=p.coordinator,
        plan=plan,
        version=plan.version,
        held_on=today,
        next_review_on=today + datetime.timedelta(days=60),
        goal_notes=[plan_services.GoalNote(goal_id=plan.goals.get().pk, achieved="Søkt jobber")],
        youth_view="Det går bedre",
    )
    # Health is the guardians' to consent to until 16 (pbrl § 4-3): their answers are rows too.
    giver = ages.giver_for([Category.HEALTH], youth.birth_date, today, youth.municipality_number)
    by_guardians = giver == Giver.GUARDIANS
    services.consent_give(
        actor=p.health_nurse,
        youth=youth,
        decision="GIVEN",
        giver=giver,
        guardians=[guardian] if by_guardians else [],
        child_view=f"{name} vil at helsestasjonen og NAV snakker sammen." if by_guardians else "",
        purpose_code="SAMARBEID",
        purpose="Helsestasjonen og NAV samarbeider om arbeid og helse.",
        method=Method.SIGNED_FORM,
        agreed_text="Vi samtykker.",
        flows=[Flow(categories=[Category.HEALTH], from_party=p.health, to_party=p.nav)],
    )
    if ages.may_object_to_guardians_on_health(youth.birth_date, today):
        services.health_objection_record(actor=p.health_nurse, youth=youth, service=p.health)
    services.disclosure_make(
        actor=p.school_counsellor,
        youth=youth,
        from_service=p.school,
        to_service=p.ot,
        basis="oppl-9-4",
        reason="Eleven har sluttet; OT skal ha oversikt.",
        entry_ids=[school_entry.pk],
    )
    factories.derived()
    _look(p.nav_advisor, youth)
    _look(p.health_nurse, youth)
    _look(p.outsider, youth)  # refused: NAV Porsgrunn does not follow the youth
    return Held(
        youth=youth,
        guardian=guardian,
        own=own,
        parent=parent,
        nav_entry=nav_entry,
        correction=correction,
        deleted=deleted,
        health_entry=health_entry,
        school_entry=school_entry,
        plan=plan,
    )
