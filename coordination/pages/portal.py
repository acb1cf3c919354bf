"""*Min side*: the youth's (or a guardian's) own page. Which services follow the youth, the plan
in plain language, consents with one-click withdrawal, and who has looked at what, when and on
which basis. The rules are in ``cases.portal``."""

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
from django.utils.translation import gettext_lazy

from cases import portal
from cases.models import ActivityPlan, HealthObjection, Service, ServiceKind
from consent.categories import Category
from consent.models import LegalBasis
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

    hidden = portal.withheld(account, today)

    def shown(category: str, kind: str | None) -> bool:
        return portal.shown(hidden, category, kind or "")

    consents = [
        c
        for c in portal.consents(person)
        if all(
            shown(s.category, s.from_party.kind if s.from_party else s.from_kind)
            and shown(s.category, s.to_party.kind if s.to_party else s.to_kind)
            for s in c.scopes.all()
        )
    ]
    withheld = portal.withheld_bases()
    whereabouts = portal.reveals_whereabouts(account)
    if not whereabouts:
        plan = activity_plan = None
    log = paginate(
        request, portal.access_log(person, without_health_services=bool(hidden)), LOG_PAGE
    )
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
            "consents": [
                {
                    "consent": c,
                    "active": c.is_active(),
                    "withdrawable": portal.may_withdraw(account, c, today),
                    "shares": _shares(c, named=whereabouts),
                }
                for c in consents
            ],
            "takeover": portal.takeover(account, today),
            "may_object": portal.may_object(account, today),
            "objects": portal.may_object(account, today)
            and HealthObjection.objects.filter(youth=person, withdrawn_at__isnull=True).exists(),
            "log": log,
            "log_rows": _log_rows(
                [e for e in log if not hidden & set(e.categories) and not withheld & set(e.bases)],
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


def _shares(consent: Any, *, named: bool = True) -> list[str]:
    """In plain words: which service may share what with whom."""
    rows: dict[tuple[str, str], list[str]] = {}
    for scope in consent.scopes.all():
        source = _party(scope.from_party, scope.from_kind, named=named)
        target = _party(scope.to_party, scope.to_kind, named=named)
        rows.setdefault((source, target), []).append(str(scope.get_category_display()).lower())
    return [
        _("%(source)s kan dele %(what)s med %(target)s")
        % {"source": s, "target": t, "what": ", ".join(sorted(set(w)))}
        for (s, t), w in sorted(rows.items())
    ]


BASIS_WORDS = {
    "own": gettext_lazy("tjenesten følger deg opp selv"),
    "general": gettext_lazy("generelle opplysninger (hvem som følger deg opp)"),
    "referral": gettext_lazy("henvisning"),
}


ITEM_WORDS = {
    "entry": gettext_lazy("oppfølgingsnotat"),
    "referral": gettext_lazy("henvisning"),
    "period": gettext_lazy("oppfølgingsperiode"),
    "decision": gettext_lazy("vedtak"),
    "consent": gettext_lazy("samtykke"),
    "disclosure": gettext_lazy("utlevering"),
    "deadline": gettext_lazy("frist"),
    "activity-plan": gettext_lazy("aktivitetsplan"),
    "activity": gettext_lazy("aktivitet"),
    "plan": gettext_lazy("plan"),
    "plan-goal": gettext_lazy("mål i planen"),
    "plan-measure": gettext_lazy("tiltak i planen"),
    "plan-review": gettext_lazy("evaluering av planen"),
    "plan-version": gettext_lazy("planens historikk"),
    "plan-participant": gettext_lazy("deltaker i planen"),
    "guardian": gettext_lazy("foresatt"),
    "child-coordinator": gettext_lazy("barnekoordinator"),
    "health-objection": gettext_lazy("innsigelse mot at foresatte får helseopplysninger"),
    "audit-entry": gettext_lazy("endringslogg"),
}


def _basis(code: str, laws: dict[str, str]) -> str:
    if code in BASIS_WORDS:
        return str(BASIS_WORDS[code])
    kind, _sep, rest = code.partition(":")
    if kind == "consent":
        return _("ditt samtykke")
    if kind == "legal":
        return _("hjemmel i lov: %s") % laws.get(rest, rest)
    return code


def _log_rows(entries: Any, *, named: bool = True) -> list[dict[str, Any]]:
    """The page of the access log in plain words; the laws named in one query. Without who and
    which service looked where those would tell where the youth is followed (``named``)."""
    codes = {b.partition(":")[2] for e in entries for b in e.bases if b.startswith("legal:")}
    laws = dict(LegalBasis.objects.filter(code__in=codes).values_list("code", "law_and_section"))
    rows = []
    for entry in entries:
        party: Service | None = entry.party
        kinds = {str(i.get("type", "")) for i in entry.items}
        rows.append(
            {
                "at": entry.at,
                "who": entry.actor_name if named else "",
                "service": party.name if party and named else "",
                "what": ", ".join(sorted(str(ITEM_WORDS.get(k, k)) for k in kinds))
                or _("hvem som følger deg opp"),
                "bases": sorted({_basis(b, laws) for b in entry.bases}),
            }
        )
    return rows


@login_required
@methods("post")
def withdraw(request: HttpRequest, youth_id: uuid.UUID, consent_id: uuid.UUID) -> Any:
    """One click: the consent stops at once; the services no longer see what it covered."""
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
