"""The manager's page (youth-guarantee compliance of a NAV office, with a chart over time) and
the privacy officer's pages (the access log of the office's staff, searchable; a youth's copy
for a request for access made on paper)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access, selectors
from cases.middleware import viewer_of
from cases.models import ServiceKind, StaffRole
from coordination.deadlines import compliance
from coordination.export import downloads, requests
from coordination.pages.base import methods, paginate, posted, staff_required
from coordination.pages.charts import percent_chart
from coordination.pages.context import current_memberships
from coordination.pages.forms import AccessLogFilterForm, AccessRequestForm, ReportFilterForm
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


@staff_required
@methods("get")
def access_log_page(request: HttpRequest) -> HttpResponse:
    """Who looked at what, in the services where I am privacy officer."""
    roles = {m.role for m in current_memberships(request)}
    if StaffRole.PRIVACY_OFFICER not in roles:
        raise PermissionDenied
    form = AccessLogFilterForm(request.GET or None)
    entries = selectors.access_log_for_privacy_officer(user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            entries = entries.filter(actor__username=data["actor"])
        if data["youth"]:
            entries = entries.filter(subject_id=data["youth"])
        if data["granted"] is not None:
            entries = entries.filter(granted=data["granted"])
        if data["after"]:
            entries = entries.filter(at__date__gte=data["after"])
        if data["before"]:
            entries = entries.filter(at__date__lte=data["before"])
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "pages/access_log.html",
        {"form": form, "page": paginate(request, entries, 50), "params": params.urlencode()},
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
