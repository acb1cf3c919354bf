"""The youth's part in the plan, on *Min side* and on the staff side.

On *Min side* the youth opens an activity of NAV's activity plan: its history in plain words,
comments and requests to change it with NAV's answers, and (the youth only; a guardian reads)
the forms to confirm an activity NAV proposes, mark it done, comment and ask to change it. A
consent a service asks for is answered yes or no there, in plain words. On the staff side the
activity's page shows the youth's comments and requests, and the advisor answers them; staff
of the sharing service prepare a consent request. The rules are in
``cases.services.youth_plan`` and ``cases.services.consent_requests``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import access, consent_texts, oidc, portal, selectors
from cases.middleware import viewer_of
from cases.models import (
    Activity,
    ActivityChangeRequest,
    ActivityComment,
    ChangeRequestOutcome,
    Service,
)
from cases.services import consent_requests, youth_plan
from consent.categories import Category
from consent.models import Decision
from coordination.pages.base import methods, posted, run, staff_required
from coordination.pages.forms import PageForm, ServiceChoice, VersionForm, my_service_field
from coordination.pages.staff import my_services

# --- Forms ------------------------------------------------------------------------------------


class CommentForm(PageForm):
    text = forms.CharField(label=gettext_lazy("Kommentar"), max_length=4000, widget=forms.Textarea)


class ChangeForm(VersionForm):
    text = forms.CharField(
        label=gettext_lazy("Hva vil du endre, og hvorfor?"),
        max_length=4000,
        widget=forms.Textarea,
    )


class ConsentAnswerForm(PageForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Svaret ditt"),
        choices=[
            (Decision.GIVEN, gettext_lazy("Ja, jeg samtykker")),
            (Decision.REFUSED, gettext_lazy("Nei, jeg samtykker ikke")),
        ],
        widget=forms.RadioSelect,
    )


class ChangeRequestAnswerForm(PageForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Svar"), choices=ChangeRequestOutcome.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=gettext_lazy("Svar til ungdommen"),
        help_text=gettext_lazy("Skriv hvorfor når du avslår."),
        max_length=4000,
        required=False,
        widget=forms.Textarea,
    )


class ConsentRequestForm(PageForm):
    template = forms.ChoiceField(label=gettext_lazy("Hva samtykket gjelder"))
    to_service = ServiceChoice(
        queryset=Service.objects.none(), label=gettext_lazy("Tjenesten som får opplysningene")
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Hva som deles"),
        help_text=gettext_lazy("Uten valg: det malen gjelder."),
        choices=[(c.value, consent_texts.WORDS[c]) for c in Category if c != Category.GENERAL],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, mine: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_service"] = my_service_field(mine)
        self.fields["from_service"].label = _("Tjenesten din, som deler")
        self.fields["template"].choices = [  # type: ignore[attr-defined]
            (t.code, t.title) for t in consent_texts.TEMPLATES
        ]
        self.fields["to_service"].queryset = targets  # type: ignore[attr-defined]
        self.order_fields(["template", "from_service", "to_service", "categories"])


# --- Min side ---------------------------------------------------------------------------------

ACTIVITY_ACTIONS: dict[str, tuple[type[PageForm], str, Any]] = {
    "confirm": (VersionForm, "answer", gettext_lazy("Aktiviteten er bekreftet og avtalt med NAV.")),
    "done": (VersionForm, "answer", gettext_lazy("Aktiviteten er markert som fullført.")),
    "comment": (CommentForm, "comments", gettext_lazy("Kommentaren er lagret.")),
    "change": (
        ChangeForm,
        "change",
        gettext_lazy("Ønsket er sendt. Veilederen svarer deg her."),
    ),
}


def _portal_call(
    action: str, user: Any, account: Any, activity: Activity, data: dict[str, Any]
) -> Callable[[], Any]:
    if action == "confirm":
        return lambda: youth_plan.activity_youth_confirm(
            actor=user, account=account, activity=activity, version=data["version"]
        )
    if action == "done":
        return lambda: youth_plan.activity_youth_done(
            actor=user, account=account, activity=activity, version=data["version"]
        )
    if action == "comment":
        return lambda: youth_plan.activity_comment_add(
            actor=user, account=account, activity=activity, text=data["text"]
        )
    return lambda: youth_plan.activity_change_request(
        actor=user, account=account, activity=activity, version=data["version"], text=data["text"]
    )


def _status(failed: dict[str, Any]) -> int:
    """200 for the page; 409 when a form lost to someone else's change, else 400."""
    if not failed:
        return 200
    return 409 if any(getattr(f, "stale", False) for f in failed.values()) else 400


