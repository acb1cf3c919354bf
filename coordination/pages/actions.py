"""Staff forms on a youth: log follow-up, record and withdraw consent, refer, hand over, start
and change the activity plan. Each calls one service (one transaction) and redirects back; a
form's field names are the service's arguments, so the cleaned data is passed on as it is. A
form page shows the youth, so showing it (empty, or again with errors) is written to the access
log; the reach check comes first, so a refused attempt's row is never rolled back."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import access, consent_texts, selectors, services
from cases.middleware import viewer_of
from cases.models import Activity, Service, ServiceKind, Youth
from cases.services.referrals import ConsentGiven
from consent.models import Decision
from coordination.pages import forms, youth_plan
from coordination.pages.base import methods, run, run_action, staff_required
from coordination.pages.base import posted as _posted
from coordination.pages.staff import my_services


def _youth(request: HttpRequest, youth_id: uuid.UUID, purpose: str) -> Youth:
    return access.youth_for_user(viewer_of(request), youth_id, purpose=purpose)


def _youth_url(youth_id: Any) -> str:
    return reverse("pages:youth", args=[youth_id])


def _form_page(
    request: HttpRequest,
    form: Any,
    youth: Youth,
    heading: str,
    submit: str,
    *,
    purpose: str,
    items: Any = (),
    template: str = "pages/form_page.html",
    **extra: Any,
) -> HttpResponse:
    """The form on its page; the look at the youth it shows (``items``: what else of the youth
    it shows) is logged."""
    access.log_items(viewer_of(request), purpose, youth.pk, list(items))
    return render(
        request,
        template,
        {
            "form": form,
            "heading": heading,
            "submit_label": submit,
            "back_url": _youth_url(youth.pk),
            "back_label": youth.full_name,
            **extra,
        },
        status=400 if form.is_bound else 200,
    )


def _end_of(day: datetime.date | None) -> datetime.datetime | None:
    """A consent valid until a day lasts that whole day (Europe/Oslo)."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def _active_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).order_by("name")


@staff_required
@methods("get", "post")
def entry_new(request: HttpRequest, youth_id: uuid.UUID) -> HttpResponse:
    youth = _youth(request, youth_id, "entry-form")
    form = forms.EntryForm(_posted(request), services=my_services(viewer_of(request)))
    if form.is_valid():
        data = form.cleaned_data
        if run(
            form,
            lambda: services.entry_log(actor=request.user, youth=youth, **data),
        ):
            messages.success(request, _("Oppfølgingen er logget."))
            return redirect(_youth_url(youth.pk))
    return _form_page(
        request,
        form,
        youth,
        _("Logg oppfølging: %s") % youth.full_name,
        _("Lagre notatet"),
        purpose="entry-form",
    )


@staff_required
@methods("get", "post")
def consent_new(request: HttpRequest, youth_id: uuid.UUID) -> HttpResponse:
    """Record a consent between the services. A template (``?template=``, from
    ``cases.consent_texts.TEMPLATES``) starts the purpose, the text and the categories; the
    staff member edits them, and chooses each flow's direction and how the consent was given."""
    viewer = viewer_of(request)
    youth = _youth(request, youth_id, "consent-form")
    guardians = youth.guardians.filter(has_parental_responsibility=True)
    guardian_ids = list(guardians.values_list("pk", flat=True))
    chooser = forms.ConsentTemplateForm(request.GET or None)
    chosen = consent_texts.template(chooser.cleaned_data["template"] if chooser.is_valid() else "")
    initial: dict[str, Any] = {}
    if chosen is not None:
        text = consent_texts.template_text(chosen)
        initial = {
            "purpose": text.purpose,
            "agreed_text": text.agreed_text,
            "flow1_categories": list(chosen.categories),
        }
    form = forms.ConsentForm(
        _posted(request),
        mine=my_services(viewer),
        targets=_active_services(),
        guardians=guardians if guardian_ids else None,
        initial=initial,
    )
    if form.is_valid():
        data = form.cleaned_data
        valid_until = data["valid_until"]
        consent = run(
            form,
            lambda: services.consent_give(
                actor=request.user,
                youth=youth,
                decision=data["decision"],
                giver=data["giver"],
                purpose_code=consent_texts.COOPERATION,
                purpose=data["purpose"],
                method=data["method"],
                agreed_text=data["agreed_text"],
                flows=data["flows"],
                valid_until=_end_of(valid_until),
                child_view=data.get("child_view") or "",
                guardians=list(data.get("guardians") or ()),
            ),
        )
        if consent is not None:
            # Told from what was stored, as the youth page tells it.
            prefetch_related_objects([consent], "scopes__from_party", "scopes__to_party")
            messages.success(
                request,
                _("Samtykket er registrert: %(flows)s.")
                % {"flows": consent_texts.listed(consent_texts.flow_sentences(consent))},
            )
            return redirect(_youth_url(youth.pk) + "#consents")
    return _form_page(
        request,
        form,
        youth,
        _("Registrer samtykke: %s") % youth.full_name,
        _("Registrer"),
        purpose="consent-form",
        items=[  # the guardians the form names
            {"type": "guardian", "id": str(pk), "category": "GENERAL", "basis": "general"}
            for pk in guardian_ids
        ],
        template="pages/consent_form.html",
        chooser=chooser if chooser.is_bound else forms.ConsentTemplateForm(),
        intro=_(
            "Et samtykke gjelder deling én vei: fra tjenesten din til en annen, for "
            "opplysningene som er valgt. Skal den andre tjenesten dele med dere, registrerer "
            "den det selv, for bare den som har opplysningene kan åpne dem. Samtykket kan "
            "trekkes tilbake når som helst, og virker da med en gang."
        ),
    )


