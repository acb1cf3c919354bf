"""Every look at a youth is in the access log: a walk over the URL conf and the admin.

The routes are the URL conf's (``routes_in_url_conf``, the permission matrix's walker), each
called once with a call that succeeds: the matrix's, as the first role it allows, or one of
``CALLS`` where the matrix's call is refused on purpose or needs other records. Then:

- an answer with a body that is about a youth (the youth's id, name or identity number, or the
  id of a record about the youth, in the request or the answer) has a granted access-log row for
  that youth by the caller; an answer without a body (a redirect, 204) shows nothing;
- the same call by a staff member of an unrelated service (the outsider) shows nothing of the
  youth, and where it names the youth (or a record about it) it is refused with a 404 and a
  refused row for the youth, which the 404 did not roll back.

A new route that answers with youth data and writes no row fails here. What is deliberately
left out is listed with its reason: ``NO_YOUTH_DATA`` (checked: their answers name no youth)
and ``NOT_LOGGED``.

The admin: every registered ModelAdmin whose model leads to a youth by foreign keys, its list
and the page of a record about the youth, the same way (a refusal there is the admin's redirect
to its index).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import portal, services
from cases.models import (
    Activity,
    ConsentRequest,
    FollowUpPeriod,
    Guardian,
    PortalAccount,
    Referral,
    ServiceKind,
    StaffRole,
    Youth,
)
from consent.models import AccessLogEntry, Consent
from consent.services import Flow
from coordination.models import Plan, PlanGoal, PlanKind
from coordination.plans import services as plan_services
from tests import factories
from tests.test_permission_matrix import (
    MATRIX,
    ROLES,
    matrix_people,  # noqa: F401  (the matrix's records, built once for this module too)
    matrix_sessions,  # noqa: F401  (and its staff's sessions)
    routes_in_url_conf,
)

Route = tuple[str, str]


@pytest.fixture
def records(matrix_people: Any, db: Any) -> Any:  # noqa: F811
    """The matrix's people and records; each test runs in a savepoint within them."""
    return matrix_people


@pytest.fixture
def sessions(matrix_sessions: dict[int, str]) -> dict[int, str]:  # noqa: F811
    """The matrix's signed-in sessions of its staff, by user id."""
    return matrix_sessions


# Routes whose answers hold no youth data (checked: the walk's call names no youth).
NO_YOUTH_DATA: dict[Route, str] = {
    ("health", "get"): "the service's own health",
    ("schema", "get"): "the API's description",
    ("swagger-ui", "get"): "the API's description",
    ("auth-token", "post"): "a token for the caller",
    ("my-tokens", "get"): "the caller's own tokens, without their secrets",
    ("token-revoke", "post"): "one of the caller's own tokens",
    ("pages:api-tokens", "get"): "the caller's own tokens, without their secrets, as a page",
    ("pages:api-tokens", "post"): "a token for the caller, as a page",
    ("pages:api-token-revoke", "post"): "one of the caller's own tokens, as a page",
    ("my-memberships", "get"): "the caller's own services and roles",
    ("service-list", "get"): "the service registry",
    ("service-detail", "get"): "the service registry",
    ("service-clearances", "post"): "a service's staff and their clearances",
    ("service-staff", "get"): "a service's staff and their roles",
    ("service-invitations", "get"): "a service's invitations to new staff",
    ("service-invitations", "post"): "an invitation to a new staff member",
    ("invitation-revoke", "post"): "an invitation to a new staff member",
    ("membership-role", "post"): "a staff member's role",
    ("membership-end", "post"): "a staff member's role",
    ("pages:team", "get"): "a service's staff and invitations, as a page",
    ("staff-invitation", "get"): "the invited person's page: the service, role and inviter",
    ("staff-invitation", "post"): "the invited person's acceptance",
    ("deadline-rule-list", "get"): "the deadline rules",
    ("my-reminder-preference", "get"): "the caller's own reminder choice",
    ("my-reminder-preference", "put"): "the caller's own reminder choice",
    ("pages:notifications", "get"): "the caller's own reminder choice, as a page",
    ("pages:notifications", "post"): "the caller's own reminder choice, as a page",
    ("report-youth-guarantee", "get"): "counts of a NAV office, no youth named",
    ("report-ot-registrations", "get"): "counts of an OT service, no youth named",
    ("pages:compliance", "get"): "counts of a NAV office, no youth named",
    ("pages:access-request", "get"): "the empty form for a request for access made on paper",
    ("pages:youth-new", "get"): "the empty form for registering a youth",
    ("login-totp", "get"): "the code step of a password log-in, or setting up the authenticator",
    **{
        (f"oidc-{client}-login", "get"): "the start of a log-in: a redirect to the provider"
        for client in ("staff", "idporten")
    },
    **{
        (f"oidc-{client}-callback", "get"): "the end of a log-in: to the landing page, or why not"
        for client in ("staff", "idporten")
    },
}