@login_required
@methods("get", "post")
def portal_activity(
    request: HttpRequest, youth_id: uuid.UUID, activity_id: uuid.UUID
) -> HttpResponse:
    """One activity of the youth's activity plan: what happened to it, the comments and the
    requests to change it with NAV's answers; the youth acts on it, a guardian reads."""
    account = portal.account_for(request.user, youth_id, purpose="portal-activity")
    activity = portal.activity_for(account, activity_id)
    failed: dict[str, PageForm] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if account.is_guardian or action not in ACTIVITY_ACTIONS:
            raise Http404
        form_class, anchor, done = ACTIVITY_ACTIONS[action]
        form = form_class(request.POST)
        if form.is_valid():
            call = _portal_call(action, request.user, account, activity, form.cleaned_data)
            if run(form, call) is not None:
                messages.success(request, str(done))
                return redirect(
                    reverse("portal:activity", args=[youth_id, activity.pk]) + f"#{anchor}"
                )
        failed[action] = form
    acts = not account.is_guardian
    initial = {"version": activity.version}
    return render(
        request,
        "portal/activity.html",
        {
            "account": account,
            "youth": account.youth,
            "activity": activity,
            "versions": list(activity.versions.order_by("-version")),
            "comments": list(
                ActivityComment.objects.filter(activity=activity)
                .select_related("written_by")
                .order_by("written_at")
            ),
            "change_requests": list(
                ActivityChangeRequest.objects.filter(activity=activity)
                .select_related("answered_by")
                .order_by("-requested_at")
            ),
            "confirm_form": failed.get("confirm", VersionForm(initial=initial))
            if acts and youth_plan.may_confirm(activity)
            else None,
            "done_form": failed.get("done", VersionForm(initial=initial))
            if acts and youth_plan.may_mark_done(activity)
            else None,
            "comment_form": failed.get("comment", CommentForm()) if acts else None,
            "change_form": failed.get("change", ChangeForm(initial=initial))
            if acts and not activity.is_finished
            else None,
        },
        status=_status(failed),
    )


@login_required
@methods("get", "post")
def portal_consent_request(
    request: HttpRequest, youth_id: uuid.UUID, request_id: uuid.UUID
) -> HttpResponse:
    """A consent a service asks for, in plain words, answered yes or no by whoever decides
    (``consent_requests.may_answer``); recorded digitally with the log-in's assurance level."""
    account = portal.account_for(request.user, youth_id, purpose="portal-consent-request")
    asked = portal.consent_request_for(account, request_id)
    may_answer = consent_requests.may_answer(account, asked, timezone.localdate())
    form = ConsentAnswerForm(posted(request))
    if request.method == "POST":
        if not may_answer:
            raise Http404
        if form.is_valid():
            answered = run(
                form,
                lambda: consent_requests.consent_request_answer(
                    actor=request.user,
                    account=account,
                    request=asked,
                    decision=form.cleaned_data["decision"],
                    assurance_level=oidc.assurance_level(request.session),
                ),
            )
            if answered is not None:
                messages.success(
                    request,
                    _("Takk. Du sa ja, og samtykket gjelder fra nå.")
                    if form.cleaned_data["decision"] == Decision.GIVEN
                    else _("Takk. Du sa nei, og ingenting deles."),
                )
                return redirect(reverse("portal:youth", args=[youth_id]) + "#consents")
    return render(
        request,
        "portal/consent_request.html",
        {
            "account": account,
            "youth": account.youth,
            "asked": asked,
            "sentences": consent_requests.sentences(asked),
            "form": form if may_answer else None,
        },
        status=400 if form.is_bound else 200,
    )


