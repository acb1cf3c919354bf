"""The staff member's notification settings: how reminders about deadlines come (at once or in a
daily digest). The e-mails and the menu link here; the API has the same setting."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.models import DigestMode
from coordination.pages.base import methods, posted, run, staff_required
from coordination.reminders import preferences


class NotificationForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Når vil du ha påminnelser om frister?"),
        choices=DigestMode.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Velg når du vil ha påminnelser."),
            "invalid_choice": gettext_lazy("Velg et av valgene."),
        },
    )


@staff_required
@methods("get", "post")
def notifications(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = NotificationForm(posted(request), initial={"mode": preferences.reminder_mode(user)})
    if form.is_valid():
        mode = form.cleaned_data["mode"]
        if run(form, lambda: preferences.reminder_preference_set(actor=user, mode=mode)):
            messages.success(request, _("Varslingen er lagret."))
            return redirect("pages:notifications")
    return render(
        request,
        "pages/notifications.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )
