"""The caseload page: our youths or mine, searched by name (in the list's own "Etternavn,
Fornavn" or "Fornavn Etternavn"), found by identity number (posted, never in the address),
sorted by name, municipality, last contact or next deadline; and registering a youth.

The list's rows are the youths' general information (``cases.caseload``) with two items each:
the newest follow-up entry the viewer may see (its day: the last contact, through the gate's
``visible``) and the next live deadline the viewer's services hold (``deadlines_for``). The page
sits in ``coordination`` because the deadline ledger does; ``cases`` knows nothing of it. What
the page showed is written to the access log with the items it named."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import access, caseload, municipalities, selectors, services
from cases.middleware import viewer_of
from coordination.deadlines.selectors import STATE_LIVE, deadline_filter, deadlines_for
from coordination.models import Deadline
from coordination.pages.base import methods, paginate, posted, run, staff_required
from coordination.pages.forms import CaseloadFilterForm, LookupForm, YouthRegisterForm
from coordination.pages.staff import my_services

# The columns the list sorts by; "-" before one sorts it the other way. Anything else sorts by
# name, as a list opened without a choice does.
SORTS = ("name", "municipality", "contact", "deadline")
DEFAULT_SORT = "name"

NOT_FOUND = gettext_lazy(
    "Fant ingen ungdom med dette nummeret blant ungdommene tjenestene dine følger opp. Er "
    "ungdommen ny for tjenesten, registrer ungdommen nedenfor."
)


def sort_of(value: Any) -> str:
    """The sort a request asks for, if it is one of ``SORTS`` (ascending or "-" descending),
    else the default."""
    text = str(value or "")
    return text if text.removeprefix("-") in SORTS else DEFAULT_SORT


def _live(viewer: access.Viewer) -> Any:
    """Live deadlines (not closed, not cancelled) that the viewer's services hold, by due day."""
    return deadline_filter(deadlines_for(viewer), {"scope": "ours", "state": STATE_LIVE}, None)


def _order(viewer: access.Viewer, sort: str) -> caseload.CaseloadSort | None:
    descending = sort.startswith("-")
    column = sort.removeprefix("-")
    if column == "municipality":
        return caseload.municipality_sort(descending=descending)
    if column == "contact":
        return caseload.last_contact_sort(viewer, descending=descending)
    if column == "deadline":
        due = _live(viewer).filter(youth_id=OuterRef("youth_id")).values("due_on")[:1]
        key = F("next_deadline")
        return caseload.CaseloadSort(
            {"next_deadline": Subquery(due)},
            (key.desc(nulls_last=True),) if descending else (key.asc(nulls_last=True),),
        )
    return caseload.NAME_DESCENDING if descending else None


def _next_deadlines(viewer: access.Viewer, youth_ids: list[Any]) -> dict[Any, Deadline]:
    """The earliest live deadline of each youth that the viewer's services hold (one query)."""
    found: dict[Any, Deadline] = {}
    for deadline in _live(viewer).filter(youth_id__in=youth_ids):
        found.setdefault(deadline.youth_id, deadline)
    return found


def _rows(viewer: access.Viewer, youths: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Any]:
    """The page's rows with the municipality's name, the last contact and the next deadline,
    and the items they show of each youth (for the access log)."""
    ids = [youth["id"] for youth in youths]
    entries = caseload.newest_entries(viewer, ids) if ids else {}
    deadlines = _next_deadlines(viewer, ids) if ids else {}
    today = timezone.localdate()
    rows, items = [], {}
    for youth in youths:
        entry, deadline = entries.get(youth["id"]), deadlines.get(youth["id"])
        shown = []
        if entry is not None:
            shown.append(
                {
                    "type": "entry",
                    "id": str(entry.pk),
                    "category": entry.category,
                    "basis": access.basis_of(entry),
                }
            )
        if deadline is not None:
            shown.append(
                {
                    "type": "deadline",
                    "id": str(deadline.pk),
                    "category": deadline.category,
                    "basis": "own",
                }
            )
        items[youth["id"]] = shown
        number = youth["municipality_number"]
        rows.append(
            {
                **youth,
                "municipality": municipalities.name_of(number) or number,
                "last_contact": entry.occurred_on if entry is not None else None,
                "next_deadline": deadline,
                "overdue": deadline is not None and deadline.due_on < today,
            }
        )
    return rows, items