# Routes that show youth data and write no granted row, on purpose. Refused attempts on them
# are still walked.
NOT_LOGGED: dict[Route, str] = {
    ("access-log-list", "get"): (
        "the privacy officer reads the log itself (who looked, when): its rows name youths by "
        "id, and logging that reading would log the log"
    ),
    ("pages:access-log", "get"): (
        "the same as access-log-list, as a page; a youth a search names by name is logged "
        "(access-log-search)"
    ),
    ("portal:youth", "get"): (
        "the youth's (or a guardian's) own look at Min side is not a service's look "
        "(docs/access.md)"
    ),
    ("portal:thread", "get"): "the youth's own thread with a contact person, as the page",
    ("portal:thread", "post"): "the youth's own answer in a thread, as the page",
    ("portal:activity", "get"): "the youth's own activity in NAV's plan, as the page",
    ("portal:activity", "post"): "the youth's own comment on their activity, as the page",
    ("portal:consent-request", "get"): "a consent the youth is asked for, as the page",
    ("portal:consent-request", "post"): "the youth's own answer to it, as the page",
    ("portal:copy-pdf", "get"): "the youth's own copy, as the page (docs/access.md)",
    ("portal:copy-json", "get"): "the youth's own copy, as the page (docs/access.md)",
    ("portal:notices", "get"): "the youth's own choice of where notices go, as the page",
    ("portal:notices", "post"): "the youth's own choice of where notices go, as the page",
}


@dataclasses.dataclass
class Walk:
    """One call: who makes it, where, with what, and which youth it is about."""

    user: Any
    url: str
    body: dict[str, Any] = dataclasses.field(default_factory=dict)
    youth: Youth | None = None  # None: the youth the answer names (a new one)
    session: bool = False
    form: bool = False  # a page's form: the body as a browser posts it


def _child(p: Any) -> tuple[Youth, list[Guardian]]:
    """A child of 14 the health service and NAV follow, with two parents who hold parental
    responsibility."""
    child = factories.register_youth(
        p.health_nurse, p.health, birth_date=factories.years_ago(14), first_name="Sara"
    )
    factories.follow(p.nav_advisor, p.nav, child)
    guardians = [
        services.guardian_add(
            actor=p.health_nurse,
            youth=child,
            full_name=name,
            relation="PARENT",
            has_parental_responsibility=True,
        )
        for name in ("Kari Berg", "Per Berg")
    ]
    return child, guardians


def _adult(p: Any) -> Youth:
    """Another youth NAV follows, with no records yet."""
    return factories.register_youth(p.nav_advisor, p.nav, first_name="Nils", last_name="Dahl")


def _register(p: Any) -> Walk:
    body = {**MATRIX[("youth-list", "post")].body(p)}
    return Walk(p.nav_advisor, "/api/v1/youths/", body, youth=None)


def _period_open(p: Any) -> Walk:
    # A service of the caller's that does not follow the youth yet.
    services.membership_add(actor=None, user=p.nav_advisor, service=p.school, role="CASEWORKER")
    body = {"youth": str(p.youth.pk), "service": str(p.school.pk), "reason": "Samarbeid"}
    return Walk(p.nav_advisor, "/api/v1/follow-up-periods/", body, p.youth)


