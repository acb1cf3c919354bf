"""One permission matrix over every route and every role, generated from the URL conf.

A route (or an HTTP method on it) that has no entry in ``MATRIX`` fails the test, so a new
endpoint cannot ship without saying who may use it. Denied means 404 for a youth's data (the
same as "does not exist") and an empty list for lists; anonymous API callers get 401.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from cases import portal, services
from cases.models import (
    Activity,
    ActivityChangeRequest,
    ActivityPlan,
    ConsentRequest,
    FollowUpEntry,
    FollowUpPeriod,
    Handover,
    Message,
    Referral,
    StaffInvitation,
    StaffMembership,
    Thread,
    Youth,
)
from cases.services import consent_requests, youth_plan
from consent.models import Consent
from consent.services import Flow
from coordination.models import ChildCoordinator, Deadline, Plan, PlanGoal, PlanMeasure
from tests import factories
from tests.conftest import build_people
from tests.coordination.plan_helpers import nav_and_plan_records

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

ROLES = [
    "nav_advisor",
    "ot_counsellor",
    "coordinator",
    "manager",
    "school_counsellor",
    "health_nurse",
    "cw_caseworker",
    "nav_admin",
    "privacy_officer",
    "outsider",
    "anonymous",
]
FOLLOWING = {"nav_advisor", "ot_counsellor", "coordinator", "manager"}
STAFF = set(ROLES) - {"anonymous"}
PUBLIC = set(ROLES)


def _ot_period(p: Any) -> str:
    return str(FollowUpPeriod.objects.get(youth=p.youth, service=p.ot).pk)


def _nav_period(p: Any) -> str:
    return str(FollowUpPeriod.objects.get(youth=p.youth, service=p.nav).pk)


def _shared_records(p: Any) -> None:
    """An entry, a consent, a referral and a handover for the routes that act on them."""
    services.entry_log(
        actor=p.nav_advisor,
        youth=p.youth,
        service=p.nav,
        occurred_on=timezone.localdate(),
        kind="MEETING",
        category="WORK_AND_WELFARE",
        text="Møte om arbeidstrening",
    )
    factories.give_consent(
        p,
        Flow(
            categories=["EDUCATION"],
            from_party=p.ot,
            to_kind="SCHOOL",
            kind_reason="Henvises til skolen",
        ),
    )
    services.referral_send(
        actor=p.ot_counsellor,
        youth=p.youth,
        from_service=p.ot,
        to_service=p.school,
        reason_code="OT_DROPPED_OUT",
        message="Ønsker skoleplass",
        categories=["EDUCATION"],
    )
    services.handover_offer(
        actor=p.nav_advisor,
        period=FollowUpPeriod.objects.get(youth=p.youth, service=p.nav),
        to_service=p.nav,
        to_user=p.manager,
    )
    services.invitation_send(
        actor=p.manager,
        service=p.nav,
        email="nora.berg@nav.example",
        first_name="Nora",
        last_name="Berg",
        role="CASEWORKER",
    )
    # A thread NAV holds about the youth, between the services, in NAV's own category.
    services.thread_start(
        actor=p.nav_advisor,
        youth=p.youth,
        service=p.nav,
        kind="STAFF",
        subject="Arbeidstrening",
        text="Hvem kjenner arbeidsgiveren?",
    )
    # An individual plan held by OT (eva.koord coordinates), NAV taking part by consent (to
    # the plan only: no other categories, so NAV's activity plan stays NAV's).
    nav_and_plan_records(p, plan_categories=())
    # The youth asks to change NAV's activity, and OT asks the youth for a consent on Min side.
    account = portal.account_create(youth=p.youth, username="emma.matrix", password="x")
    youth_plan.activity_change_request(
        actor=account.user,
        account=account,
        activity=Activity.objects.get(),
        version=Activity.objects.get().version,
        text="Kan vi flytte fristen?",
    )
    consent_requests.consent_request_prepare(
        actor=p.ot_counsellor,
        youth=p.youth,
        template_code="skole",
        from_service=p.ot,
        to_service=p.nav,
    )


def _plan(p: Any) -> str:
    return str(ActivityPlan.objects.get().pk)


def _activity(p: Any) -> str:
    return str(Activity.objects.get().pk)


def _change_request(p: Any) -> str:
    return str(ActivityChangeRequest.objects.get().pk)


def _consent_request(p: Any) -> str:
    return str(ConsentRequest.objects.get().pk)


def _activity_deadline(p: Any) -> str:
    return str(Deadline.objects.get(rule_id="ACTIVITY").pk)


def _entry(p: Any) -> str:
    return str(FollowUpEntry.objects.get().pk)


def _thread(p: Any) -> str:
    return str(Thread.objects.get().pk)


def _message(p: Any) -> str:
    return str(Message.objects.get().pk)


def _consent(p: Any) -> str:
    return str(Consent.objects.get(purpose_code="SAMARBEID").pk)


def _referral(p: Any) -> str:
    return str(Referral.objects.get().pk)


def _handover(p: Any) -> str:
    return str(Handover.objects.get(kind="RESPONSIBILITY").pk)


def _ip(p: Any) -> Plan:
    return Plan.objects.get()


def _ip_part(p: Any) -> Any:
    return _ip(p).participants.get(service=p.nav)


def _goal(p: Any) -> PlanGoal:
    return PlanGoal.objects.get()


def _measure(p: Any) -> PlanMeasure:
    return PlanMeasure.objects.get()


def _advisor_membership(p: Any) -> str:
    return str(StaffMembership.objects.get(user=p.nav_advisor, ended_at__isnull=True).pk)


def _invitation(p: Any) -> str:
    return str(StaffInvitation.objects.get().pk)


def _child_coordinator(p: Any) -> str:
    return str(ChildCoordinator.objects.get().pk)


COORDINATOR_ONLY = {"ot_counsellor": 400, "nav_advisor": 400, "manager": 400}


NAV_STAFF = {"nav_advisor", "manager"}
TEAM = {"manager", "nav_admin"}  # who manages NAV Skien's staff
OT_STAFF = {"ot_counsellor", "coordinator"}


@dataclass
class Case:
    path: Callable[[Any], str]
    allowed: set[str]
    ok: int = 200
    denied: int | str = 404  # or "empty": 200 with no rows
    body: Callable[[Any], dict[str, Any]] = field(default=lambda p: {})
    anonymous: tuple[int, ...] = (401,)
    other: dict[str, int] = field(default_factory=dict)  # roles with another answer than denied
    session: bool = False  # a page (session log-in) rather than an API route


MATRIX: dict[tuple[str, str], Case] = {
    # --- Pages (session log-in). Anonymous callers are sent to the log-in page. ---------------
    ("landing", "get"): Case(
        lambda p: "/",
        STAFF,
        ok=302,  # to my day, the access log for the privacy officer, the staff page for admins
        anonymous=(302,),
        session=True,
    ),
    ("login", "get"): Case(lambda p: "/login/", STAFF, ok=302, anonymous=(200,), session=True),
    ("login", "post"): Case(lambda p: "/login/", STAFF, ok=302, anonymous=(200,), session=True),
    ("login", "put"): Case(lambda p: "/login/", STAFF, ok=302, anonymous=(200,), session=True),
    ("logout", "post"): Case(lambda p: "/logout/", PUBLIC, ok=302, session=True),
    # The code step of a password log-in: anyone logged in; without a device and a code to
    # give (a session not from a password), sent on.
    ("login-totp", "get"): Case(
        lambda p: "/login/totp/", STAFF, ok=302, anonymous=(302,), session=True
    ),
    # Log-in through OpenID Connect: not found while no provider is configured (tests/oidc/).
    **{
        (f"oidc-{client}-{step}", "get"): Case(
            lambda p, client=client, step=step: f"/oidc/{client}/{step}/",
            set(),
            anonymous=(404,),
            session=True,
        )
        for client in ("staff", "idporten")
        for step in ("login", "callback")
    },
    ("pages:day", "get"): Case(lambda p: "/day/", STAFF, anonymous=(302,), session=True),
    ("pages:caseload", "get"): Case(lambda p: "/youths/", STAFF, anonymous=(302,), session=True),
    # A look-up by identity number: an empty form is refused with field errors.
    ("pages:caseload", "post"): Case(
        lambda p: "/youths/", STAFF, ok=400, anonymous=(302,), session=True
    ),
    # Registering a youth: staff with a caseload role (who have a service to register with).
    **{
        ("pages:youth-new", method): Case(
            lambda p: "/youths/new/",
            STAFF - {"nav_admin", "privacy_officer"},
            ok=200 if method == "get" else 400,  # an empty form: field errors
            denied=403,
            anonymous=(302,),
            session=True,
        )
        for method in ("get", "post")
    },
    ("pages:notifications", "get"): Case(
        lambda p: "/settings/notifications/", STAFF, anonymous=(302,), session=True
    ),
    ("pages:notifications", "post"): Case(
        lambda p: "/settings/notifications/",
        STAFF,
        ok=400,  # the body sent as JSON leaves the form empty: field errors
        body=lambda p: {"mode": "DAILY"},  # as a form (the access-log walk): saved
        anonymous=(302,),
        session=True,
    ),
    ("pages:youth", "get"): Case(
        lambda p: f"/youths/{p.youth.pk}/", FOLLOWING, anonymous=(302,), session=True
    ),
    **{
        (f"pages:{name}", method): Case(
            lambda p, suffix=suffix: f"/youths/{p.youth.pk}/{suffix}",
            FOLLOWING,
            ok=200 if method == "get" else 400,  # an empty form: field errors
            anonymous=(302,),
            session=True,
        )
        for name, suffix in [
            ("entry-new", "log/"),
            ("consent-new", "consents/new/"),
            ("consent-request-new", "consent-requests/new/"),
            ("refer", "refer/"),
            ("handover", "handover/"),
            ("thread-new", "threads/new/"),
        ]
        for method in ("get", "post")
    },
    ("pages:consent-withdraw", "post"): Case(
        lambda p: f"/youths/{p.youth.pk}/consents/{_consent(p)}/withdraw/",
        FOLLOWING,
        ok=302,  # without a method: told so, nothing withdrawn
        anonymous=(302,),
        session=True,
    ),
    ("pages:activity-plan-new", "post"): Case(
        lambda p: f"/youths/{p.youth.pk}/activity-plan/",
        FOLLOWING,
        ok=302,  # the period has a plan already: told so
        anonymous=(302,),
        session=True,
    ),
    ("pages:activity-plan-approve", "post"): Case(
        lambda p: f"/activity-plans/{_plan(p)}/approve/",
        NAV_STAFF,
        ok=302,
        anonymous=(302,),
        session=True,
    ),
    ("pages:activity-new", "get"): Case(
        lambda p: f"/activity-plans/{_plan(p)}/activities/new/",
        NAV_STAFF,
        anonymous=(302,),
        session=True,
    ),
    ("pages:activity-new", "post"): Case(
        lambda p: f"/activity-plans/{_plan(p)}/activities/new/",
        NAV_STAFF,
        ok=400,
        anonymous=(302,),
        session=True,
    ),
    ("pages:activity-edit", "get"): Case(
        lambda p: f"/activities/{_activity(p)}/edit/", NAV_STAFF, anonymous=(302,), session=True
    ),
    ("pages:activity-edit", "post"): Case(
        lambda p: f"/activities/{_activity(p)}/edit/",
        NAV_STAFF,
        ok=400,
        anonymous=(302,),
        session=True,
    ),
    ("pages:activity-change-answer", "post"): Case(
        lambda p: f"/activity-change-requests/{_change_request(p)}/answer/",
        NAV_STAFF,
        ok=302,  # without an answer: told so on the activity's page
        anonymous=(302,),
        session=True,
    ),
    # A thread NAV holds in its own category: NAV's staff see and answer it.
    ("pages:thread", "get"): Case(
        lambda p: f"/threads/{_thread(p)}/", NAV_STAFF, anonymous=(302,), session=True
    ),
    ("pages:thread", "post"): Case(
        lambda p: f"/threads/{_thread(p)}/",
        NAV_STAFF,
        ok=400,  # an empty answer: field errors
        anonymous=(302,),
        session=True,
    ),
    # Only the author corrects; the page shows the message to those who see the thread.
    ("pages:message-correct", "get"): Case(
        lambda p: f"/messages/{_message(p)}/correct/", NAV_STAFF, anonymous=(302,), session=True
    ),
    ("pages:message-correct", "post"): Case(
        lambda p: f"/messages/{_message(p)}/correct/",
        NAV_STAFF,
        ok=400,  # an empty correction: field errors
        anonymous=(302,),
        session=True,
    ),
    ("pages:referrals", "get"): Case(
        lambda p: "/referrals/", STAFF, anonymous=(302,), session=True
    ),
    ("pages:referral", "get"): Case(
        lambda p: f"/referrals/{_referral(p)}/",
        OT_STAFF | {"school_counsellor"},
        anonymous=(302,),
        session=True,
    ),
    **{
        (f"pages:referral-{action}", "post"): Case(
            lambda p, action=action: f"/referrals/{_referral(p)}/{action}/",
            OT_STAFF | {"school_counsellor"},
            ok=302,  # without a version: told so, nothing changes
            anonymous=(302,),
            session=True,
        )
        for action in ("accept", "decline", "withdraw", "close")
    },
    ("pages:handover-answer", "post"): Case(
        lambda p: f"/handovers/{_handover(p)}/answer/",
        NAV_STAFF,
        ok=302,
        anonymous=(302,),
        session=True,
    ),
    ("pages:plan", "get"): Case(
        lambda p: f"/plans/{_ip(p).pk}/", FOLLOWING, anonymous=(302,), session=True
    ),
    ("pages:plan-review", "post"): Case(
        lambda p: f"/plans/{_ip(p).pk}/review/",
        FOLLOWING,
        ok=400,  # an empty review: field errors
        anonymous=(302,),
        session=True,
    ),
    ("pages:plan-activate", "post"): Case(
        lambda p: f"/plans/{_ip(p).pk}/activate/",
        FOLLOWING,
        ok=302,
        anonymous=(302,),
        session=True,
    ),
    ("pages:measure-status", "post"): Case(
        lambda p: f"/plan-measures/{_measure(p).pk}/status/",
        FOLLOWING,
        ok=302,
        anonymous=(302,),
        session=True,
    ),
    **{
        ("pages:" + name, "post"): Case(path, FOLLOWING, ok=ok, anonymous=(302,), session=True)
        for name, path, ok in (
            # Empty forms: field errors (400), or told so and sent back to the plan (302).
            ("plan-edit", lambda p: f"/plans/{_ip(p).pk}/edit/", 400),
            ("plan-goal-new", lambda p: f"/plans/{_ip(p).pk}/goals/new/", 400),
            ("plan-goal-edit", lambda p: f"/plan-goals/{_goal(p).pk}/edit/", 400),
            ("plan-measure-new", lambda p: f"/plans/{_ip(p).pk}/measures/new/", 400),
            ("plan-measure-edit", lambda p: f"/plan-measures/{_measure(p).pk}/edit/", 400),
            ("plan-participant-new", lambda p: f"/plans/{_ip(p).pk}/participants/new/", 400),
            (
                "plan-participant-remove",
                lambda p: f"/plan-participants/{_ip_part(p).pk}/remove/",
                302,
            ),
            ("plan-coordinator-offer", lambda p: f"/plans/{_ip(p).pk}/coordinator/", 400),
            ("plan-coordinator-answer", lambda p: f"/plans/{_ip(p).pk}/coordinator/answer/", 302),
        )
    },
    ("pages:compliance", "get"): Case(
        lambda p: "/reports/youth-guarantee/",
        NAV_STAFF | {"outsider"},  # staff of a NAV office, for their own office
        denied=403,
        anonymous=(302,),
        session=True,
    ),
    ("pages:compliance-youths", "get"): Case(
        lambda p: (
            f"/reports/youth-guarantee/youths/?service={p.nav.pk}&start=2026-01-01"
            "&end=2026-03-31&rule=UG-90&status=group"
        ),
        NAV_STAFF,
        denied=403,
        other={"outsider": 400},  # staff of another NAV office: not one of their offices
        anonymous=(302,),
        session=True,
    ),
    ("pages:access-log", "get"): Case(
        lambda p: "/access-log/", {"privacy_officer"}, denied=403, anonymous=(302,), session=True
    ),
    ("pages:access-log", "post"): Case(
        lambda p: "/access-log/",
        {"privacy_officer"},
        ok=400,  # an empty look-up: field errors
        denied=403,
        anonymous=(302,),
        session=True,
    ),
    ("pages:access-request", "get"): Case(
        lambda p: "/access-log/requests/",
        {"privacy_officer"},
        denied=403,
        anonymous=(302,),
        session=True,
    ),
    ("pages:access-request", "post"): Case(
        lambda p: "/access-log/requests/",
        {"privacy_officer"},
        ok=400,  # an empty form: field errors
        denied=403,
        anonymous=(302,),
        session=True,
    ),
    # The staff page: the managers and the staff administrator of the service (NAV Skien).
    ("pages:team-home", "get"): Case(
        lambda p: "/staff/", TEAM, ok=302, denied=403, anonymous=(302,), session=True
    ),
    ("pages:team", "get"): Case(
        lambda p: f"/services/{p.nav.pk}/staff/", TEAM, denied=403, anonymous=(302,), session=True
    ),
    ("pages:team", "post"): Case(
        lambda p: f"/services/{p.nav.pk}/staff/",
        TEAM,
        ok=400,  # an empty form: field errors
        denied=403,
        anonymous=(302,),
        session=True,
    ),
    ("pages:membership-role", "post"): Case(
        lambda p: f"/memberships/{_advisor_membership(p)}/role/",
        TEAM,
        ok=302,  # back to the staff page, with the outcome as a message
        denied=403,
        anonymous=(302,),
        session=True,
        body=lambda p: {"role": "COORDINATOR"},
    ),
    ("pages:membership-end", "post"): Case(
        lambda p: f"/memberships/{_advisor_membership(p)}/end/",
        TEAM,
        ok=302,
        denied=403,
        anonymous=(302,),
        session=True,
    ),
    ("pages:invitation-revoke", "post"): Case(
        lambda p: f"/invitations/{_invitation(p)}/revoke/",
        TEAM,
        ok=302,
        denied=403,
        anonymous=(302,),
        session=True,
    ),
    # The invited person's page is open to anyone with the link: a link naming no invitation
    # is not found.
    ("staff-invitation", "get"): Case(
        lambda p: "/invitation/not-a-secret/", set(), anonymous=(404,), session=True
    ),
    ("staff-invitation", "post"): Case(
        lambda p: "/invitation/not-a-secret/", set(), anonymous=(404,), session=True
    ),
    # A staff member's own API tokens: anyone with a current membership.
    ("pages:api-tokens", "get"): Case(
        lambda p: "/account/api-tokens/", STAFF, denied=403, anonymous=(302,), session=True
    ),
    ("pages:api-tokens", "post"): Case(
        lambda p: "/account/api-tokens/", STAFF, denied=403, anonymous=(302,), session=True
    ),
    ("pages:api-token-revoke", "post"): Case(
        lambda p: f"/account/api-tokens/{uuid.uuid4()}/revoke/",
        set(),
        denied=404,  # not a token of theirs: as one that does not exist
        anonymous=(302,),
        session=True,
    ),
    # The youth's own page: none of the staff has a portal account.
    ("portal:home", "get"): Case(
        lambda p: "/me/", set(), denied=403, anonymous=(302,), session=True
    ),
    ("portal:youth", "get"): Case(
        lambda p: f"/me/{p.youth.pk}/", set(), anonymous=(302,), session=True
    ),
    ("portal:activity", "get"): Case(
        lambda p: f"/me/{p.youth.pk}/activities/{_activity(p)}/",
        set(),
        anonymous=(302,),
        session=True,
    ),
    ("portal:activity", "post"): Case(
        lambda p: f"/me/{p.youth.pk}/activities/{_activity(p)}/",
        set(),
        anonymous=(302,),
        session=True,
    ),
    ("portal:consent-request", "get"): Case(
        lambda p: f"/me/{p.youth.pk}/consent-requests/{_consent_request(p)}/",
        set(),
        anonymous=(302,),
        session=True,
    ),
    ("portal:consent-request", "post"): Case(
        lambda p: f"/me/{p.youth.pk}/consent-requests/{_consent_request(p)}/",
        set(),
        anonymous=(302,),
        session=True,
    ),
    ("portal:withdraw", "post"): Case(
        lambda p: f"/me/{p.youth.pk}/consents/{_consent(p)}/withdraw/",
        set(),
        anonymous=(302,),
        session=True,
    ),
    **{
        (f"portal:{name}", method): Case(
            lambda p, suffix=suffix: f"/me/{p.youth.pk}/threads/{suffix(p)}",
            set(),
            anonymous=(302,),
            session=True,
        )
        for name, method, suffix in [
            ("thread", "get", lambda p: f"{_thread(p)}/"),
            ("thread", "post", lambda p: f"{_thread(p)}/"),
            ("thread-new", "post", lambda p: ""),
        ]
    },
    ("portal:health-objection", "post"): Case(
        lambda p: f"/me/{p.youth.pk}/health-objection/",
        set(),
        anonymous=(302,),
        session=True,
    ),
    **{
        ("portal:notices", method): Case(
            lambda p: f"/me/{p.youth.pk}/notices/", set(), anonymous=(302,), session=True
        )
        for method in ("get", "post")
    },
    ("portal:copy-pdf", "get"): Case(
        lambda p: f"/me/{p.youth.pk}/copy.pdf", set(), anonymous=(302,), session=True
    ),
    ("portal:copy-json", "get"): Case(
        lambda p: f"/me/{p.youth.pk}/copy.json", set(), anonymous=(302,), session=True
    ),
    # --- Project routes and the API. --------------------------------------------------------
    ("health", "get"): Case(lambda p: "/health/", PUBLIC),
    ("set_language", "post"): Case(
        lambda p: "/i18n/setlang/", PUBLIC, ok=302, body=lambda p: {"language": "en"}
    ),
    ("schema", "get"): Case(lambda p: "/api/schema/", PUBLIC),
    ("swagger-ui", "get"): Case(lambda p: "/api/docs/", PUBLIC),
    ("auth-token", "post"): Case(
        lambda p: "/api/v1/auth/token/",
        set(),
        denied=400,  # wrong password for everyone: the route itself is open
        body=lambda p: {"username": "ingrid.nav", "password": "feil"},
        anonymous=(400,),
    ),
    ("my-tokens", "get"): Case(lambda p: "/api/v1/auth/tokens/", STAFF),
    ("token-revoke", "post"): Case(
        lambda p: "/api/v1/auth/tokens/00000000-0000-4000-8000-000000000000/revoke/",
        set(),
        denied=404,  # only the caller's own tokens: another's, or none, is not found
    ),
    ("my-memberships", "get"): Case(lambda p: "/api/v1/me/memberships/", STAFF),
    ("youth-list", "get"): Case(lambda p: "/api/v1/youths/", FOLLOWING, denied="empty"),
    ("youth-list", "post"): Case(
        lambda p: "/api/v1/youths/",
        {"nav_advisor", "manager"},  # staff of NAV Skien with a caseload role
        ok=201,
        body=lambda p: {
            "national_id": factories.synthetic_number(factories.years_ago(18)),
            "first_name": "Per",
            "last_name": "Ny",
            "municipality_number": "4003",
            "service": str(p.nav.pk),
            "reason": "Arbeidssøker",
        },
    ),
    ("youth-lookup", "post"): Case(
        lambda p: "/api/v1/youths/lookup/",
        FOLLOWING,
        body=lambda p: {"national_id": p.youth.national_id},
    ),
    ("youth-detail", "get"): Case(lambda p: f"/api/v1/youths/{p.youth.pk}/", FOLLOWING),
    ("youth-detail", "patch"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/",
        FOLLOWING,
        body=lambda p: {"phone": "41234567", "version": 1},
    ),
    # Only a manager of a following service marks a protected identity (holding the clearance
    # for it); the other following staff get a 400 with the reason.
    ("youth-protection", "post"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/protection/",
        {"manager"},
        body=lambda p: {
            "address_protection": "UGRADERT",
            "shielded": False,
            "version": Youth.objects.get(pk=p.youth.pk).version,
        },
        other={"nav_advisor": 400, "ot_counsellor": 400, "coordinator": 400},
    ),
    ("youth-guardians", "get"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/guardians/", FOLLOWING
    ),
    ("youth-guardians", "post"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/guardians/",
        FOLLOWING,
        ok=201,
        body=lambda p: {
            "full_name": "Kari Hansen",
            "relation": "PARENT",
            "has_parental_responsibility": True,
        },
    ),
    ("service-list", "get"): Case(lambda p: "/api/v1/services/", STAFF),
    # A manager of the service grants clearances; its caseworkers get a 400, others a 404.
    ("service-clearances", "post"): Case(
        lambda p: f"/api/v1/services/{p.nav.pk}/clearances/",
        {"manager"},
        body=lambda p: {"user": "ingrid.nav", "cleared_shielded": True},
        other={"nav_advisor": 400},
    ),
    ("service-detail", "get"): Case(lambda p: f"/api/v1/services/{p.nav.pk}/", STAFF),
    # A service's staff: its managers and staff administrator; for anyone else not found.
    ("service-staff", "get"): Case(lambda p: f"/api/v1/services/{p.nav.pk}/staff/", TEAM),
    ("service-invitations", "get"): Case(
        lambda p: f"/api/v1/services/{p.nav.pk}/invitations/", TEAM
    ),
    ("service-invitations", "post"): Case(
        lambda p: f"/api/v1/services/{p.nav.pk}/invitations/",
        TEAM,
        ok=201,
        body=lambda p: {
            "email": "ny.ansatt@nav.example",
            "first_name": "Ny",
            "last_name": "Ansatt",
            "role": "CASEWORKER",
        },
    ),
    ("invitation-revoke", "post"): Case(
        lambda p: f"/api/v1/invitations/{_invitation(p)}/revoke/", TEAM
    ),
    ("membership-role", "post"): Case(
        lambda p: f"/api/v1/memberships/{_advisor_membership(p)}/role/",
        TEAM,
        body=lambda p: {"role": "COORDINATOR"},
    ),
    ("membership-end", "post"): Case(
        lambda p: f"/api/v1/memberships/{_advisor_membership(p)}/end/", TEAM
    ),
    ("period-list", "get"): Case(lambda p: "/api/v1/follow-up-periods/", FOLLOWING, denied="empty"),
    ("period-list", "post"): Case(
        lambda p: "/api/v1/follow-up-periods/",
        set(),  # every following service already has an open period; see test below
        denied=404,
        body=lambda p: {"youth": str(p.youth.pk), "service": str(p.school.pk), "reason": "x"},
    ),
    ("period-detail", "get"): Case(
        lambda p: f"/api/v1/follow-up-periods/{_ot_period(p)}/", {"ot_counsellor", "coordinator"}
    ),
    ("period-close", "post"): Case(
        lambda p: f"/api/v1/follow-up-periods/{_ot_period(p)}/close/",
        {"ot_counsellor", "coordinator"},
        body=lambda p: {"end_reason": "Begynt på skole", "version": 1},
    ),
    ("period-reassign", "post"): Case(
        lambda p: f"/api/v1/follow-up-periods/{_ot_period(p)}/reassign/",
        {"ot_counsellor", "coordinator"},
        body=lambda p: {"responsible": "eva.koord", "version": 1},
    ),
    ("youth-entries", "get"): Case(lambda p: f"/api/v1/youths/{p.youth.pk}/entries/", FOLLOWING),
    ("youth-entries", "post"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/entries/",
        NAV_STAFF,
        ok=201,
        body=lambda p: {
            "service": str(p.nav.pk),
            "occurred_on": str(timezone.localdate()),
            "kind": "PHONE",
            "category": "WORK_AND_WELFARE",
            "text": "Ringte om tiltaket",
        },
    ),
    ("youth-threads", "get"): Case(lambda p: f"/api/v1/youths/{p.youth.pk}/threads/", FOLLOWING),
    ("youth-threads", "post"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/threads/",
        NAV_STAFF,
        ok=201,
        body=lambda p: {
            "service": str(p.nav.pk),
            "kind": "STAFF",
            "subject": "Tiltak",
            "text": "Forslag til tiltak",
        },
    ),
    ("thread-detail", "get"): Case(lambda p: f"/api/v1/threads/{_thread(p)}/", NAV_STAFF),
    ("thread-messages", "post"): Case(
        lambda p: f"/api/v1/threads/{_thread(p)}/messages/",
        NAV_STAFF,
        ok=201,
        body=lambda p: {"text": "Jeg kjenner dem."},
    ),
    ("message-correct", "post"): Case(
        lambda p: f"/api/v1/messages/{_message(p)}/correct/",
        {"nav_advisor"},
        ok=201,
        body=lambda p: {"text": "Hvem kjenner arbeidsgiveren i Skien?"},
        other={"manager": 400},  # sees it, but only the author corrects
    ),
    ("youth-consents", "get"): Case(lambda p: f"/api/v1/youths/{p.youth.pk}/consents/", FOLLOWING),
    ("youth-consents", "post"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/consents/",
        OT_STAFF,  # the flow opens OT's records: only OT records it
        ok=201,
        other={"nav_advisor": 400, "manager": 400},
        body=lambda p: {
            "decision": "GIVEN",
            "giver": "SUBJECT",
            "purpose_code": "SAMARBEID",
            "purpose": "Samarbeid om oppfølging",
            "method": "SIGNED_FORM",
            "agreed_text": "Jeg samtykker.",
            "flows": [
                {
                    "from_service": str(p.ot.pk),
                    "to_service": str(p.nav.pk),
                    "categories": ["EDUCATION"],
                }
            ],
        },
    ),
    ("youth-timeline", "get"): Case(lambda p: f"/api/v1/youths/{p.youth.pk}/timeline/", FOLLOWING),
    ("entry-detail", "get"): Case(lambda p: f"/api/v1/entries/{_entry(p)}/", NAV_STAFF),
    ("entry-detail", "patch"): Case(
        lambda p: f"/api/v1/entries/{_entry(p)}/",
        {"nav_advisor"},
        body=lambda p: {"text": "Rettet skrivefeil", "version": 1},
        other={"manager": 400},  # sees it, but only the author edits
    ),
    ("entry-delete", "post"): Case(
        lambda p: f"/api/v1/entries/{_entry(p)}/delete/",
        NAV_STAFF,
        ok=204,
        body=lambda p: {"reason": "Ført på feil ungdom"},
    ),
    ("consent-guardian-answer", "post"): Case(
        lambda p: f"/api/v1/consents/{_consent(p)}/guardian-answer/",
        FOLLOWING,
        ok=400,  # reaches it; an adult's own consent waits for no guardian
        body=lambda p: {
            "guardian": "00000000-0000-4000-8000-000000000000",
            "decision": "GIVEN",
            "method": "DIGITAL",
        },
    ),
    ("youth-health-objection", "post"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/health-objection/",
        FOLLOWING,
        ok=400,  # reaches the youth; an adult has no objection to record
        body=lambda p: {"service": str(p.health.pk)},
    ),
    ("youth-health-objection-withdraw", "post"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/health-objection/withdraw/",
        FOLLOWING,
        ok=400,  # reaches the youth; not through a health service of theirs
        body=lambda p: {"service": str(p.health.pk)},
    ),
    ("consent-withdraw", "post"): Case(
        lambda p: f"/api/v1/consents/{_consent(p)}/withdraw/",
        OT_STAFF,  # the consent opens OT's records: OT withdraws it
        body=lambda p: {"method": "DIGITAL"},
        other={"nav_advisor": 400, "manager": 400},  # they reach it, but do not hold
    ),
    ("disclosure-list", "get"): Case(lambda p: "/api/v1/disclosures/", STAFF),
    ("disclosure-list", "post"): Case(
        lambda p: "/api/v1/disclosures/",
        set(),
        body=lambda p: {
            "youth": str(p.youth.pk),
            "from_service": str(p.nav.pk),
            "to_service": str(p.child_welfare.pk),
            "basis": "bvl-13-2",
            "reason": "Grunn til å tro at barnet mishandles",
            "report": "Melding",
        },
        # NAV holds and reaches the youth, but the youth is 19: § 13-2 is about children.
        other={"nav_advisor": 400, "manager": 400},
    ),
    ("referral-list", "get"): Case(
        lambda p: "/api/v1/referrals/?box=outbox", OT_STAFF, denied="empty"
    ),
    ("referral-list", "post"): Case(
        lambda p: "/api/v1/referrals/",
        NAV_STAFF,
        ok=201,
        body=lambda p: {
            "youth": str(p.youth.pk),
            "from_service": str(p.nav.pk),
            "to_service": str(p.health.pk),
            "reason_code": "OTHER",
            "reason": "Behov for helsehjelp",
            "message": "Ungdommen ønsker time",
        },
    ),
    ("referral-detail", "get"): Case(
        lambda p: f"/api/v1/referrals/{_referral(p)}/", OT_STAFF | {"school_counsellor"}
    ),
    ("referral-accept", "post"): Case(
        lambda p: f"/api/v1/referrals/{_referral(p)}/accept/",
        {"school_counsellor"},
        body=lambda p: {"version": 1},
        other={"ot_counsellor": 400, "coordinator": 400},
    ),
    ("referral-decline", "post"): Case(
        lambda p: f"/api/v1/referrals/{_referral(p)}/decline/",
        {"school_counsellor"},
        body=lambda p: {"version": 1, "reason": "Ingen ledig plass"},
        other={"ot_counsellor": 400, "coordinator": 400},
    ),
    ("referral-withdraw", "post"): Case(
        lambda p: f"/api/v1/referrals/{_referral(p)}/withdraw/",
        OT_STAFF,
        body=lambda p: {"version": 1},
        other={"school_counsellor": 400},
    ),
    ("referral-close", "post"): Case(
        lambda p: f"/api/v1/referrals/{_referral(p)}/close/",
        set(),
        body=lambda p: {"version": 1},
        other={"ot_counsellor": 400, "coordinator": 400, "school_counsellor": 400},
    ),
    ("referral-reroute", "post"): Case(
        lambda p: f"/api/v1/referrals/{_referral(p)}/reroute/",
        set(),
        body=lambda p: {"version": 1, "to_service": str(p.health.pk)},
        other={"ot_counsellor": 400, "coordinator": 400, "school_counsellor": 400},
    ),
    ("handover-list", "get"): Case(lambda p: "/api/v1/handovers/", NAV_STAFF, denied="empty"),
    ("handover-list", "post"): Case(
        lambda p: "/api/v1/handovers/",
        OT_STAFF,
        ok=201,
        body=lambda p: {"period": _ot_period(p), "to_service": str(p.school.pk)},
    ),
    ("handover-accept", "post"): Case(
        lambda p: f"/api/v1/handovers/{_handover(p)}/accept/",
        {"manager"},
        other={"nav_advisor": 400},
    ),
    ("handover-decline", "post"): Case(
        lambda p: f"/api/v1/handovers/{_handover(p)}/decline/",
        NAV_STAFF,
        body=lambda p: {"reason": "Har ikke kapasitet"},
    ),
    ("access-log-list", "get"): Case(
        lambda p: "/api/v1/access-log/", {"privacy_officer"}, denied=403
    ),
    # A request for access made on paper: the privacy officer of NAV, which follows the youth.
    ("access-request", "post"): Case(
        lambda p: "/api/v1/access-requests/",
        {"privacy_officer"},
        denied=403,  # the attempt on the youth logged as refused
        body=lambda p: {"national_id": p.youth.national_id},
    ),
    # NAV follow-up: work-and-welfare information of the NAV office. OT follows the youth too
    # but has no consent for it: the youth is reachable, the decisions list comes back empty.
    ("youth-decisions", "get"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/decisions/",
        NAV_STAFF,
        other={"ot_counsellor": 200, "coordinator": 200},
    ),
    ("youth-decisions", "post"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/decisions/",
        NAV_STAFF,
        ok=201,
        body=lambda p: {
            "service": str(p.nav.pk),
            "innsatsgruppe": "SPESIELT_TILPASSET_INNSATS",
            "main_goal": "SKAFFE_ARBEID",
            "decided_on": timezone.localdate().isoformat(),
        },
    ),
    ("activity-plan-list", "get"): Case(
        lambda p: "/api/v1/activity-plans/", NAV_STAFF, denied="empty"
    ),
    ("activity-plan-list", "post"): Case(
        lambda p: "/api/v1/activity-plans/",
        NAV_STAFF,
        ok=400,  # allowed, but the period already has its plan (created in _shared_records)
        body=lambda p: {"youth": str(p.youth.pk), "service": str(p.nav.pk)},
    ),
    ("activity-plan-detail", "get"): Case(
        lambda p: f"/api/v1/activity-plans/{_plan(p)}/", NAV_STAFF
    ),
    ("activity-plan-approve", "post"): Case(
        lambda p: f"/api/v1/activity-plans/{_plan(p)}/approve/",
        NAV_STAFF,
        body=lambda p: {"version": 1},
    ),
    ("activity-plan-activities", "post"): Case(
        lambda p: f"/api/v1/activity-plans/{_plan(p)}/activities/",
        NAV_STAFF,
        ok=201,
        body=lambda p: {"type": "MOTE", "title": "Møte med veileder"},
    ),
    ("activity-plan-cards", "post"): Case(
        lambda p: f"/api/v1/activity-plans/{_plan(p)}/cards/",
        NAV_STAFF,
        ok=201,
        body=lambda p: {
            "source": "TILTAKSARRANGOR",
            "external_id": "kort-1",
            "type": "EKSTERNAKTIVITET",
            "title": "Arbeidstrening",
        },
    ),
    ("activity-detail", "get"): Case(lambda p: f"/api/v1/activities/{_activity(p)}/", NAV_STAFF),
    ("activity-detail", "patch"): Case(
        lambda p: f"/api/v1/activities/{_activity(p)}/",
        NAV_STAFF,
        body=lambda p: {"version": 1, "status": "GJENNOMFORES"},
    ),
    ("activity-versions", "get"): Case(
        lambda p: f"/api/v1/activities/{_activity(p)}/versions/", NAV_STAFF
    ),
    ("activity-comments", "get"): Case(
        lambda p: f"/api/v1/activities/{_activity(p)}/comments/", NAV_STAFF
    ),
    ("activity-comments", "post"): Case(
        lambda p: f"/api/v1/activities/{_activity(p)}/comments/",
        NAV_STAFF,
        ok=201,
        body=lambda p: {"text": "Vi snakket om fristen"},
    ),
    ("activity-change-requests", "get"): Case(
        lambda p: f"/api/v1/activities/{_activity(p)}/change-requests/", NAV_STAFF
    ),
    ("activity-change-request-answer", "post"): Case(
        lambda p: f"/api/v1/activities/{_activity(p)}/change-requests/{_change_request(p)}/answer/",
        NAV_STAFF,
        body=lambda p: {"outcome": "DECLINED", "answer": "Fristen står"},
    ),
    # A consent OT asks the youth for on Min side: OT's staff ask; who follows sees OT's.
    ("youth-consent-requests", "get"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/consent-requests/", FOLLOWING
    ),
    ("youth-consent-requests", "post"): Case(
        lambda p: f"/api/v1/youths/{p.youth.pk}/consent-requests/",
        OT_STAFF,
        ok=201,
        body=lambda p: {
            "template": "skole",
            "from_service": str(p.ot.pk),
            "to_service": str(p.nav.pk),
        },
    ),
    # Deadlines are the working records of the responsible service.
    ("deadline-list", "get"): Case(
        lambda p: "/api/v1/deadlines/",
        {"nav_advisor", "coordinator"},  # the activity's frist; the plan's review date
        denied="empty",
    ),
    ("deadline-detail", "get"): Case(
        lambda p: f"/api/v1/deadlines/{_activity_deadline(p)}/", NAV_STAFF
    ),
    ("deadline-rule-list", "get"): Case(lambda p: "/api/v1/deadline-rules/", STAFF),
    ("my-reminder-preference", "get"): Case(lambda p: "/api/v1/me/reminder-preference/", STAFF),
    ("my-reminder-preference", "put"): Case(
        lambda p: "/api/v1/me/reminder-preference/", STAFF, body=lambda p: {"mode": "DAILY"}
    ),
    ("report-youth-guarantee", "get"): Case(
        lambda p: f"/api/v1/reports/youth-guarantee/?service={p.nav.pk}", NAV_STAFF
    ),
    # OT's registrations by reason: staff of that OT service only (others: 404, not theirs).
    ("report-ot-registrations", "get"): Case(
        lambda p: f"/api/v1/reports/ot-registrations/?service={p.ot.pk}", OT_STAFF
    ),
    # Plans: OT holds the individual plan, NAV sees it through the plan consent; only the
    # coordinator (eva.koord) edits it, the others who see it get a 400 with the reason.
    ("plan-list", "get"): Case(lambda p: "/api/v1/plans/", FOLLOWING, denied="empty"),
    ("plan-list", "post"): Case(
        lambda p: "/api/v1/plans/",
        FOLLOWING,
        ok=400,  # the youth already has a plan (or the caller does not work in the service)
        body=lambda p: {"youth": str(p.youth.pk), "kind": "STAFETTLOGG", "service": str(p.ot.pk)},
    ),
    ("plan-detail", "get"): Case(lambda p: f"/api/v1/plans/{_ip(p).pk}/", FOLLOWING),
    ("plan-detail", "patch"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/",
        {"coordinator"},
        body=lambda p: {"version": _ip(p).version, "needs": "Bolig"},
        other=COORDINATOR_ONLY,
    ),
    ("plan-activate", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/activate/",
        FOLLOWING,
        ok=400,  # already active
        body=lambda p: {"version": _ip(p).version},
    ),
    ("plan-close", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/close/",
        {"coordinator"},
        body=lambda p: {"version": _ip(p).version, "reason": "GOALS_REACHED"},
        other=COORDINATOR_ONLY,
    ),
    ("plan-convert", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/convert/",
        FOLLOWING,
        ok=400,  # already an individual plan
        body=lambda p: {
            "version": _ip(p).version,
            "consent": {"giver": "SUBJECT", "method": "DIGITAL", "agreed_text": "Ja"},
        },
    ),
    ("plan-participants", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/participants/",
        {"coordinator"},
        ok=201,
        body=lambda p: {"kind": "RELATIVE", "name": "Kari Hansen", "relation": "mor"},
        other=COORDINATOR_ONLY,
    ),
    ("plan-goals", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/goals/",
        {"coordinator"},
        ok=201,
        body=lambda p: {"title": "Bolig", "parent": str(_goal(p).pk)},
        other=COORDINATOR_ONLY,
    ),
    ("plan-measures", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/measures/",
        {"coordinator"},
        ok=201,
        body=lambda p: {"goal": str(_goal(p).pk), "title": "Jobbklubb", "service": str(p.nav.pk)},
        other=COORDINATOR_ONLY,
    ),
    ("plan-reviews", "get"): Case(lambda p: f"/api/v1/plans/{_ip(p).pk}/reviews/", FOLLOWING),
    ("plan-reviews", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/reviews/",
        {"coordinator"},
        ok=201,
        body=lambda p: {
            "version": _ip(p).version,
            "held_on": timezone.localdate().isoformat(),
            "next_review_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        },
        other=COORDINATOR_ONLY,
    ),
    ("plan-history", "get"): Case(lambda p: f"/api/v1/plans/{_ip(p).pk}/history/", FOLLOWING),
    ("plan-coordinator", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/coordinator/",
        {"coordinator"},
        ok=201,
        body=lambda p: {"to_user": "ingrid.nav", "to_service": str(p.nav.pk)},
        other=COORDINATOR_ONLY,
    ),
    ("plan-coordinator-accept", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/coordinator/accept/",
        FOLLOWING,
        ok=400,  # nothing pending (the handover test walks the whole way)
    ),
    ("plan-coordinator-decline", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/coordinator/decline/",
        FOLLOWING,
        ok=400,
        body=lambda p: {"reason": "Nei"},
    ),
    ("plan-permissions", "get"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/permissions/", FOLLOWING
    ),
    ("plan-permissions", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/permissions/",
        {"coordinator"},
        body=lambda p: {"user": "ingrid.nav", "permission": "edit_plan_goals"},
        other=COORDINATOR_ONLY,
    ),
    ("plan-permissions-revoke", "post"): Case(
        lambda p: f"/api/v1/plans/{_ip(p).pk}/permissions/revoke/",
        {"coordinator"},
        body=lambda p: {"user": "ingrid.nav", "permission": "edit_plan_goals"},
        other=COORDINATOR_ONLY,
    ),
    ("plan-dashboard", "get"): Case(lambda p: "/api/v1/plans/dashboard/", STAFF),
    ("plan-participant-detail", "patch"): Case(
        lambda p: f"/api/v1/plan-participants/{_ip_part(p).pk}/",
        {"coordinator"},
        body=lambda p: {"version": _ip_part(p).version, "contribution": "Arbeidstrening"},
        other=COORDINATOR_ONLY,
    ),
    ("plan-participant-remove", "post"): Case(
        lambda p: f"/api/v1/plan-participants/{_ip_part(p).pk}/remove/",
        {"coordinator"},
        body=lambda p: {"version": _ip_part(p).version},
        other=COORDINATOR_ONLY,
    ),
    ("plan-goal-detail", "patch"): Case(
        lambda p: f"/api/v1/plan-goals/{_goal(p).pk}/",
        {"coordinator"},
        body=lambda p: {"version": _goal(p).version, "title": "Fast jobb"},
        other=COORDINATOR_ONLY,
    ),
    ("plan-goal-remove", "post"): Case(
        lambda p: f"/api/v1/plan-goals/{_goal(p).pk}/remove/",
        FOLLOWING,
        ok=400,  # it still has a measure
        body=lambda p: {"version": _goal(p).version},
    ),
    ("plan-measure-detail", "patch"): Case(
        lambda p: f"/api/v1/plan-measures/{_measure(p).pk}/",
        {"coordinator", "nav_advisor"},  # the coordinator, and the person responsible for it
        body=lambda p: {"version": _measure(p).version, "status": "ONGOING"},
        other={"ot_counsellor": 400, "manager": 400},
    ),
    ("plan-measure-remove", "post"): Case(
        lambda p: f"/api/v1/plan-measures/{_measure(p).pk}/remove/",
        {"coordinator"},
        body=lambda p: {"version": _measure(p).version},
        other=COORDINATOR_ONLY,
    ),
    ("child-coordinator-list", "get"): Case(
        lambda p: f"/api/v1/child-coordinators/?youth={p.youth.pk}", FOLLOWING
    ),
    ("child-coordinator-list", "post"): Case(
        lambda p: "/api/v1/child-coordinators/",
        FOLLOWING,
        ok=400,  # the youth is 19: the right is for children
        body=lambda p: {
            "youth": str(p.youth.pk),
            "service": str(p.nav.pk),
            "decided_on": timezone.localdate().isoformat(),
            "serious_condition": True,
            "needs_complex_services": True,
            "reasons": "Alvorlig sykdom",
        },
    ),
    ("child-coordinator-appoint", "post"): Case(
        lambda p: f"/api/v1/child-coordinators/{_child_coordinator(p)}/appoint/",
        FOLLOWING,
        ok=400,  # the right was not granted
        body=lambda p: {"coordinator": "ingrid.nav"},
    ),
    ("child-coordinator-end", "post"): Case(
        lambda p: f"/api/v1/child-coordinators/{_child_coordinator(p)}/end/",
        NAV_STAFF,
        body=lambda p: {"reasons": "Flyttet"},
        other={"ot_counsellor": 400, "coordinator": 400},
    ),
    ("plan-print", "get"): Case(
        lambda p: f"/plans/{_ip(p).pk}/print/", FOLLOWING, session=True, anonymous=(302,)
    ),
}


def _routes(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield prefix + str(pattern.pattern), namespace, pattern


def _methods(pattern: URLPattern) -> set[str]:
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:
        return set(actions) - {"head", "options"}  # both mirror GET
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        allowed = set(view_class.http_method_names)
        return {
            m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)
        } & allowed
    if hasattr(callback, "http_methods"):  # pages: coordination.pages.base.methods
        return set(callback.http_methods)
    return {"post"} if pattern.name == "set_language" else {"get"}


def routes_in_url_conf() -> set[tuple[str, str]]:
    """(namespace:name, method) for every non-admin route; the admin has its own tests."""
    return {
        (f"{namespace}{pattern.name}" if pattern.name else route, method)
        for route, namespace, pattern in _routes(get_resolver().url_patterns)
        if not route.startswith("admin/")
        for method in _methods(pattern)
    }


def test_every_route_has_an_entry_in_the_matrix() -> None:
    assert routes_in_url_conf() == set(MATRIX)


@pytest.fixture(scope="module")
def matrix_people(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """People and shared records built once for the module, inside a transaction that is rolled
    back at the end; each test runs in a savepoint within it (pytest-django's ``db``), so every
    test starts from the same records at a fraction of the cost of building them again."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        people = build_people()
        _shared_records(people)
        yield people
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def matrix_sessions(matrix_people: Any, django_db_blocker: Any) -> dict[int, str]:
    """A signed-in session of each staff role's user (by id), made once for the module in its
    transaction: a log-in writes the session, the user's last log-in and the lock-out's
    records, and each test's writes to the session are rolled back with the test."""
    sessions = {}
    with django_db_blocker.unblock():
        for role in sorted(STAFF):
            user = getattr(matrix_people, role)
            client = Client()
            client.force_login(user)
            sessions[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


@pytest.fixture
def people_with_records(matrix_people: Any, db: Any) -> Any:
    return matrix_people


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]}:{r[1]}")
def test_permission_matrix(
    people_with_records: Any, matrix_sessions: dict[int, str], route: tuple[str, str], role: str
) -> None:
    people = people_with_records
    case = MATRIX[route]
    client = APIClient()
    if role != "anonymous" and case.session:
        client.cookies[settings.SESSION_COOKIE_NAME] = matrix_sessions[getattr(people, role).pk]
    elif role != "anonymous":
        client.force_authenticate(getattr(people, role))
    method = getattr(client, route[1])
    url = case.path(people)
    response = method(url, case.body(people), format="json") if route[1] != "get" else method(url)

    if role == "anonymous" and role not in case.allowed:
        assert response.status_code in case.anonymous
    elif role in case.other:
        assert response.status_code == case.other[role], response.content[:300]
    elif role in case.allowed:
        assert response.status_code == case.ok, response.content[:300]
    elif case.denied == "empty":
        assert response.status_code == 200
        assert response.json()["count"] == 0
    else:
        assert response.status_code == case.denied, response.content[:300]