def _columns(params: Any, sort: str) -> list[dict[str, Any]]:
    """The sortable column headings: each a link to the list sorted by it (the other way when
    it is the sort already), with ``aria-sort`` on the one sorted by."""
    labels = {
        "name": _("Navn"),
        "municipality": _("Kommune"),
        "contact": _("Siste kontakt"),
        "deadline": _("Neste frist"),
    }
    columns = []
    for column, label in labels.items():
        current = sort.removeprefix("-") == column
        descending = sort.startswith("-")
        query = params.copy()
        query["sort"] = f"-{column}" if current and not descending else column
        columns.append(
            {
                "key": column,
                "label": label,
                "query": query.urlencode(),
                "aria_sort": (("descending" if descending else "ascending") if current else None),
            }
        )
    return columns


@staff_required
@methods("get", "post")
def caseload_page(request: HttpRequest) -> HttpResponse:
    """My youths or our youths: searched by name, filtered by service, sorted, paged; a posted
    identity number opens that youth's page, if the viewer reaches the youth."""
    viewer = viewer_of(request)
    if request.method == "POST":
        return _lookup(request, viewer)
    form = CaseloadFilterForm(request.GET or None, services=my_services(viewer))
    query = form.cleaned_data if form.is_valid() else {}
    sort = sort_of(request.GET.get("sort"))
    youths = selectors.youth_caseload(
        viewer,
        scope=query.get("scope") or selectors.SCOPE_OURS,
        service_id=query["service"].pk if query.get("service") else None,
        name=query.get("q") or None,
        sort=_order(viewer, sort),
    )
    page = paginate(request, youths)
    rows, items = _rows(viewer, list(page))
    access.log_caseload(viewer, "caseload", page, items)
    params = request.GET.copy()
    params.pop("page", None)
    for name in form.errors:  # refused input (an identity number in q) stays out of the links
        params.pop(name, None)
    if "sort" in params and sort_of(params["sort"]) != params["sort"]:
        params.pop("sort")
    unsorted = params.copy()
    unsorted.pop("sort", None)
    return render(
        request,
        "pages/caseload.html",
        {
            "form": form,
            "lookup": LookupForm(),
            "page": page,
            "rows": rows,
            "columns": _columns(unsorted, sort),
            "sort": sort,
            "params": params.urlencode(),
            "may_register": bool(viewer.reach),
        },
    )


def _lookup(request: HttpRequest, viewer: access.Viewer) -> HttpResponse:
    """Find a youth by identity number: the youth's page when the viewer reaches the youth
    (the look-up logged as a read), else the form again saying none was found (a registered
    youth out of reach is logged as a refused attempt, ``youth_by_national_id``)."""
    lookup = LookupForm(request.POST)
    if lookup.is_valid():
        youth = selectors.youth_by_national_id(
            viewer=viewer, national_id=lookup.cleaned_data["national_id"]
        )
        if youth is not None:
            following = [service for service, _kind in access.following_services(viewer, youth.pk)]
            access.log_reads(viewer, "caseload-lookup", [access.Read(youth.pk, following)])
            return redirect("pages:youth", youth.pk)
        lookup.add_error("national_id", ValidationError(NOT_FOUND, code="not_found"))
    return render(
        request,
        "pages/caseload.html",
        {
            "form": CaseloadFilterForm(services=my_services(viewer)),
            "lookup": lookup.without_number(),
            "page": None,
            "rows": [],
            "columns": [],
            "params": "",
            "may_register": bool(viewer.reach),
        },
        status=404 if lookup.has_error("national_id", "not_found") else 400,
    )


@staff_required
@methods("get", "post")
def youth_new(request: HttpRequest) -> HttpResponse:
    """Register a youth with one of my services (``services.youth_register``, the API's
    service): a youth already registered is followed, not made twice. The identity number
    travels in the form's body only."""
    viewer = viewer_of(request)
    mine = my_services(viewer)
    if not viewer.reach:
        raise PermissionDenied
    form = YouthRegisterForm(posted(request), services=mine)
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        service = access.service_for_user(viewer, data.pop("service").pk)
        done = run(
            form,
            lambda: services.youth_register(actor=request.user, service=service, **data),
        )
        if done is not None:
            youth, _period, created = done
            messages.success(
                request,
                _("Ungdommen er registrert.")
                if created
                else _(
                    "Ungdommen var registrert fra før; tjenesten din følger nå opp den samme "
                    "posten."
                ),
            )
            return redirect("pages:youth", youth.pk)
    return render(
        request,
        "pages/form_page.html",
        {
            "form": form,
            "heading": _("Registrer en ungdom"),
            "submit_label": _("Registrer"),
            "back_url": reverse("pages:caseload"),
            "back_label": _("Ungdommer"),
        },
        status=400 if form.is_bound else 200,
    )