def _guardian_answer(p: Any) -> Walk:
    child, (first, second) = _child(p)
    consent = services.consent_give(
        actor=p.health_nurse,
        youth=child,
        decision="GIVEN",
        giver="GUARDIANS",
        guardians=[first],  # the second parent's answer is still needed
        child_view="Sara vil at de snakker sammen.",
        purpose_code="SAMARBEID",
        purpose="Helsestasjonen og NAV samarbeider.",
        method="SIGNED_FORM",
        agreed_text="Vi samtykker.",
        flows=[Flow(categories=["HEALTH"], from_party=p.health, to_party=p.nav)],
    )
    body = {"guardian": str(second.pk), "decision": "GIVEN", "method": "DIGITAL"}
    return Walk(p.health_nurse, f"/api/v1/consents/{consent.pk}/guardian-answer/", body, child)


def _objection(p: Any, *, standing: bool = False) -> Walk:
    """The health service records (or, with ``standing``, withdraws) a child's objection."""
    child, _guardians = _child(p)
    url = f"/api/v1/youths/{child.pk}/health-objection/"
    if standing:
        services.health_objection_record(actor=p.health_nurse, youth=child, service=p.health)
        url += "withdraw/"
    return Walk(p.health_nurse, url, {"service": str(p.health.pk)}, child)


def _ug90_youths(p: Any) -> Walk:
    """A youth NAV follows with spesielt tilpasset innsats: in UG-90's group, listed by the
    compliance page's figure."""
    youth = _adult(p)
    services.decision_record(
        actor=p.nav_advisor,
        youth=youth,
        service=p.nav,
        innsatsgruppe="SPESIELT_TILPASSET_INNSATS",
        main_goal="SKAFFE_ARBEID",
        decided_on=timezone.localdate(),
    )
    today = timezone.localdate().isoformat()
    url = (
        f"/reports/youth-guarantee/youths/?service={p.nav.pk}&start={today}&end={today}"
        "&rule=UG-90&status=group"
    )
    return Walk(p.manager, url, youth=youth, session=True)


def _disclosure_body(p: Any, child: Youth) -> dict[str, Any]:
    return {
        "youth": str(child.pk),
        "from_service": str(p.nav.pk),
        "to_service": str(p.child_welfare.pk),
        "basis": "bvl-13-2",
        "reason": "Grunn til å tro at barnet mishandles",
        "report": "Melding",
    }


def _disclose(p: Any) -> Walk:
    child, _guardians = _child(p)
    return Walk(p.nav_advisor, "/api/v1/disclosures/", _disclosure_body(p, child), child)


def _disclosures(p: Any) -> Walk:
    walk = _disclose(p)
    response = _client(walk).post(walk.url, walk.body, format="json")
    assert response.status_code == 201, response.content[:300]
    return Walk(p.nav_advisor, "/api/v1/disclosures/?side=sent", youth=walk.youth)


def _activity_plan_create(p: Any) -> Walk:
    youth = _adult(p)
    body = {"youth": str(youth.pk), "service": str(p.nav.pk)}
    return Walk(p.nav_advisor, "/api/v1/activity-plans/", body, youth)


def _plan_create(p: Any) -> Walk:
    youth = _adult(p)
    body = {"youth": str(youth.pk), "kind": "STAFETTLOGG", "service": str(p.nav.pk)}
    return Walk(p.nav_advisor, "/api/v1/plans/", body, youth)


def _draft(p: Any) -> Plan:
    """A stafettlogg in draft for another youth, coordinated by NAV's advisor."""
    return plan_services.plan_create(
        actor=p.nav_advisor,
        youth=_adult(p),
        kind=PlanKind.STAFETTLOGG,
        service=p.nav,
        coordinator=p.nav_advisor,
        consent=None,
        participants=[],
        values={"next_review_on": timezone.localdate() + datetime.timedelta(days=30)},
    )


def _plan_activate(p: Any) -> Walk:
    plan = _draft(p)
    url = f"/api/v1/plans/{plan.pk}/activate/"
    return Walk(p.nav_advisor, url, {"version": plan.version}, plan.youth)


def _plan_convert(p: Any) -> Walk:
    plan = _draft(p)
    body = {
        "version": plan.version,
        "consent": {"giver": "SUBJECT", "method": "DIGITAL", "agreed_text": "Ja"},
    }
    return Walk(p.nav_advisor, f"/api/v1/plans/{plan.pk}/convert/", body, plan.youth)


def _coordinator_offered(p: Any) -> Plan:
    plan = Plan.objects.get()
    plan_services.coordinator_offer(
        actor=p.coordinator, plan=plan, to_user=p.nav_advisor, to_service=p.nav
    )
    return plan


