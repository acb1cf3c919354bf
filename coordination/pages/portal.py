"""*Min side*: the youth's (or a guardian's) own page, written to whoever reads it (the youth as
"you", a guardian about the youth by name). Which services follow the youth, the plan in plain
language, consents (what each lets the services share, or could until it ended) with a
confirmation step that says what withdrawing does, why a guardian does not see something, and
who has looked at what, when and on which basis. The rules are in ``cases.portal``."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import consent_texts, oidc, portal
from cases.models import ActivityPlan, HealthObjection, Service
from cases.services import consent_requests
from consent.categories import Category
from consent.models import LegalBasis
from coordination import log_words
from coordination.export import downloads
from coordination.export.copy import youth_copy
from coordination.models import OPEN_PLAN_STATUSES, Plan
from coordination.pages.base import methods, paginate, run_action
from coordination.pages.forms import PortalThreadForm
from coordination.plans import documents
from coordination.plans.views import document_context

LOG_PAGE = 20


@login_required
@methods("get")
def home(request: HttpRequest) -> HttpResponse:
    """One youth: straight to their page; a guardian of several: choose."""
    accounts = portal.accounts_for(request.user)
    if not accounts:
        raise PermissionDenied
    if len(accounts) == 1:
        return redirect("portal:youth", youth_id=accounts[0].youth_id)
    return render(request, "portal/choose.html", {"accounts": accounts})


def _open_plan(youth: Any) -> Plan | None:
    return (
        Plan.objects.filter(youth=youth, status__in=OPEN_PLAN_STATUSES)
        .select_related("service", "coordinator", "youth")
        .first()
    )


@login_required
@methods("get")
def youth(request: HttpRequest, youth_id: uuid.UUID) -> HttpResponse:
    account = portal.account_for(request.user, youth_id)
    person = account.youth
    today = timezone.localdate()
    plan = _open_plan(person)
    activity_plan = (
        ActivityPlan.objects.filter(youth=person, period__ended_on__isnull=True)
        .select_related("period__service")
        .first()
    )

    reason = portal.withholding(account, today)
    hidden = portal.withheld_by(reason)

    def shown(category: str, kind: str | None) -> bool:
        return portal.shown(hidden, category, kind or "")

    consents = [c for c in portal.consents(person) if portal.consent_shown(hidden, c)]
    withheld = portal.withheld_bases()
    whereabouts = portal.reveals_whereabouts(account)
    if not whereabouts:
        plan = activity_plan = None
    log = paginate(
        request, portal.access_log(person, without_health_services=bool(hidden)), LOG_PAGE
    )
    now = timezone.now()
    rows: list[dict[str, Any]] = [
        {
            "consent": c,
            "active": c.is_active(now),
            "withdrawable": portal.may_withdraw(account, c, today),
            "shares": consent_texts.flow_sentences(c, named=whereabouts, now=now),
        }
        for c in consents
    ]
    confirming = next(
        (
            r
            for r in rows
            if r["withdrawable"] and str(r["consent"].pk) == request.GET.get("withdraw")
        ),
        None,
    )
    if confirming is not None:
        confirming["stops"] = consent_texts.withdrawal_sentences(
            confirming["consent"], named=whereabouts
        )
        confirming["plan_stops"] = plan is not None and plan.consent_id == confirming["consent"].pk
    threads = list(portal.threads(account, hidden))
    contacts = portal.contact_services(person) if not account.is_guardian else []
    document = documents.own_document(plan) if plan else None
    if document is not None:
        document = _without(document, shown)
    return render(
        request,
        "portal/youth.html",
        {
            "account": account,
            "youth": person,
            "whereabouts_withheld": not whereabouts,
            "following": [
                p for p in portal.following(person) if shown(Category.GENERAL, p.service.kind)
            ]
            if whereabouts
            else [],
            "plan_context": document_context(document, plan) if document and plan else None,
            "activity_plan": activity_plan,
            "activities": [
                a
                for a in activity_plan.activities.select_related("responsible_service").order_by(
                    "deadline", "created_at"
                )
                if shown(a.category, a.responsible_service.kind)
            ]
            if activity_plan
            else [],
            "consents": rows,
            "consent_requests": [
                {
                    "request": r,
                    "sentences": consent_requests.sentences(r, named=whereabouts),
                    "may_answer": consent_requests.may_answer(account, r, today),
                }
                for r in portal.consent_requests(account, hidden)
            ],
            "threads": threads,
            "thread_form": PortalThreadForm(periods=contacts) if contacts else None,
            "confirming": confirming,
            "withheld_reason": reason,
            "age": person.age_on(today),
            "takeover": portal.takeover(account, today),
            "may_object": portal.may_object(account, today),
            "objects": portal.may_object(account, today)
            and HealthObjection.objects.filter(youth=person, withdrawn_at__isnull=True).exists(),
            "log": log,
            "log_rows": _log_rows(
                [e for e in log if portal.look_shown(hidden, withheld, e)],
                named=whereabouts,
            ),
        },
    )


def _without(document: dict[str, Any], shown: Any) -> dict[str, Any]:
    """The plan without what this account may not see (for a guardian: health from 16)."""

    def kind(part: dict[str, Any]) -> str | None:
        return (part.get("service") or {}).get("kind")

    return {
        **document,
        "goals": [g for g in document["goals"] if shown(g["category"], kind(g))],
        "measures": [m for m in document["measures"] if shown(m["category"], kind(m))],
        "participants": [p for p in document["participants"] if shown(Category.GENERAL, kind(p))],
    }


def _log_rows(entries: Any, *, named: bool = True) -> list[dict[str, Any]]:
    """The page of the access log in plain words; the laws named in one query. Without who and
    which service looked where those would tell where the youth is followed (``named``)."""
    codes = {b.partition(":")[2] for e in entries for b in e.bases if b.startswith("legal:")}
    laws = dict(LegalBasis.objects.filter(code__in=codes).values_list("code", "law_and_section"))
    rows = []
    for entry in entries:
        party: Service | None = entry.party
        rows.append(
            {
                "at": entry.at,
                "who": entry.actor_name if named else "",
                "service": party.name if party and named else "",
                "what": log_words.what_words(entry.items),
                "bases": sorted({log_words.basis_words(b, laws) for b in entry.bases}),
            }
        )
    return rows


@login_required
@methods("get")
def copy(request: HttpRequest, youth_id: uuid.UUID, file_format: str) -> HttpResponse:
    """Everything held about the youth that this account may have, as a file (GDPR art. 15):
    the youth's own copy, or a guardian's with the page's limits. Like the page, not a
    service's look: nothing is written to the access log."""
    account = portal.account_for(request.user, youth_id)
    holder = account.guardian if account.guardian is not None else account.youth
    return downloads.attachment(
        youth_copy(youth=account.youth, account=account, produced_by=holder.full_name),
        file_format,
    )


@login_required
@methods("post")
def withdraw(request: HttpRequest, youth_id: uuid.UUID, consent_id: uuid.UUID) -> Any:
    """The confirmed withdrawal (the page's ``?withdraw=`` step says what it will do): the consent
    stops at once; the services no longer see what it covered."""
    run_action(
        request,
        lambda: portal.withdraw(
            user=request.user,
            youth_id=youth_id,
            consent_id=consent_id,
            assurance_level=oidc.assurance_level(request.session),
        ),
        _("Samtykket er trukket tilbake. Tjenestene kan ikke lenger se det samtykket dekket."),
    )
    return redirect(reverse("portal:youth", args=[youth_id]) + "#consents")


@login_required
@methods("post")
def health_objection(request: HttpRequest, youth_id: uuid.UUID) -> Any:
    """The youth (12 to 15) objects, or no longer objects, to the guardians being told about
    their health."""
    run_action(
        request,
        lambda: portal.objection_toggle(user=request.user, youth_id=youth_id) or True,
        _("Lagret. Foresatte ser bare det du har bestemt."),
    )
    return redirect(reverse("portal:youth", args=[youth_id]) + "#health-objection")