@staff_required
@methods("post")
def consent_withdraw(request: HttpRequest, youth_id: uuid.UUID, consent_id: uuid.UUID) -> Any:
    youth = _youth(request, youth_id, "consent-withdraw")
    consent = selectors.consent_for_user(
        viewer=viewer_of(request), consent_id=consent_id, purpose="consent-withdraw"
    )
    form = forms.WithdrawForm(request.POST)
    if consent.subject_id != youth.pk or not form.is_valid():
        messages.error(request, _("Velg hvordan samtykket ble trukket tilbake."))
    else:
        method = form.cleaned_data["method"]
        run_action(
            request,
            lambda: services.consent_withdraw(actor=request.user, consent=consent, method=method),
            _("Samtykket er trukket tilbake og gjelder ikke lenger."),
        )
    return redirect(_youth_url(youth.pk) + "#consents")


@staff_required
@methods("get", "post")
def refer(request: HttpRequest, youth_id: uuid.UUID) -> HttpResponse:
    """Refer the youth. Where a consent is missing for what the referral carries, the page
    offers to record it in place (from the referral's consent template) and to send the
    referral with it, the message kept: one transaction for both."""
    viewer = viewer_of(request)
    youth = _youth(request, youth_id, "referral-form")
    mine = my_services(viewer)
    form = forms.ReferralForm(
        _posted(request),
        services=mine,
        targets=_active_services().exclude(pk__in=mine.values("pk")),
    )
    guardians = youth.guardians.filter(has_parental_responsibility=True)
    consent_form = None
    if request.method == "POST" and request.POST.get("with-consent"):
        consent_form = forms.ReferralConsentForm(request.POST, guardians=guardians)
    if form.is_valid() and (consent_form is None or consent_form.is_valid()):
        data = dict(form.cleaned_data)  # a refusal's errors take fields out of cleaned_data
        if consent_form is None:
            sent = run(
                form, lambda: services.referral_send(actor=request.user, youth=youth, **data)
            )
        else:
            given = _consent_given(consent_form.cleaned_data)
            sent = run(
                form,
                lambda: services.referral_send_with_consent(
                    actor=request.user, youth=youth, consent=given, **data
                ),
                also=[consent_form],
            )
        if sent:
            messages.success(request, _("Henvisningen er sendt til %s.") % data["to_service"].name)
            return redirect(_youth_url(youth.pk))
        if consent_form is None and form.has_error("categories"):
            # Refused for want of consent: offer to record it here.
            text = consent_texts.referral_text(
                from_name=data["from_service"].name,
                to_name=data["to_service"].name,
                categories=data["categories"],
            )
            consent_form = forms.ReferralConsentForm(
                guardians=guardians,
                initial={"purpose": text.purpose, "agreed_text": text.agreed_text},
            )
    consents = list(
        selectors.consent_list(youth=youth).prefetch_related(
            "scopes__from_party", "scopes__to_party"
        )
    )
    now = timezone.now()
    return _form_page(
        request,
        form,
        youth,
        _("Henvis %s") % youth.full_name,
        _("Send henvisningen"),
        purpose="referral-form",
        items=[
            {"type": "consent", "id": str(c.pk), "category": "GENERAL", "basis": "general"}
            for c in consents
        ],
        template="pages/refer.html",
        consent_form=consent_form,
        consents=[
            consent_texts.flow_sentences(c, now=now)
            for c in consents
            if c.decision == Decision.GIVEN
        ],
    )