def _coordinator_accept(p: Any) -> Walk:
    plan = _coordinator_offered(p)
    return Walk(p.nav_advisor, f"/api/v1/plans/{plan.pk}/coordinator/accept/", {}, p.youth)


def _coordinator_decline(p: Any) -> Walk:
    plan = _coordinator_offered(p)
    url = f"/api/v1/plans/{plan.pk}/coordinator/decline/"
    return Walk(p.nav_advisor, url, {"reason": "Nei"}, p.youth)


def _goal_remove(p: Any) -> Walk:
    goal = plan_services.goal_add(actor=p.coordinator, plan=Plan.objects.get(), title="Bolig")
    url = f"/api/v1/plan-goals/{goal.pk}/remove/"
    return Walk(p.coordinator, url, {"version": goal.version}, p.youth)


def _child_coordinator_body(p: Any, child: Youth) -> dict[str, Any]:
    return {
        "youth": str(child.pk),
        "service": str(p.health.pk),
        "decided_on": timezone.localdate().isoformat(),
        "serious_condition": True,
        "needs_complex_services": True,
        "reasons": "Alvorlig sykdom",
    }


def _child_coordinator(p: Any) -> Walk:
    child, _guardians = _child(p)
    body = _child_coordinator_body(p, child)
    return Walk(p.health_nurse, "/api/v1/child-coordinators/", body, child)


def _child_coordinator_appoint(p: Any) -> Walk:
    child, _guardians = _child(p)
    record = plan_services.child_coordinator_record(
        actor=p.health_nurse,
        youth=child,
        service=p.health,
        decided_on=timezone.localdate(),
        serious_condition=True,
        needs_complex_services=True,
        reasons="Alvorlig sykdom",
    )
    url = f"/api/v1/child-coordinators/{record.pk}/appoint/"
    return Walk(p.health_nurse, url, {"coordinator": p.health_nurse.username}, child)


def _answered(p: Any, answer: str) -> Referral:
    referral = Referral.objects.get()
    if answer == "accept":
        return services.referral_accept(
            actor=p.school_counsellor, referral=referral, version=referral.version
        )
    return services.referral_decline(
        actor=p.school_counsellor, referral=referral, version=referral.version, reason="Fullt"
    )


def _referral_close(p: Any) -> Walk:
    referral = _answered(p, "accept")
    url = f"/api/v1/referrals/{referral.pk}/close/"
    return Walk(p.ot_counsellor, url, {"version": referral.version}, p.youth)


def _referral_reroute(p: Any) -> Walk:
    referral = _answered(p, "decline")
    # Another school: the youth's consent lets OT share education with schools.
    school = factories.make_service(ServiceKind.SCHOOL, "Porsgrunn videregående skole")
    body = {"version": referral.version, "to_service": str(school.pk), "message": "Prøv her"}
    return Walk(p.ot_counsellor, f"/api/v1/referrals/{referral.pk}/reroute/", body, p.youth)


def _youth_account(p: Any) -> Any:
    """The youth's own log-in to Min side (the matrix's records may have made it)."""
    account = PortalAccount.objects.filter(youth=p.youth, guardian__isnull=True).first()
    if account is None:
        account = portal.account_create(youth=p.youth, username="emma.selv", password="x")
    return account.user


def _portal_home(p: Any) -> Walk:
    return Walk(_youth_account(p), "/me/", youth=p.youth, session=True)


def _portal_youth(p: Any) -> Walk:
    return Walk(_youth_account(p), f"/me/{p.youth.pk}/", youth=p.youth, session=True)


def _portal_thread(p: Any, *, answer: bool = False) -> Walk:
    user = _youth_account(p)
    thread = services.thread_start(
        actor=user, youth=p.youth, service=p.nav, kind="YOUTH", subject="Møte", text="Når?"
    )
    url = f"/me/{p.youth.pk}/threads/{thread.pk}/"
    body = {"text": "Takk"} if answer else {}
    return Walk(user, url, body, youth=p.youth, session=True, form=answer)


def _portal_thread_new(p: Any) -> Walk:
    body = {"service": str(p.nav.pk), "subject": "Møte", "text": "Når er neste møte?"}
    url = f"/me/{p.youth.pk}/threads/"
    return Walk(_youth_account(p), url, body, youth=p.youth, session=True, form=True)


