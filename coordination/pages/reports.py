"""The manager's page (youth-guarantee compliance of a NAV office, with a chart over time) and
the privacy officer's pages (the access log of the office's staff, searchable; a youth's copy
for a request for access made on paper)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cases import access, caseload, selectors
from cases.middleware import viewer_of
from cases.models import ServiceKind, StaffRole
from consent.categories import Category
from consent.models import LegalBasis
from coordination import log_words
from coordination.deadlines import compliance
from coordination.export import downloads, requests
from coordination.pages.base import methods, paginate, posted, staff_required
from coordination.pages.charts import percent_chart
from coordination.pages.context import current_memberships
from coordination.pages.forms import (
    AccessLogFilterForm,
    AccessLogLookupForm,
    AccessRequestForm,
    LookupForm,
    ReportFilterForm,
)
from coordination.pages.staff import my_services

REPORT_DAYS = 90


@staff_required
@methods("get")
def compliance_page(request: HttpRequest) -> HttpResponse:
    """UG-90 now and day by day, and the deadlines of UG-PLAN-1M and UG-2023 in the period, for
    one of my NAV offices (aggregates only: no youth is named)."""
    offices = my_services(viewer_of(request)).filter(kind=ServiceKind.NAV)
    if not offices.exists():
        raise PermissionDenied
    today = timezone.localdate()
    initial = {
        "service": offices.first(),
        "start": today - datetime.timedelta(days=REPORT_DAYS),
        "end": today,
    }
    form = ReportFilterForm(request.GET or initial, services=offices)
    report: dict[str, Any] | None = None
    chart = None
    if form.is_valid():
        data = form.cleaned_data
        office = access.service_for_user(viewer_of(request), data["service"].pk)
        report = compliance.report(office, data["start"], data["end"])
        series = [(s.day, s.percent) for s in report["ug90_history"]]
        if data["end"] >= today:
            series.append((today, report["ug90_now"].percent))
        chart = percent_chart(series, report["ug90_now"].target_percent)
    return render(
        request,
        "pages/compliance.html",
        {"form": form, "report": report, "chart": chart},
        status=200 if report is not None else 400,
    )


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
