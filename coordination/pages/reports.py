"""The manager's page (youth-guarantee compliance of a NAV office, with a chart over time) and
the privacy officer's pages (the access log of the office's staff, searchable; a youth's copy
for a request for access made on paper)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cases import access, caseload, selectors
from cases.dates import local_day
from cases.middleware import viewer_of
from cases.models import ServiceKind, StaffRole
from consent.categories import Category
from consent.models import LegalBasis
from coordination import log_words
from coordination.api.renderers import CSVRenderer
from coordination.deadlines import compliance
from coordination.deadlines import selectors as deadline_selectors
from coordination.export import downloads, requests
from coordination.pages.base import methods, paginate, posted, staff_required
from coordination.pages.charts import percent_chart
from coordination.pages.context import current_memberships
from coordination.pages.forms import (
    AccessLogFilterForm,
    AccessLogLookupForm,
    AccessRequestForm,
    ComplianceFigureForm,
    LookupForm,
    ReportFilterForm,
)
from coordination.pages.staff import my_services

REPORT_DAYS = 90


def _offices(request: HttpRequest) -> Any:
    """My NAV offices; a staff member of none is refused (403)."""
    offices = my_services(viewer_of(request)).filter(kind=ServiceKind.NAV)
    if not offices.exists():
        raise PermissionDenied
    return offices


def _figure_url(data: dict[str, Any], rule: str, status: str) -> str:
    """The address of the youths behind one figure: the report's filter, the rule, the figure
    (ids and dates only: no identity number)."""
    query = {
        "service": str(data["service"].pk),
        "start": data["start"].isoformat(),
        "end": data["end"].isoformat(),
        "rule": rule,
        "status": status,
    }
    return f"{reverse('pages:compliance-youths')}?{urlencode(query)}"


def _csv(rows: list[list[Any]], filename: str) -> HttpResponse:
    """Rows as a spreadsheet file (the API's CSV: semicolons, UTF-8 with a BOM), never cached."""
    response = HttpResponse(CSVRenderer().render(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, no_store=True, private=True)
    return response


@staff_required
@methods("get")
def compliance_page(request: HttpRequest) -> HttpResponse:
    """UG-90 now and day by day (from the ledger's facts: ``compliance.ug90_history``), and the
    deadlines of UG-PLAN-1M and UG-2023 in the period, for one of my NAV offices, each rule
    explained in words. Counts only; each count links to the youths behind it. ``download=csv``
    gives the figures as a file."""
    offices = _offices(request)
    today = timezone.localdate()
    initial = {
        "service": offices.first(),
        "start": today - datetime.timedelta(days=REPORT_DAYS),
        "end": today,
    }
    form = ReportFilterForm(request.GET or initial, services=offices)
    context: dict[str, Any] = {"form": form, "report": None, "chart": None}
    if not form.is_valid():
        return render(request, "pages/compliance.html", context, status=400)
    data = form.cleaned_data
    office = access.service_for_user(viewer_of(request), data["service"].pk)
    rules = compliance.rules_in_words()
    params = compliance.ug90_parameters(next(r.rule for r in rules if r.rule.code == "UG-90"))
    deadlines = compliance.deadline_counts(office, data["start"], data["end"])
    history = compliance.ug90_history(office, data["start"], data["end"], params=params)
    if data["download"] == "csv":
        rows = compliance.figure_rows(
            data["start"], data["end"], deadlines, [(f.day, f) for f in history]
        )
        return _csv(rows, f"ungdomsgaranti-{data['start']}-{data['end']}.csv")
    now = compliance.ug90(office, today=today, params=params)
    context["report"] = {
        "service": office,
        "start": data["start"],
        "end": data["end"],
        "rules": rules,
        "ug90_now": now,
        "ug90_links": {s: _figure_url(data, "UG-90", s) for s in compliance.UG90_STATUSES},
        "deadlines": [
            {
                "counts": counts,
                "links": {
                    s: _figure_url(data, counts.rule, s) for s in compliance.DEADLINE_STATUSES
                },
            }
            for counts in deadlines
        ],
        "ug90_history": history,
        "csv_url": f"{request.path}?{urlencode({**_query(data), 'download': 'csv'})}",
    }
    context["chart"] = percent_chart([(f.day, f.percent) for f in history], now.target_percent)
    return render(request, "pages/compliance.html", context)


def _query(data: dict[str, Any]) -> dict[str, str]:
    return {
        "service": str(data["service"].pk),
        "start": data["start"].isoformat(),
        "end": data["end"].isoformat(),
    }


FIGURE_WORDS = {
    ("UG-90", "group"): _("i gruppen nå"),
    ("UG-90", "met"): _("med godkjent aktivitetsplan nå"),
    ("UG-90", "not_met"): _("uten godkjent aktivitetsplan nå"),
    "MET": _("innfridd i perioden"),
    "MISSED": _("oversittet i perioden"),
    "OPEN": _("åpne i perioden"),
}


@staff_required
@methods("get")
def compliance_youths_page(request: HttpRequest) -> HttpResponse:
    """The youths behind one figure of the compliance page, those the viewer may see (the
    access gate; protected identities screened), by name; every youth listed is written to
    the access log, also when the list is downloaded (``download=csv``, names and dates, no
    identity number)."""
    offices = _offices(request)
    form = ComplianceFigureForm(request.GET, services=offices)
    if not form.is_valid():
        return render(request, "pages/compliance_youths.html", {"form": form}, status=400)
    data = form.cleaned_data
    viewer = viewer_of(request)
    office = access.service_for_user(viewer, data["service"].pk)
    rule, status = data["rule"], data["status"]
    download = data["download"] == "csv"
    purpose = f"{deadline_selectors.COMPLIANCE_PURPOSE}{'-download' if download else ''}"
    rows: list[dict[str, Any]]
    if rule == "UG-90":
        today = timezone.localdate()
        periods = deadline_selectors.ug90_youths(
            viewer, office, status, compliance.ug90_parameters(), today
        )
        deadline_selectors.log_ug90_youths(viewer, purpose, periods)
        words = FIGURE_WORDS[(rule, status)]
        rows = [
            {
                "youth": p.youth,
                "staff": p.responsible,
                "day": p.started_on,
                "done": p.activity_plan.approved_at if _has_plan(p) else None,
            }
            for p in periods
        ]
    else:
        deadlines = deadline_selectors.deadline_youths(
            viewer, office, rule, status, data["start"], data["end"]
        )
        deadline_selectors.log_deadlines(viewer, purpose, deadlines)
        words = FIGURE_WORDS[status]
        rows = [
            {"youth": d.youth, "staff": d.staff, "day": d.due_on, "done": d.fulfilled_at}
            for d in deadlines
        ]
    if download:
        return _csv(
            _youth_rows(rule, rows),
            f"ungdomsgaranti-{rule}-{status.lower()}-{data['start']}-{data['end']}.csv",
        )
    return render(
        request,
        "pages/compliance_youths.html",
        {
            "form": form,
            "office": office,
            "rule": rule,
            "status": status,
            "words": words,
            "rows": rows,
            "start": data["start"],
            "end": data["end"],
            "back_url": f"{reverse('pages:compliance')}?{urlencode(_query(data))}",
            "csv_url": f"{request.path}?{urlencode({**request.GET.dict(), 'download': 'csv'})}",
        },
    )


def _has_plan(period: Any) -> bool:
    try:
        return period.activity_plan is not None
    except ObjectDoesNotExist:
        return False


def _youth_rows(rule: str, rows: list[dict[str, Any]]) -> list[list[Any]]:
    """A figure's youths for a spreadsheet: name, contact person or responsible, and the days
    the page shows (no identity number)."""
    if rule == "UG-90":
        header = [
            "navn / name",
            "kontaktperson / contact",
            "periode fra / period from",
            "plan godkjent / plan approved",
        ]
    else:
        header = ["navn / name", "ansvarlig / responsible", "frist / due", "innfridd / fulfilled"]
    return [
        header,
        *(
            [
                f"{r['youth'].last_name}, {r['youth'].first_name}",
                r["staff"].get_full_name() if r["staff"] else "",
                r["day"],
                local_day(r["done"]) if r["done"] else "",
            ]
            for r in rows
        ),
    ]


SEARCH_PURPOSE = "access-log-search"
NAMED_YOUTHS = 20  # youths a name search names at most


@staff_required
@methods("get", "post")
def access_log_page(request: HttpRequest) -> HttpResponse:
    """Who looked at what, in the services where I am privacy officer: by staff member, by
    youth (found by name, or by identity number posted and never in the address), outcome and
    days, in words. A filter that is not valid lists nothing. A youth the search names is one
    the privacy officer may answer for (``youths_for_privacy_officer``), and naming them is
    written to the access log."""
    viewer = viewer_of(request)
    roles = {m.role for m in current_memberships(request)}
    if StaffRole.PRIVACY_OFFICER not in roles:
        if request.method == "POST":  # the attempt on a registered youth is logged
            number = str(request.POST.get("national_id", ""))
            selectors.youth_for_access_request(
                viewer=viewer, national_id=number, purpose=SEARCH_PURPOSE
            )
        raise PermissionDenied
    if request.method == "POST":
        return _access_log_lookup(request, viewer)
    form = AccessLogFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _access_log(request, form, AccessLogLookupForm(), None, [], status=400)
    data = form.cleaned_data if form.is_bound else {}
    entries = selectors.access_log_for_privacy_officer(user=request.user)
    named: list[Any] = []
    if data.get("youth") or data.get("youth_name"):
        youths = selectors.youths_for_privacy_officer(viewer)
        if data.get("youth"):
            youths = youths.filter(pk=data["youth"])
        if data.get("youth_name"):
            youths = youths.filter(caseload.name_filter(**caseload.name_search(data["youth_name"])))
        named = list(
            youths.order_by("last_name", "first_name", "pk").only(
                "id", "first_name", "last_name", "birth_date"
            )[:NAMED_YOUTHS]
        )
        _log_named(viewer, named)
        entries = entries.filter(subject_id__in=[youth.pk for youth in named])
        if not named:
            form.add_error("youth_name" if data.get("youth_name") else None, NO_YOUTH_IN_REACH)
            return _access_log(request, form, AccessLogLookupForm(), None, [], status=400)
    if data.get("actor"):
        entries = entries.filter(actor__username=data["actor"])
    if data.get("granted") is not None:
        entries = entries.filter(granted=data["granted"])
    if data.get("after"):
        entries = entries.filter(at__date__gte=data["after"])
    if data.get("before"):
        entries = entries.filter(at__date__lte=data["before"])
    return _access_log(request, form, AccessLogLookupForm(), paginate(request, entries, 50), named)


def _access_log_lookup(request: HttpRequest, viewer: access.Viewer) -> HttpResponse:
    """The log of one youth found by identity number: the address then names the youth by id."""
    lookup = AccessLogLookupForm(request.POST)
    if lookup.is_valid():
        youth = selectors.youth_for_access_request(
            viewer=viewer, national_id=lookup.cleaned_data["national_id"], purpose=SEARCH_PURPOSE
        )
        if youth is not None:
            return redirect(f"{reverse('pages:access-log')}?{urlencode({'youth': str(youth.pk)})}")
        lookup.add_error("national_id", ValidationError(NOT_FOUND, code="not_found"))
    status = 404 if lookup.has_error("national_id", "not_found") else 400
    return _access_log(
        request, AccessLogFilterForm(), lookup.without_number(), None, [], status=status
    )


def _log_named(viewer: access.Viewer, youths: list[Any]) -> None:
    """The youths a search named, read by the viewer as privacy officer through their
    services."""
    officer = selectors.privacy_officer(viewer)
    services = [m.service_id for m in officer.memberships]
    access.log_reads(
        officer,
        SEARCH_PURPOSE,
        [
            access.Read(
                youth.pk,
                services,
                items=[
                    {
                        "type": "youth",
                        "id": str(youth.pk),
                        "category": Category.GENERAL,
                        "basis": BASIS_PRIVACY_OFFICER,
                    }
                ],
            )
            for youth in youths
        ],
    )


def _access_log(
    request: HttpRequest,
    form: AccessLogFilterForm,
    lookup: LookupForm,
    page: Any,
    named: list[Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """The page: the rows in words (``log_words``), the youths a search named by name."""
    names = {youth.pk: f"{youth.last_name}, {youth.first_name}" for youth in named}
    rows = []
    if page is not None:
        codes = {
            b.partition(":")[2] for entry in page for b in entry.bases if b.startswith("legal:")
        }
        laws = (
            dict(LegalBasis.objects.filter(code__in=codes).values_list("code", "law_and_section"))
            if codes
            else {}
        )
        rows = [
            {
                "at": entry.at,
                "actor": entry.actor_name,
                "role": StaffRole(entry.role).label if entry.role in StaffRole.values else "",
                "party": entry.party.name if entry.party else "",
                "youth": names.get(entry.subject_id),
                "youth_id": entry.subject_id,
                "purpose": log_words.purpose_words(entry.purpose),
                "what": log_words.staff_what_words(entry.items or []),
                "categories": [
                    Category(c).label for c in entry.categories or [] if c in Category.values
                ],
                "bases": sorted({log_words.staff_basis_words(b, laws) for b in entry.bases or []}),
                "granted": entry.granted,
            }
            for entry in page
        ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "pages/access_log.html",
        {
            "form": form,
            "lookup": lookup,
            "page": page,
            "rows": rows,
            "named": named,
            "params": params.urlencode(),
        },
        status=status,
    )


@staff_required
@methods("get", "post")
def access_request_page(request: HttpRequest) -> HttpResponse:
    """A request for access made on paper: the privacy officer produces the youth's copy of
    everything held about them, as PDF or JSON. The production is a read, logged and audited
    (``coordination.export.requests``)."""
    roles = {m.role for m in current_memberships(request)}
    if StaffRole.PRIVACY_OFFICER not in roles:
        if request.method == "POST":  # the attempt on a registered youth is logged
            number = str(request.POST.get("national_id", ""))
            requests.access_request_refused(viewer=viewer_of(request), national_id=number)
        raise PermissionDenied
    form = AccessRequestForm(posted(request))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        answer = requests.access_request_answer(
            viewer=viewer_of(request),
            national_id=data["national_id"],
            file_format=data["file_format"],
        )
        if answer is not None:
            copy, body = answer
            return downloads.attachment(copy, data["file_format"], body)
        form.add_error("national_id", NOT_FOUND)
    return render(
        request,
        "pages/access_request.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


NOT_FOUND = _(
    "Fant ingen ungdom med dette nummeret som tjenestene der du er personvernombud, har "
    "opplysninger om."
)
NO_YOUTH_IN_REACH = _(
    "Fant ingen ungdom med dette navnet som tjenestene der du er personvernombud, har "
    "opplysninger om."
)
# What allows the privacy officer to see a youth's name: the duty to follow up the log.
BASIS_PRIVACY_OFFICER = "privacy-officer"