def _consent_given(data: dict[str, Any]) -> ConsentGiven:
    return ConsentGiven(
        giver=data["giver"],
        method=data["method"],
        purpose=data["purpose"],
        agreed_text=data["agreed_text"],
        guardians=list(data.get("guardians") or ()),
        child_view=data.get("child_view") or "",
    )


@staff_required
@methods("get", "post")
def handover(request: HttpRequest, youth_id: uuid.UUID) -> HttpResponse:
    youth = _youth(request, youth_id, "handover-form")
    periods = (
        access.own_service_periods(viewer_of(request))
        .filter(youth=youth, ended_on__isnull=True)
        .select_related("service")
    )
    form = forms.HandoverForm(_posted(request), periods=periods, targets=_active_services())
    if form.is_valid():
        data = form.cleaned_data
        if run(
            form,
            lambda: services.handover_offer(actor=request.user, **data),
        ):
            messages.success(
                request,
                _("Stafetten er sendt. Dere har ansvaret til %s tar imot.")
                % data["to_service"].name,
            )
            return redirect(_youth_url(youth.pk))
    return _form_page(
        request,
        form,
        youth,
        _("Overfør ansvaret for %s") % youth.full_name,
        _("Send stafetten"),
        purpose="handover-form",
    )


@staff_required
@methods("post")
def activity_plan_new(request: HttpRequest, youth_id: uuid.UUID) -> Any:
    youth = _youth(request, youth_id, "activity-plan-create")
    nav = my_services(viewer_of(request)).filter(kind=ServiceKind.NAV).first()
    if nav is None:
        messages.error(request, _("Bare et NAV-kontor kan opprette en aktivitetsplan."))
    else:
        run_action(
            request,
            lambda: services.activity_plan_create(actor=request.user, youth=youth, service=nav),
            _("Aktivitetsplanen er opprettet."),
        )
    return redirect(_youth_url(youth.pk) + "#activity-plan")


@staff_required
@methods("post")
def activity_plan_approve(request: HttpRequest, plan_id: uuid.UUID) -> Any:
    plan = selectors.activity_plan_for_user(
        viewer=viewer_of(request), plan_id=plan_id, purpose="activity-plan-approve"
    )
    form = forms.VersionForm(request.POST)
    if form.is_valid():
        version = form.cleaned_data["version"]
        run_action(
            request,
            lambda: services.activity_plan_approve(actor=request.user, plan=plan, version=version),
            _("Aktivitetsplanen er godkjent."),
        )
    return redirect(_youth_url(plan.youth_id) + "#activity-plan")


@staff_required
@methods("get", "post")
def activity_new(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    plan = selectors.activity_plan_for_user(
        viewer=viewer_of(request), plan_id=plan_id, purpose="activity-form"
    )
    form = forms.ActivityForm(_posted(request))
    if form.is_valid():
        data = form.cleaned_data
        if run(form, lambda: services.activity_add(actor=request.user, plan=plan, **data)):
            messages.success(request, _("Aktiviteten er lagt til."))
            return redirect(_youth_url(plan.youth_id) + "#activity-plan")
    return _form_page(
        request,
        form,
        plan.youth,
        _("Ny aktivitet for %s") % plan.youth.full_name,
        _("Legg til"),
        purpose="activity-form",
        items=[selectors.item("activity-plan", plan, "WORK_AND_WELFARE")],
    )


@staff_required
@methods("get", "post")
def activity_edit(request: HttpRequest, activity_id: uuid.UUID) -> HttpResponse:
    activity: Activity = selectors.activity_for_user(
        viewer=viewer_of(request), activity_id=activity_id, purpose="activity-edit"
    )
    fields = ["type", "title", "description", "status", "from_date", "to_date", "deadline"]
    initial = {name: getattr(activity, name) for name in [*fields, "agreed", "version"]}
    form = forms.ActivityEditForm(_posted(request), initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in [*fields, "agreed"]}
        if run(
            form,
            lambda: services.activity_change(
                actor=request.user,
                activity=activity,
                version=data["version"],
                values=values,
                agreed_note=data["agreed_note"],
                staff_text=data["staff_text"],
            ),
        ):
            messages.success(request, _("Aktiviteten er endret."))
            return redirect(_youth_url(activity.youth_id) + "#activity-plan")
    youth = activity.plan.youth
    return _form_page(
        request,
        form,
        youth,
        _("Endre aktivitet: %s") % activity.title,
        _("Lagre"),
        purpose="activity-edit",  # the form shows the activity
        items=[selectors.item("activity", activity, activity.category)],
        **youth_plan.staff_activity_context(request, activity),
    )
