"""Django admin for the registry.

Youth records are shown only through the access gate, exactly as in the API: an admin user sees
the youths their own services follow, no more. The same holds for consents, the access log and the
audit trail: their admins come from ``consent`` and ``core``, and are registered here with the
gate's reach. Youths are found by identity number through a
POST form, so the number never lands in a URL (admin's ``?q=`` search covers names only).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet, Value
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from cases import access, selectors, services
from cases.middleware import viewer_of
from cases.models import (
    Activity,
    FollowUpEntry,
    FollowUpPeriod,
    Guardian,
    NavDecision,
    Referral,
    Service,
    StaffMembership,
    Youth,
)
from cases.validators import validate_national_id
from consent import admin as consent_admin
from consent.categories import Category
from consent.models import AccessLogEntry, Consent
from core import admin as core_admin
from core.errors import ApplicationError
from core.models import AuditEntry


def reachable_subjects(request: HttpRequest) -> QuerySet[Youth]:
    """The youths the request's viewer reaches: the youth admin's list, and what the audit
    trail's, the consents' and the access log's admin show (``ThroughTheGate``)."""
    return access.reachable_youths(viewer_of(request))


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality_number", "county_number", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: periods and staff history point at services


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    """A membership is granted (added) or ended, each through its service with the admin user
    as the actor in the audit trail; it is never edited in place, so who gave which access
    stays on record. Another role is another membership."""

    list_display = ["user", "service", "role", "created_at", "ended_at"]
    list_filter = ["role", "service__kind", "service"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "service__name"]
    autocomplete_fields = ["service"]
    # Clearances are granted by a manager of the service through the API (audited).
    readonly_fields = ["created_at", "ended_at", *services.CLEARANCE_FIELDS]
    actions = ["end_memberships"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request)  # the list's action

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # end the membership instead, so history stays

    def save_model(
        self, request: HttpRequest, obj: StaffMembership, form: Any, change: bool
    ) -> None:
        saved = services.membership_add(
            actor=request.user, user=obj.user, service=obj.service, role=obj.role
        )
        obj.pk = saved.pk

    @admin.action(description=_("Avslutt medlemskapene"))
    def end_memberships(self, request: HttpRequest, queryset: QuerySet[StaffMembership]) -> None:
        for membership in queryset.filter(ended_at__isnull=True):
            services.membership_end(actor=request.user, membership=membership)
        self.message_user(request, _("Medlemskapene er avsluttet."))


class GuardianInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Guardian
    fields = ["full_name", "relation", "has_parental_responsibility", "email", "phone"]
    extra = 0


class PeriodInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The periods of the viewer's own services: other services' involvement and reasons are
    shown where the gate's rules for them apply (the API and the pages)."""

    model = FollowUpPeriod
    fields = ["service", "responsible", "started_on", "ended_on", "reason"]
    extra = 0
    verbose_name_plural = _("oppfølgingsperioder i dine tjenester")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(service_id__in=viewer_of(request).reach)


WITHHELD_FIELDS = ("municipality_number", "email", "phone")


class YouthLookupForm(forms.Form):
    national_id = forms.CharField(
        label=_("Fødselsnummer / D-nummer"), max_length=13, validators=[validate_national_id]
    )


