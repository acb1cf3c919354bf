"""The referral inbox and outbox of my services, one referral with its actions, and the
handovers (stafett) waiting for my services."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import access, labels, selectors, services
from cases.consent_texts import WORDS, categories_in_words
from cases.middleware import viewer_of
from cases.models import AWAITING_ANSWER, HandoverKind, HandoverState, Referral, ReferralState
from consent.categories import Category
from coordination.pages import forms
from coordination.pages.base import methods, paginate, run_action, staff_required

BOXES = ("inbox", "outbox")


@staff_required
@methods("get")
def referral_list(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("box", "inbox")
    if box not in BOXES:
        box = "inbox"
    state = request.GET.get("state", "")
    viewer = viewer_of(request)
    states = (
        (state,) if state in ReferralState.values else AWAITING_ANSWER if state == "open" else ()
    )
    referrals = selectors.referral_list(viewer=viewer, box=box, states=states)
    with transaction.atomic():
        page = paginate(request, referrals)
        access.log_referrals(viewer, f"referrals-{box}", list(page))
        handovers = list(
            selectors.handover_list(viewer=viewer).filter(
                state=HandoverState.PENDING,
                kind=HandoverKind.RESPONSIBILITY,
                to_service_id__in=viewer.reach,
            )[:20]
        )
        access.log_handovers(viewer, "handovers", handovers)
    for row in page:  # rows of a box hold the state's value; the page shows its label
        row["state_label"] = labels.display_value(Referral, "state", row["state"])
    return render(
        request,
        "pages/referrals.html",
        {
            "box": box,
            "state": state,
            "states": ReferralState.choices,
            "page": page,
            "handovers": handovers,
            "today": timezone.localdate(),
            "params": urlencode({"box": box, "state": state}),
        },
    )


@staff_required
@methods("get")
def referral_detail(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """One referral; opening it in the receiving service marks it received."""
    viewer = viewer_of(request)
    # Read before the transaction: a refused attempt's access-log row outlives the 404.
    referral = selectors.referral_for_user(viewer=viewer, referral_id=referral_id)
    with transaction.atomic():
        receiver = access.works_in(viewer, referral.to_service_id)
        if receiver:
            referral = services.referral_open(actor=request.user, referral=referral)
        access.log_referrals(viewer, "referral", [access.referral_values(referral)])
    sender = access.works_in(viewer, referral.from_service_id)
    awaiting = referral.state in AWAITING_ANSWER
    return render(
        request,
        "pages/referral.html",
        {
            "referral": referral,
            "can_answer": receiver and awaiting,
            "can_withdraw": sender and awaiting,
            "can_close": referral.state == ReferralState.ACCEPTED
            or (sender and referral.state == ReferralState.DECLINED),
            "decline_form": forms.DeclineForm(initial={"version": referral.version}),
            "accept_form": forms.AcceptForm(
                initial={"version": referral.version, "responsible": request.user.pk},
                service=referral.to_service,
            )
            if receiver and awaiting
            else None,
            "categories": categories_in_words(referral.categories) or str(WORDS[Category.GENERAL]),
            "today": timezone.localdate(),
        },
    )


def _act(
    request: HttpRequest,
    referral_id: uuid.UUID,
    form_class: Any,
    call: Any,
    done: str,
    *,
    purpose: str,
) -> Any:
    referral = selectors.referral_for_user(
        viewer=viewer_of(request), referral_id=referral_id, purpose=purpose
    )
    form = form_class(request.POST)
    if form.is_valid():
        run_action(request, lambda: call(referral, **form.cleaned_data), done)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(reverse("pages:referral", args=[referral.pk]))


@staff_required
@methods("post")
def referral_accept(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    referral = selectors.referral_for_user(
        viewer=viewer_of(request), referral_id=referral_id, purpose="referral-accept"
    )
    form = forms.AcceptForm(request.POST, service=referral.to_service)
    if form.is_valid():
        responsible = form.cleaned_data["responsible"]
        run_action(
            request,
            lambda: services.referral_accept(
                actor=request.user,
                referral=referral,
                version=form.cleaned_data["version"],
                responsible=responsible,
            ),
            _(
                "Henvisningen er akseptert. Ungdommen er nå i oppfølging hos dere, med "
                "%(name)s som ansvarlig."
            )
            % {"name": responsible.get_full_name() or responsible.get_username()},
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(reverse("pages:referral", args=[referral.pk]))


@staff_required
@methods("post")
def referral_decline(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    return _act(
        request,
        referral_id,
        forms.DeclineForm,
        lambda r, version, reason: services.referral_decline(
            actor=request.user, referral=r, version=version, reason=reason
        ),
        _("Henvisningen er avslått og sendt tilbake til avsenderen."),
        purpose="referral-decline",
    )


@staff_required
@methods("post")
def referral_withdraw(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    return _act(
        request,
        referral_id,
        forms.VersionForm,
        lambda r, version: services.referral_withdraw(
            actor=request.user, referral=r, version=version
        ),
        _("Henvisningen er trukket tilbake."),
        purpose="referral-withdraw",
    )


@staff_required
@methods("post")
def referral_close(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    return _act(
        request,
        referral_id,
        forms.VersionForm,
        lambda r, version: services.referral_close(actor=request.user, referral=r, version=version),
        _("Henvisningen er avsluttet."),
        purpose="referral-close",
    )


@staff_required
@methods("post")
def handover_answer(request: HttpRequest, handover_id: uuid.UUID) -> Any:
    """Accept or decline a handover of responsibility offered to my service."""
    handover = selectors.handover_for_user(
        viewer=viewer_of(request), handover_id=handover_id, purpose="handover-answer"
    )
    if handover.kind != HandoverKind.RESPONSIBILITY:
        return redirect("pages:referrals")
    if request.POST.get("answer") == "accept":
        run_action(
            request,
            lambda: services.handover_accept(actor=request.user, handover=handover),
            _("Du har tatt imot ansvaret."),
        )
    elif not request.POST.get("reason", "").strip():
        messages.error(request, _("Skriv hvorfor dere avslår stafetten."))
    else:
        reason = request.POST["reason"].strip()
        run_action(
            request,
            lambda: services.handover_decline(actor=request.user, handover=handover, reason=reason),
            _("Stafetten er avslått."),
        )
    return redirect("pages:referrals")