def _portal_withdraw(p: Any) -> Walk:
    consent = Consent.objects.get(purpose_code="SAMARBEID")
    url = f"/me/{p.youth.pk}/consents/{consent.pk}/withdraw/"
    return Walk(_youth_account(p), url, youth=p.youth, session=True)


def _portal_activity(p: Any, *, comment: bool = False) -> Walk:
    url = f"/me/{p.youth.pk}/activities/{Activity.objects.get().pk}/"
    body = {"action": "comment", "text": "Jeg er med"} if comment else {}
    return Walk(_youth_account(p), url, body, youth=p.youth, session=True, form=comment)


def _portal_consent_request(p: Any, *, answer: bool = False) -> Walk:
    url = f"/me/{p.youth.pk}/consent-requests/{ConsentRequest.objects.get().pk}/"
    body = {"decision": "GIVEN"} if answer else {}
    return Walk(_youth_account(p), url, body, youth=p.youth, session=True, form=answer)


def _portal_objection(p: Any) -> Walk:
    url = f"/me/{p.youth.pk}/health-objection/"
    return Walk(_youth_account(p), url, youth=p.youth, session=True)


def _portal_notices(p: Any, *, post: bool = False) -> Walk:
    body = {"email": "ung@example.test", "email_on": "on", "mobile": "912 34 567"} if post else None
    url = f"/me/{p.youth.pk}/notices/"
    return Walk(_youth_account(p), url, body, youth=p.youth, session=True, form=post)


def _portal_copy(file_format: str) -> Callable[[Any], Walk]:
    def walk(p: Any) -> Walk:
        url = f"/me/{p.youth.pk}/copy.{file_format}"
        return Walk(_youth_account(p), url, youth=p.youth, session=True)

    return walk


def _caseload_lookup(p: Any) -> Walk:
    body = {"national_id": p.youth.national_id}
    return Walk(p.nav_advisor, "/youths/", body, p.youth, session=True, form=True)


def _youth_new_page(p: Any) -> Walk:
    body = {**MATRIX[("youth-list", "post")].body(p)}
    return Walk(p.nav_advisor, "/youths/new/", body, youth=None, session=True, form=True)


def _access_log_lookup(p: Any) -> Walk:
    body = {"national_id": p.youth.national_id}
    return Walk(p.privacy_officer, "/access-log/", body, p.youth, session=True, form=True)


def _access_request_page(p: Any) -> Walk:
    body = {"national_id": p.youth.national_id, "file_format": "json"}
    return Walk(p.privacy_officer, "/access-log/requests/", body, p.youth, session=True, form=True)


def _invite_page(p: Any) -> Walk:
    body = {
        "invite-first_name": "Nora",
        "invite-last_name": "Berg",
        "invite-email": "nora.berg.walk@nav.example",
        "invite-role": "CASEWORKER",
    }
    return Walk(p.manager, f"/services/{p.nav.pk}/staff/", body, p.youth, session=True, form=True)


def _as(role: str, route: Route) -> Callable[[Any], Walk]:
    """The matrix's call, as ``role`` (one whose list shows the youth)."""

    def walk(p: Any) -> Walk:
        case = MATRIX[route]
        return Walk(getattr(p, role), case.path(p), case.body(p), p.youth, case.session)

    return walk