@admin.register(Youth)
class YouthAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "birth_date", "municipality"]
    search_fields = ["first_name", "last_name"]  # never the identity number: ?q= is in the URL
    fields = [
        "national_id",
        "national_id_kind",
        "birth_date",
        "first_name",
        "last_name",
        "municipality_number",
        "email",
        "phone",
        "address_protection",
        "shielded",
        "version",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "national_id",
        "national_id_kind",
        "birth_date",
        "version",
        "created_at",
        "updated_at",
    ]
    inlines = [GuardianInline, PeriodInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return reachable_subjects(request)

    @admin.display(description=_("kommunenummer"))
    def municipality(self, youth: Youth) -> str:
        return "" if youth.contact_withheld else youth.municipality_number

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Kode 6 and 19: no municipality or contact details, shown or edited."""
        fields = super().get_fields(request, obj)
        if obj is not None and obj.contact_withheld:
            return [f for f in fields if f not in WITHHELD_FIELDS]
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # registration opens a follow-up period: use the API or the staff pages

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Youth, form: Any, change: bool) -> None:
        changes = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in services.YOUTH_EDITABLE_FIELDS
        }
        version = form.initial_version
        if changes:
            version = services.youth_update(
                actor=request.user, youth=obj, version=version, **changes
            ).version
        if {"address_protection", "shielded"} & set(form.changed_data):
            try:
                services.youth_protection_set(
                    actor=request.user,
                    youth=obj,
                    version=version,
                    address_protection=form.cleaned_data["address_protection"],
                    shielded=form.cleaned_data["shielded"],
                )
            except ApplicationError as refused:
                messages.error(request, str(refused.message))

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        version = obj.version if obj is not None else 0

        class VersionedForm(form_class):  # type: ignore[misc, valid-type]
            initial_version = version

        return VersionedForm

    def get_urls(self) -> list[Any]:
        lookup = path(
            "lookup/",
            self.admin_site.admin_view(self.lookup_view),
            name="cases_youth_lookup",
        )
        return [lookup, *super().get_urls()]

    def lookup_view(self, request: HttpRequest) -> HttpResponse:
        """Find a youth by identity number via POST, then redirect to its page (UUID URL)."""
        form = YouthLookupForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            youth = selectors.youth_by_national_id(
                viewer=viewer_of(request), national_id=form.cleaned_data["national_id"]
            )
            if youth is not None:
                return HttpResponseRedirect(reverse("admin:cases_youth_change", args=[youth.pk]))
            messages.warning(request, _("Fant ingen ungdom med dette nummeret blant dine."))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Finn ungdom på identitetsnummer"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/cases/youth/lookup.html", context)


@admin.register(Guardian)
class GuardianAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["full_name", "relation", "has_parental_responsibility", "youth"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return Guardian.objects.filter(youth__in=reachable_subjects(request)).select_related(
            "youth"
        )


@admin.register(FollowUpPeriod)
class FollowUpPeriodAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["youth", "service", "responsible", "started_on", "ended_on"]
    list_filter = ["service"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return access.own_service_periods(viewer_of(request)).select_related(
            "youth", "service", "responsible"
        )


@admin.register(FollowUpEntry)
class FollowUpEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Entries through the same access policy as the API (consent-bound)."""

    list_display = ["occurred_on", "kind", "category", "service", "youth"]
    list_filter = ["category", "kind"]

    def get_queryset(self, request: HttpRequest) -> Any:
        entries = FollowUpEntry.objects.filter(deleted_at__isnull=True)
        return access.visible(viewer_of(request), entries).select_related("service", "youth")


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sent_at", "from_service", "to_service", "state", "respond_by"]
    list_filter = ["state"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return access.referrals_for(viewer_of(request)).select_related("from_service", "to_service")


@admin.register(NavDecision)
class NavDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """§14a decisions through the access policy (work and welfare information)."""

    list_display = ["decided_on", "innsatsgruppe", "main_goal", "service", "superseded_at"]
    list_filter = ["innsatsgruppe"]

    def get_queryset(self, request: HttpRequest) -> Any:
        decisions = NavDecision.objects.select_related("service", "youth", "decided_by")
        return access.visible(
            viewer_of(request),
            decisions.annotate(info_category=Value(Category.WORK_AND_WELFARE.value)),
            category="info_category",
        )


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Activities through the access policy; changes go through the API (versioned)."""

    list_display = ["title", "type", "status", "deadline", "agreed", "responsible_service"]
    list_filter = ["status", "type", "agreed"]

    def get_queryset(self, request: HttpRequest) -> Any:
        activities = Activity.objects.select_related("responsible_service", "plan__period__service")
        return access.visible(viewer_of(request), activities, owner="plan__period__service")


class ThroughTheGate:
    """Rows about a youth show to those whom the access gate lets reach that youth."""

    def reachable_subjects(self, request: HttpRequest) -> Any:
        return reachable_subjects(request)


@admin.register(AuditEntry)
class AuditEntryAdmin(ThroughTheGate, core_admin.AuditEntryAdmin):
    pass


@admin.register(Consent)
class ConsentAdmin(ThroughTheGate, consent_admin.ConsentAdmin):
    pass


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ThroughTheGate, consent_admin.AccessLogEntryAdmin):
    pass
