"""The staff page of a service, for its managers: who works there, in which role and since when;
invite a person by e-mail, give a member another role, end a membership, revoke an invitation.
And the invitation's own page, where the invited person accepts. The rules are in
``cases.services.staff``; every change is audited there."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from cases import oidc
from cases.invitations import SESSION_KEY
from cases.middleware import viewer_of
from cases.models import STAFF_MANAGING_ROLES, Service, StaffInvitation, StaffMembership, StaffRole
from cases.services import staff as staff_services
from coordination.pages.base import methods, posted, run, run_action, staff_required

ENDED_SHOWN = 30  # the most recently ended memberships on the page


class InviteForm(forms.Form):
    first_name = forms.CharField(label=_("Fornavn"), max_length=150)
    last_name = forms.CharField(label=_("Etternavn"), max_length=150)
    email = forms.EmailField(
        label=_("E-post"),
        max_length=254,
        help_text=_("Jobbadressen. Lenken i invitasjonen virker én gang."),
    )
    role = forms.ChoiceField(label=_("Rolle"), choices=StaffRole.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=StaffRole.choices)


class PasswordAcceptForm(forms.Form):
    username = forms.CharField(label=_("Brukernavn"), max_length=150)
    password = forms.CharField(
        label=_("Passord"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Passord igjen"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("Passordene er ikke like."))
        return data


def _managed_services(request: HttpRequest) -> list[Service]:
    """The active services in which the user manages staff, by name (one query)."""
    ids = [
        m.service_id
        for m in viewer_of(request).memberships
        if m.role in STAFF_MANAGING_ROLES and m.service_is_active
    ]
    return list(Service.objects.filter(pk__in=ids).order_by("name")) if ids else []


def _check_manages(request: HttpRequest, service_id: uuid.UUID) -> None:
    if not staff_services.manages_staff(viewer_of(request), service_id):
        raise PermissionDenied


def _team_url(service_id: Any) -> str:
    return reverse("pages:team", args=[service_id])


@staff_required
@methods("get")
def team_home(request: HttpRequest) -> HttpResponse:
    """The staff page of the first service the user manages (the navigation's link)."""
    managed = _managed_services(request)
    if not managed:
        raise PermissionDenied
    return redirect(_team_url(managed[0].pk))


@staff_required
@methods("get", "post")
def team(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    """The service's members now (every role a person holds is its own row), the invitations
    waiting for an answer, and the most recently ended memberships; a POST invites a person."""
    _check_manages(request, service_id)
    managed = _managed_services(request)
    service = next((s for s in managed if s.pk == service_id), None)
    if service is None:
        raise PermissionDenied
    form = InviteForm(posted(request), prefix="invite")
    if form.is_bound and form.is_valid():
        sent = run(
            form,
            lambda: staff_services.invitation_send(
                actor=request.user, service=service, **form.cleaned_data
            ),
        )
        if sent is not None:
            messages.success(
                request,
                _("Invitasjonen er sendt til %(email)s.") % {"email": sent.invitation.email},
            )
            return HttpResponseRedirect(_team_url(service.pk))
    memberships = StaffMembership.objects.filter(service=service).select_related("user")
    now = timezone.now()
    pending = list(
        StaffInvitation.objects.filter(
            service=service, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )
    for invitation in pending:
        invitation.expired = invitation.expires_at <= now  # type: ignore[attr-defined]
    context = {
        "service": service,
        "managed": managed,
        "members": list(
            memberships.filter(ended_at__isnull=True).order_by(
                "user__last_name", "user__first_name", "user__username", "role"
            )
        ),
        "ended": list(
            memberships.filter(ended_at__isnull=False).order_by(F("ended_at").desc())[:ENDED_SHOWN]
        ),
        "pending": pending,
        "form": form,
        "roles": StaffRole.choices,
        "lifetime_days": round(settings.STAFF_INVITATION_LIFETIME.days),
    }
    return render(request, "pages/team.html", context, status=400 if form.is_bound else 200)


def _membership_service(membership_id: uuid.UUID) -> Any:
    service_id = (
        StaffMembership.objects.filter(pk=membership_id).values_list("service_id", flat=True)
    ).first()
    if service_id is None:
        raise Http404
    return service_id


@staff_required
@methods("post")
def membership_role(request: HttpRequest, membership_id: uuid.UUID) -> HttpResponse:
    service_id = _membership_service(membership_id)
    _check_manages(request, service_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Velg en rolle fra listen."))
    else:
        run_action(
            request,
            lambda: staff_services.membership_role_change(
                actor=request.user, membership_id=membership_id, role=form.cleaned_data["role"]
            ),
            _("Rollen er endret."),
        )
    return HttpResponseRedirect(_team_url(service_id))


@staff_required
@methods("post")
def membership_end(request: HttpRequest, membership_id: uuid.UUID) -> HttpResponse:
    service_id = _membership_service(membership_id)
    _check_manages(request, service_id)
    run_action(
        request,
        lambda: staff_services.membership_end_as_manager(
            actor=request.user, membership_id=membership_id
        ),
        _("Ansattforholdet er avsluttet."),
    )
    return HttpResponseRedirect(_team_url(service_id))


@staff_required
@methods("post")
def invitation_revoke(request: HttpRequest, invitation_id: uuid.UUID) -> HttpResponse:
    service_id = (
        StaffInvitation.objects.filter(pk=invitation_id).values_list("service_id", flat=True)
    ).first()
    if service_id is None:
        raise Http404
    _check_manages(request, service_id)
    run_action(
        request,
        lambda: staff_services.invitation_revoke(actor=request.user, invitation_id=invitation_id),
        _("Invitasjonen er trukket tilbake."),
    )
    return HttpResponseRedirect(_team_url(service_id))


# --- The invited person's page ---------------------------------------------------------------


@never_cache
@methods("get", "post")
def invitation(request: HttpRequest, secret: str) -> HttpResponse:
    """The link in the e-mail. A waiting invitation offers the log-in through the staff
    provider (the invitation's id is kept in the session for its callback,
    ``cases.invitations``) and, where local passwords are on, a username and password; a used,
    revoked or expired one, or a link that names none, gets a page that says so."""
    found = staff_services.invitation_for_secret(secret)
    if found is None:
        return render(request, "pages/invitation_gone.html", {"state": None}, status=404)
    state = found.state_at(timezone.now())
    if state != "PENDING":
        return render(request, "pages/invitation_gone.html", {"state": state}, status=410)
    oidc_on = oidc.client_config(oidc.STAFF) is not None
    password_on = settings.LOCAL_PASSWORD_LOGIN
    form = PasswordAcceptForm(
        request.POST if request.POST.get("accept") == "password" else None, prefix="accept"
    )
    if request.method == "POST" and request.POST.get("accept") == "oidc" and oidc_on:
        request.session[SESSION_KEY] = str(found.pk)
        return redirect(reverse("oidc-staff-login") + "?" + urlencode({"for": "invitation"}))
    if form.is_bound and password_on and form.is_valid():
        data = form.cleaned_data
        user = run(
            form,
            lambda: staff_services.invitation_accept_with_password(
                invitation_id=found.pk, username=data["username"], password=data["password"]
            ),
        )
        if user is not None:
            messages.success(
                request, _("Kontoen er laget, og du har tilgang. Logg inn med brukernavnet ditt.")
            )
            return redirect("login")
    context = {
        "invitation": found,
        "inviter": found.invited_by.get_full_name() or found.invited_by.get_username(),
        "oidc_on": oidc_on,
        "password_on": password_on,
        "form": form,
    }
    response = render(
        request,
        "pages/invitation.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
    # The link's secret is in this page's URL: no other site is told it.
    response["Referrer-Policy"] = "same-origin"
    return response