# Calls that succeed where the matrix's call is refused on purpose (it checks who may not), or
# where the call needs records the matrix's do not have.
CALLS: dict[Route, Callable[[Any], Walk]] = {
    ("pages:compliance-youths", "get"): _ug90_youths,
    ("youth-list", "post"): _register,
    ("period-list", "post"): _period_open,
    ("consent-guardian-answer", "post"): _guardian_answer,
    ("youth-health-objection", "post"): _objection,
    ("youth-health-objection-withdraw", "post"): lambda p: _objection(p, standing=True),
    ("disclosure-list", "get"): _disclosures,
    ("disclosure-list", "post"): _disclose,
    ("activity-plan-list", "post"): _activity_plan_create,
    ("plan-list", "post"): _plan_create,
    ("plan-activate", "post"): _plan_activate,
    ("plan-convert", "post"): _plan_convert,
    ("plan-coordinator-accept", "post"): _coordinator_accept,
    ("plan-coordinator-decline", "post"): _coordinator_decline,
    ("plan-goal-remove", "post"): _goal_remove,
    ("child-coordinator-list", "post"): _child_coordinator,
    ("child-coordinator-appoint", "post"): _child_coordinator_appoint,
    ("referral-close", "post"): _referral_close,
    ("referral-reroute", "post"): _referral_reroute,
    ("plan-dashboard", "get"): _as("coordinator", ("plan-dashboard", "get")),
    ("pages:day", "get"): _as("coordinator", ("pages:day", "get")),
    ("portal:home", "get"): _portal_home,
    ("portal:youth", "get"): _portal_youth,
    ("portal:withdraw", "post"): _portal_withdraw,
    ("portal:thread", "get"): _portal_thread,
    ("portal:thread", "post"): lambda p: _portal_thread(p, answer=True),
    ("portal:thread-new", "post"): _portal_thread_new,
    ("portal:health-objection", "post"): _portal_objection,
    ("portal:notices", "get"): _portal_notices,
    ("portal:notices", "post"): lambda p: _portal_notices(p, post=True),
    ("portal:activity", "get"): _portal_activity,
    ("portal:activity", "post"): lambda p: _portal_activity(p, comment=True),
    ("portal:consent-request", "get"): _portal_consent_request,
    ("portal:consent-request", "post"): lambda p: _portal_consent_request(p, answer=True),
    ("portal:copy-pdf", "get"): _portal_copy("pdf"),
    ("portal:copy-json", "get"): _portal_copy("json"),
    ("pages:access-request", "post"): _access_request_page,
    ("pages:team", "post"): _invite_page,
    ("pages:caseload", "post"): _caseload_lookup,
    ("pages:youth-new", "post"): _youth_new_page,
    ("pages:access-log", "post"): _access_log_lookup,
}


def _walk(route: Route, p: Any) -> Walk:
    if route in CALLS:
        return CALLS[route](p)
    case = MATRIX[route]
    role = next((r for r in ROLES if r in case.allowed), None)
    assert role is not None, f"{route}: no role may call it; give the walk a call in CALLS"
    return Walk(getattr(p, role), case.path(p), case.body(p), p.youth, case.session)


def _client(walk: Walk, user: Any = None, sessions: dict[int, str] | None = None) -> APIClient:
    """A client of ``user`` (the walk's by default), signed in with its session from
    ``sessions`` where it has one there."""
    client = APIClient()
    user = user or walk.user
    if walk.session and sessions and user.pk in sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[user.pk]
    elif walk.session:
        client.force_login(user)
    else:
        client.force_authenticate(user)
    return client


def _call(walk: Walk, method: str, sessions: dict[int, str], user: Any = None) -> Any:
    client = _client(walk, user, sessions)
    if method == "get":
        return client.get(walk.url)
    return getattr(client, method)(walk.url, walk.body, format="multipart" if walk.form else "json")


# --- What is about a youth ------------------------------------------------------------------


def youth_path(model: type[models.Model], depth: int = 3) -> str | None:
    """The shortest path of foreign keys from ``model`` to ``Youth`` (``pk`` for Youth), or
    None: the rows of a model with such a path are about a youth."""
    if model is Youth:
        return "pk"
    paths: list[tuple[type[models.Model], str]] = [(model, "")]
    for _level in range(depth):
        found: list[tuple[type[models.Model], str]] = []
        for current, prefix in paths:
            for field in current._meta.get_fields():
                if not isinstance(field, models.ForeignKey):
                    continue
                path = f"{prefix}{field.name}"
                if field.related_model is Youth:
                    return path
                found.append((field.related_model, f"{path}__"))
        paths = found
    return None


def about(youth: Youth) -> set[str]:
    """What names the youth: its id, name and identity number, and the ids (UUIDs) of every
    record about it."""
    names = {str(youth.pk), youth.national_id, f"{youth.first_name} {youth.last_name}"}
    for model in apps.get_models():
        path = youth_path(model)
        if path is None or path == "pk" or not isinstance(model._meta.pk, models.UUIDField):
            continue
        ids = model._base_manager.filter(**{path: youth.pk}).values_list("pk", flat=True)
        names |= {str(pk) for pk in ids}
    return names


