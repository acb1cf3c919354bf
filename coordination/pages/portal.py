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
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases import portal
from cases.models import ActivityPlan, HealthObjection, Service, ServiceKind
from consent.categories import Category
from consent.models import Decision, LegalBasis
from coordination import log_words
from coordination.export import downloads
from coordination.export.copy import youth_copy
from coordination.models import OPEN_PLAN_STATUSES, Plan
from coordination.pages.base import methods, paginate, run_action
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
            "shares": _shares(c, named=whereabouts, now=now),
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
        confirming["stops"] = _stops(confirming["consent"], named=whereabouts)
        confirming["plan_stops"] = plan is not None and plan.consent_id == confirming["consent"].pk
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


def _party(party: Any, kind: str, *, named: bool) -> str:
    """A service by its name, or only by its kind where its name would tell where the youth is
    (``portal.reveals_whereabouts``)."""
    if party is not None and named:
        return str(party.name)
    return str(ServiceKind(party.kind if party is not None else kind).label)


def _flows(consent: Any, *, named: bool) -> list[dict[str, str]]:
    """The consent's flows by source and target, with the categories in words."""
    rows: dict[tuple[str, str], list[str]] = {}
    for scope in consent.scopes.all():
        source = _party(scope.from_party, scope.from_kind, named=named)
        target = _party(scope.to_party, scope.to_kind, named=named)
        rows.setdefault((source, target), []).append(str(scope.get_category_display()).lower())
    return [
        {"source": s, "target": t, "what": ", ".join(sorted(set(w)))}
        for (s, t), w in sorted(rows.items())
    ]


def _day(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


def _shares(consent: Any, *, named: bool = True, now: Any = None) -> list[str]:
    """In plain words, in the tense of the consent's state: which service may share what with
    whom, could until the consent ended (withdrawn or expired), may from a day to come, or may
    not (refused, or waiting for the guardians' answer)."""
    now = now or timezone.now()
    ended = consent.withdrawn_at or (
        consent.valid_until if consent.valid_until and consent.valid_until <= now else None
    )
    if consent.decision == Decision.REFUSED:
        text = _("%(source)s får ikke dele %(what)s med %(target)s")
    elif consent.decision == Decision.PENDING:
        text = _("%(source)s kan dele %(what)s med %(target)s når foresatte har sagt ja")
    elif ended is not None:
        text = _("%(source)s kunne dele %(what)s med %(target)s til %(day)s")
    elif consent.valid_from > now:
        text = _("%(source)s kan dele %(what)s med %(target)s fra %(day)s")
        ended = consent.valid_from
    else:
        text = _("%(source)s kan dele %(what)s med %(target)s")
    day = _day(ended) if ended is not None else ""
    return [text % {**flow, "day": day} for flow in _flows(consent, named=named)]


def _stops(consent: Any, *, named: bool = True) -> list[str]:
    """What withdrawing the consent stops, per receiving service, in plain words."""
    return [
        _("%(target)s får ikke lenger se %(what)s fra %(source)s")
        % {"source": f["source"], "target": f["target"], "what": f["what"]}
        for f in _flows(consent, named=named)
    ]


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
        lambda: portal.withdraw(user=request.user, youth_id=youth_id, consent_id=consent_id),
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
