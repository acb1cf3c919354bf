"""*Min side*: where the youth wants notices that something new waits (a message, a change to
the plan): an e-mail address and a mobile number, each turned on or off. Only the youth: a
guardian neither sets nor sees them. Nothing is sent to an address the youth did not give."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import portal
from cases.services.dialogue import is_youth
from coordination.models import NoticeSettings
from coordination.pages.base import methods, posted, run
from coordination.pages.forms import PageForm
from coordination.reminders import notices, preferences


class NoticeSettingsForm(PageForm):
    email = forms.EmailField(
        label=gettext_lazy("E-post"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": gettext_lazy("Skriv en gyldig e-postadresse.")},
    )
    email_on = forms.BooleanField(label=gettext_lazy("Send varsel på e-post"), required=False)
    mobile = forms.CharField(
        label=gettext_lazy("Mobilnummer"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=gettext_lazy("Et norsk mobilnummer, som 912 34 567."),
    )
    sms_on = forms.BooleanField(label=gettext_lazy("Send varsel på SMS"), required=False)

    def clean_mobile(self) -> str:
        value: str = self.cleaned_data.get("mobile", "")
        if value.strip() and notices.norwegian_mobile(value) is None:
            raise forms.ValidationError(
                gettext_lazy("Skriv et norsk mobilnummer med åtte sifre, som 912 34 567."),
                code="invalid_mobile",
            )
        return value


def _initial(row: NoticeSettings | None) -> dict[str, Any]:
    if row is None:
        return {"email_on": False, "sms_on": False}
    return {
        "email": row.email,
        "email_on": row.email_on,
        "mobile": row.mobile,
        "sms_on": row.sms_on,
    }


@login_required
@methods("get", "post")
def notice_settings(request: HttpRequest, youth_id: uuid.UUID) -> HttpResponse:
    account = portal.account_for(request.user, youth_id, purpose="portal-notices")
    if account.is_guardian or not is_youth(request.user, account.youth_id):
        raise Http404
    youth = account.youth
    form = NoticeSettingsForm(
        posted(request), initial=_initial(NoticeSettings.objects.filter(youth=youth).first())
    )
    if form.is_valid():
        data = form.cleaned_data
        saved = run(
            form,
            lambda: preferences.notice_settings_set(
                actor=request.user,
                youth=youth,
                email=data["email"],
                mobile=data["mobile"],
                email_on=data["email_on"],
                sms_on=data["sms_on"],
            ),
        )
        if saved is not None:
            messages.success(request, _("Varslingen er lagret."))
            return redirect("portal:notices", youth_id=youth_id)
    return render(
        request,
        "portal/notices.html",
        {"account": account, "youth": youth, "form": form},
        status=400 if form.is_bound else 200,
    )