def _text(walk: Walk, response: Any = None) -> str:
    request = walk.url + json.dumps(walk.body, default=str)
    return request + (response.content.decode() if response is not None else "")


def _names(text: str, youth: Youth) -> bool:
    return any(name in text for name in about(youth))


def _rows(youth: Youth, user: Any, *, granted: bool) -> int:
    return AccessLogEntry.objects.filter(subject_id=youth.pk, actor=user, granted=granted).count()


def _shows_body(response: Any) -> bool:
    return response.status_code not in (204, 301, 302, 303) and bool(response.content)


# --- The walk of the URL conf ---------------------------------------------------------------


def walked_routes() -> list[Route]:
    return sorted(routes_in_url_conf() - set(NO_YOUTH_DATA))


def test_the_walk_covers_the_url_conf_and_its_lists_name_real_routes() -> None:
    routes = routes_in_url_conf()
    assert set(NO_YOUTH_DATA) <= routes
    assert set(NOT_LOGGED) <= routes
    assert set(CALLS) <= routes
    assert not set(NO_YOUTH_DATA) & set(NOT_LOGGED)


def _first_role(route: Route) -> str | None:
    """The first role that may call the route (``ROLES``'s order), if one may."""
    return next((r for r in ROLES if r in MATRIX[route].allowed and r != "anonymous"), None)


@pytest.mark.parametrize(
    "route",
    [r for r in sorted(NO_YOUTH_DATA) if _first_role(r) is not None],  # auth-token: no one
    ids=lambda r: f"{r[0]}:{r[1]}",
)
def test_routes_without_youth_data_name_no_youth(
    records: Any, sessions: dict[int, str], route: Route
) -> None:
    p = records
    case, role = MATRIX[route], _first_role(route)
    assert role is not None
    # A page's form is posted as a browser posts it.
    walk = Walk(getattr(p, role), case.path(p), case.body(p), p.youth, case.session, case.session)
    response = _call(walk, route[1], sessions)
    assert response.status_code < 400, response.content[:300]
    assert not _names(response.content.decode(errors="replace"), p.youth), route


@pytest.mark.parametrize(
    "route", [r for r in walked_routes() if r not in NOT_LOGGED], ids=lambda r: f"{r[0]}:{r[1]}"
)
def test_an_answer_with_youth_data_is_in_the_access_log(
    records: Any, sessions: dict[int, str], route: Route
) -> None:
    p = records
    walk = _walk(route, p)
    before = {}
    if walk.youth is not None:
        before[walk.youth.pk] = _rows(walk.youth, walk.user, granted=True)
    response = _call(walk, route[1], sessions)
    page = not walk.url.startswith("/api/")
    assert response.status_code < 400 or (page and response.status_code == 400), (
        f"the walk's call must succeed: {response.status_code} {response.content[:300]!r}"
    )
    if not _shows_body(response):
        return  # a redirect or no content: nothing of the youth in the answer
    youth = walk.youth or Youth.objects.get(pk=response.json()["id"])
    assert _names(_text(walk, response), youth), (
        f"{route} answers without naming a youth: list it in NO_YOUTH_DATA with its reason, "
        "or give the walk a call whose answer shows the youth"
    )
    assert _rows(youth, walk.user, granted=True) > before.get(youth.pk, 0), (
        f"{route} shows the youth and writes no access-log row"
    )


@pytest.mark.parametrize("route", walked_routes(), ids=lambda r: f"{r[0]}:{r[1]}")
def test_a_refused_attempt_on_a_youth_is_in_the_access_log(
    records: Any, sessions: dict[int, str], route: Route
) -> None:
    p = records
    walk = _walk(route, p)
    youth = walk.youth or p.youth
    named = _names(_text(walk), youth)
    response = _call(walk, route[1], sessions, user=p.outsider)
    assert _rows(youth, p.outsider, granted=True) == 0
    if _shows_body(response):
        assert not _names(response.content.decode(errors="replace"), youth), route
    if named:
        # 404 as for what does not exist; 403 where the route is refused by role (the
        # privacy officer's request for access), whoever the youth
        assert response.status_code in (403, 404), response.content[:300]
        assert _rows(youth, p.outsider, granted=False) >= 1, (
            f"{route}: the refused attempt on the youth is not in the access log"
        )


# --- The walk of the admin ------------------------------------------------------------------