# --- Staff ------------------------------------------------------------------------------------


def staff_activity_context(request: HttpRequest, activity: Activity) -> dict[str, Any]:
    """What the activity's staff page shows besides the form: how it was agreed, the comments
    and the youth's requests to change it, with an answer form for each open one (two
    queries)."""
    may_answer = youth_plan.may_answer(viewer_of(request), activity)
    requests = list(
        ActivityChangeRequest.objects.filter(activity=activity)
        .select_related("requested_by", "answered_by")
        .order_by("-requested_at")
    )
    return {
        "template": "pages/activity_edit.html",
        "activity": activity,
        "comments": list(
            ActivityComment.objects.filter(activity=activity)
            .select_related("written_by")
            .order_by("written_at")
        ),
        "change_requests": [
            {
                "request": r,
                "form": ChangeRequestAnswerForm(prefix=str(r.pk))
                if may_answer and r.is_open
                else None,
            }
            for r in requests
        ],
    }


@staff_required
@methods("post")
def change_request_answer(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """The advisor answers the youth's request to change an activity: changed (after the
    request) or declined with the reason."""
    activity_id = (
        ActivityChangeRequest.objects.filter(pk=request_id)
        .values_list("activity_id", flat=True)
        .first()
    )
    if activity_id is None:
        raise Http404
    activity = selectors.activity_for_user(
        viewer=viewer_of(request), activity_id=activity_id, purpose="activity-change-answer"
    )
    asked = ActivityChangeRequest.objects.get(pk=request_id)
    form = ChangeRequestAnswerForm(request.POST, prefix=str(asked.pk))
    if form.is_valid():
        answered = run(
            form,
            lambda: youth_plan.change_request_answer(
                actor=request.user,
                request=asked,
                outcome=form.cleaned_data["outcome"],
                answer=form.cleaned_data["answer"],
            ),
        )
        if answered is not None:
            messages.success(request, _("Svaret er sendt til ungdommen."))
            return redirect(reverse("pages:activity-edit", args=[activity.pk]) + "#requests")
    for error in [e for errors in form.errors.values() for e in errors]:
        messages.error(request, str(error))
    return redirect(reverse("pages:activity-edit", args=[activity.pk]) + "#requests")


@staff_required
@methods("get", "post")
def consent_request_new(request: HttpRequest, youth_id: uuid.UUID) -> HttpResponse:
    """Ask the youth for a consent on *Min side*: from a template, the actor's service shares
    with a service that follows the youth."""
    viewer = viewer_of(request)
    youth = access.youth_for_user(viewer, youth_id, purpose="consent-request-form")
    # The services the viewer may see following the youth, as the request checks them.
    shown = consent_requests.targets(viewer, youth)
    form = ConsentRequestForm(
        posted(request),
        mine=my_services(viewer),
        targets=Service.objects.filter(pk__in={p.service_id for p in shown}).order_by("name"),
    )
    if form.is_valid():
        data = form.cleaned_data
        asked = run(
            form,
            lambda: consent_requests.consent_request_prepare(
                actor=request.user,
                youth=youth,
                template_code=data["template"],
                from_service=data["from_service"],
                to_service=data["to_service"],
                categories=data["categories"],
            ),
        )
        if asked is not None:
            messages.success(
                request,
                _("Forespørselen er sendt til ungdommens Min side: %(what)s.")
                % {"what": consent_texts.listed(consent_requests.sentences(asked))},
            )
            return redirect(reverse("pages:youth", args=[youth.pk]) + "#consents")
    access.log_items(viewer, "consent-request-form", youth.pk, [])
    return render(
        request,
        "pages/form_page.html",
        {
            "form": form,
            "heading": _("Be om samtykke på Min side: %s") % youth.full_name,
            "intro": _(
                "Ungdommen ser forespørselen på Min side i klare ord og svarer ja eller nei. "
                "Svaret registreres som et digitalt samtykke."
            ),
            "submit_label": _("Send forespørselen"),
            "back_url": reverse("pages:youth", args=[youth.pk]),
            "back_label": youth.full_name,
        },
        status=400 if form.is_bound else 200,
    )