def admin_models() -> list[type[models.Model]]:
    """The models the admin shows whose rows are about a youth."""
    return sorted(
        (model for model in admin.site._registry if youth_path(model) is not None),
        key=lambda model: model._meta.label,
    )


@pytest.fixture
def admin_people(records: Any) -> Iterator[Any]:
    """The records, a guardian and a read of the youth (an access-log row to show), and an
    admin user who works in NAV, OT and the school (so every kind of record shows)."""
    p = records
    services.guardian_add(
        actor=p.nav_advisor,
        youth=p.youth,
        full_name="Kari Hansen",
        relation="PARENT",
        has_parental_responsibility=False,
    )
    client = APIClient()
    client.force_authenticate(p.nav_advisor)
    assert client.get(f"/api/v1/youths/{p.youth.pk}/").status_code == 200
    user = factories.make_staff(
        p.nav, StaffRole.MANAGER, username="walk.admin", is_staff=True, is_superuser=True
    )
    for service in (p.ot, p.school):
        services.membership_add(actor=None, user=user, service=service, role="CASEWORKER")
    users = type(p.outsider).objects
    users.filter(pk=p.outsider.pk).update(is_staff=True, is_superuser=True)
    yield p, user, users.get(pk=p.outsider.pk)


def _record(model: type[models.Model], youth: Youth) -> Any:
    # The way the model's admin finds the youth, where it names one (the reminders' admin shows
    # the reminders of deadlines, not the notices to the youth), else the model's own path.
    field = getattr(admin.site._registry[model], "youth_field", None)
    path = field.removesuffix("_id") if field else youth_path(model) or "pk"
    record = model._base_manager.filter(**{path: youth.pk}).order_by("pk").first()
    assert record is not None, f"the walk's records hold no {model._meta.label} about the youth"
    return record


def _admin_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _admin_id(model: type[models.Model]) -> str:
    return model._meta.label


@pytest.mark.parametrize("model", admin_models(), ids=_admin_id)
def test_the_admin_list_of_youth_data_is_in_the_access_log(
    admin_people: Any, model: type[models.Model]
) -> None:
    p, user, outsider = admin_people
    record = _record(model, p.youth)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    before = _rows(p.youth, user, granted=True)
    response = _admin_client(user).get(url)
    assert response.status_code == 200
    assert str(record.pk) in response.content.decode() or _names(
        response.content.decode(), p.youth
    ), f"{model._meta.label}: the walk's admin user does not see the record"
    assert _rows(p.youth, user, granted=True) == before + 1
    other = _admin_client(outsider).get(url)
    assert other.status_code == 200
    assert not _names(other.content.decode(), p.youth)
    assert _rows(p.youth, outsider, granted=True) == 0


@pytest.mark.parametrize("model", admin_models(), ids=_admin_id)
def test_the_admin_page_of_youth_data_is_in_the_access_log(
    admin_people: Any, model: type[models.Model]
) -> None:
    p, user, outsider = admin_people
    record = _record(model, p.youth)
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[quote(record.pk)]
    )
    before = _rows(p.youth, user, granted=True)
    assert _admin_client(user).get(url).status_code == 200
    assert _rows(p.youth, user, granted=True) == before + 1
    refused = _admin_client(outsider).get(url)
    assert refused.status_code == 302  # the admin's "does not exist": to its index
    assert _rows(p.youth, outsider, granted=True) == 0
    assert _rows(p.youth, outsider, granted=False) == 1


def test_the_admin_walk_covers_the_records_about_youths() -> None:
    shown = {model._meta.label for model in admin_models()}
    assert {
        "cases.Youth",
        "cases.Guardian",
        "cases.FollowUpPeriod",
        "cases.FollowUpEntry",
        "cases.Referral",
        "consent.Consent",
        "coordination.Plan",
    } <= shown
    assert "cases.Service" not in shown and "cases.StaffMembership" not in shown


def test_a_period_in_the_walk_is_about_its_youth(records: Any) -> None:
    """The walk's notion of "about a youth" follows foreign keys: a period's id names it."""
    p = records
    period = FollowUpPeriod.objects.filter(youth=p.youth).first()
    assert period is not None and str(period.pk) in about(p.youth)
    assert str(period.pk) not in about(_adult(p))
    assert youth_path(PlanGoal) == "youth"
