"""Django admin for the registry.

Youth records are shown only through the access gate, exactly as in the API: an admin user sees
the youths their own services follow, no more. The same holds for consents, the access log and the
audit trail: their admins come from ``consent`` and ``core``, and are registered here with the
gate's reach. Youths are found by identity number through a
POST form, so the number never lands in a URL (admin's ``?q=`` search covers names only); the
form finds the youth by the number's blind index, as the API's look-up does. No list shows an
identity number; a youth's own page shows it to those the gate lets reach the youth.

What an admin shows of a youth is written to the access log like any read (``LogsReads``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Value
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from cases import access, selectors, services
from cases.middleware import viewer_of
from cases.models import (
    Activity,
    ExternalSubject,
    FollowUpEntry,
    FollowUpPeriod,
    Guardian,
    NavDecision,
    Referral,
    Service,
    StaffMembership,
    Youth,
    kind_category,
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


class LogsReads:
    """An admin of rows about youths writes what it shows to the access log, through the
    gate's ``log_reads`` like any read: a list one row per youth on its page (purpose
    ``<log_purpose>-list``), an object's page (change, history) one row for its youth
    (``log_purpose``). An object asked for by id that the user may not see, but that exists, is
    a refused attempt on its youth (``access.log_denied_on``): the admin answers it with a
    redirect, not an error, so nothing rolls the row back.

    ``youth_field`` is the path to the youth's id; ``items`` what the log records of one object
    in a list (none: the youth alone, general information), ``page_items`` on its own page. The
    rows are written when the list's page is read (the same rows it renders) and when the
    object is found, before the page exists."""

    log_purpose: str
    youth_field = "youth_id"

    def items(self, obj: Any) -> list[dict[str, Any]]:
        return []

    def page_items(self, request: HttpRequest, obj: Any) -> list[dict[str, Any]]:
        return self.items(obj)

    def youth_id(self, obj: Any) -> Any:
        value = obj
        for name in self.youth_field.split("__"):
            value = getattr(value, name)
        return value

    def log_shown(
        self, request: HttpRequest, purpose: str, objects: list[Any], *, page: bool = False
    ) -> None:
        """One access-log row per youth among ``objects``, with their items."""
        viewer = viewer_of(request)
        by_youth: dict[Any, list[dict[str, Any]]] = {}
        for obj in objects:
            youth_id = self.youth_id(obj)
            if youth_id is None:  # a row about no youth (an audit entry about staff)
                continue
            items = self.page_items(request, obj) if page else self.items(obj)
            by_youth.setdefault(youth_id, []).extend(items)
        access.log_reads(
            viewer,
            purpose,
            [access.Read(youth, viewer.reach, items) for youth, items in by_youth.items()],
        )

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]
        # Reading the page's rows here fills the queryset's cache: the page renders these.
        self.log_shown(request, f"{self.log_purpose}-list", list(changelist.result_list))
        return changelist

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is None:
            access.log_denied_on(
                viewer_of(request),
                self.model,  # type: ignore[attr-defined]
                object_id,
                self.log_purpose,
                youth=self.youth_field,
            )
        else:
            self.log_shown(request, self.log_purpose, [obj], page=True)
        return obj


def _general(kind: str, obj: Any) -> dict[str, Any]:
    """An item of general information (who the youth is, who answers for them)."""
    return {"type": kind, "id": str(obj.pk), "category": Category.GENERAL, "basis": "general"}


def _period_item(period: FollowUpPeriod) -> dict[str, Any]:
    """A period of one of the viewer's own services, with its reasons (the service's own
    category)."""
    category = kind_category(period.service.kind)
    return {"type": "period", "id": str(period.pk), "category": category, "basis": "own"}


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


class ExternalSubjectForm(forms.ModelForm):
    """A link made by hand is a staff user's: ID-porten's are made by the person's own log-in
    (and the model refuses a staff user under ID-porten's issuer in any case)."""

    class Meta:
        model = ExternalSubject
        fields = ["user", "issuer", "subject"]

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"]
        idporten = settings.SAMORDNA_OIDC.get("idporten")
        staff = settings.SAMORDNA_OIDC.get("staff")
        if idporten and issuer == idporten["issuer"] and not (staff and staff["issuer"] == issuer):
            raise ValidationError(
                _("En kobling til ID-porten lages av personens egen innlogging, ikke her."),
                code="idporten_issuer",
            )
        return str(issuer)


@admin.register(ExternalSubject)
class ExternalSubjectAdmin(admin.ModelAdmin):
    """Which staff user a subject of the organisation's OpenID Connect provider logs in as.
    Linked and unlinked through the services (audited); never edited in place. The links of
    *Min side* users are made by their ID-porten log-in."""

    list_display = ["user", "issuer", "subject", "created_at"]
    search_fields = ["user__username", "subject"]
    autocomplete_fields = ["user"]
    fields = ["user", "issuer", "subject"]
    form = ExternalSubjectForm

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request)

    def save_model(
        self, request: HttpRequest, obj: ExternalSubject, form: Any, change: bool
    ) -> None:
        saved = services.external_subject_link(
            actor=request.user, user=obj.user, issuer=obj.issuer, subject=obj.subject
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: ExternalSubject) -> None:
        services.external_subject_unlink(actor=request.user, link=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ExternalSubject]) -> None:
        for link in queryset.select_related("user"):
            services.external_subject_unlink(actor=request.user, link=link)


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
class YouthAdmin(LogsReads, admin.ModelAdmin):
    log_purpose = "admin-youth"
    youth_field = "pk"
    list_display = ["last_name", "first_name", "birth_date", "municipality"]
    search_fields = ["first_name", "last_name"]  # never the identity number: ?q= is in the URL
    fields = [
        "identity_number",
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
        "identity_number",
        "national_id_kind",
        "birth_date",
        "version",
        "created_at",
        "updated_at",
    ]
    inlines = [GuardianInline, PeriodInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return reachable_subjects(request)

    @admin.display(description=_("fødselsnummer / D-nummer"))
    def identity_number(self, youth: Youth) -> str:
        return youth.national_id

    def page_items(self, request: HttpRequest, youth: Youth) -> list[dict[str, Any]]:
        """The page shows the identity number and contact details (general), the guardians
        and the periods of the viewer's own services (``GuardianInline``, ``PeriodInline``)."""
        reach = viewer_of(request).reach
        periods = youth.periods.filter(service_id__in=reach).select_related("service")
        return [
            *(_general("guardian", g) for g in youth.guardians.all()),
            *(_period_item(p) for p in periods),
        ]

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
class GuardianAdmin(LogsReads, ReadOnlyAdminMixin, admin.ModelAdmin):
    log_purpose = "admin-guardian"
    list_display = ["full_name", "relation", "has_parental_responsibility", "youth"]

    def items(self, guardian: Guardian) -> list[dict[str, Any]]:
        return [_general("guardian", guardian)]

    def get_queryset(self, request: HttpRequest) -> Any:
        return Guardian.objects.filter(youth__in=reachable_subjects(request)).select_related(
            "youth"
        )


@admin.register(FollowUpPeriod)
class FollowUpPeriodAdmin(LogsReads, ReadOnlyAdminMixin, admin.ModelAdmin):
    log_purpose = "admin-period"
    list_display = ["youth", "service", "responsible", "started_on", "ended_on"]
    list_filter = ["service"]

    def items(self, period: FollowUpPeriod) -> list[dict[str, Any]]:
        return [_period_item(period)]

    def get_queryset(self, request: HttpRequest) -> Any:
        return access.own_service_periods(viewer_of(request)).select_related(
            "youth", "service", "responsible"
        )


@admin.register(FollowUpEntry)
class FollowUpEntryAdmin(LogsReads, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Entries through the same access policy as the API (consent-bound)."""

    log_purpose = "admin-entry"
    list_display = ["occurred_on", "kind", "category", "service", "youth"]
    list_filter = ["category", "kind"]

    def get_queryset(self, request: HttpRequest) -> Any:
        entries = FollowUpEntry.objects.filter(deleted_at__isnull=True)
        return access.visible(viewer_of(request), entries).select_related("service", "youth")

    def items(self, entry: FollowUpEntry) -> list[dict[str, Any]]:
        return [selectors.entry_item(entry)]


@admin.register(Referral)
class ReferralAdmin(LogsReads, ReadOnlyAdminMixin, admin.ModelAdmin):
    log_purpose = "admin-referral"
    list_display = ["sent_at", "from_service", "to_service", "state", "respond_by"]
    list_filter = ["state"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return access.referrals_for(viewer_of(request)).select_related("from_service", "to_service")

    def log_shown(
        self, request: HttpRequest, purpose: str, objects: list[Any], *, page: bool = False
    ) -> None:
        """Referrals seen, as the API and the pages record them."""
        access.log_referrals(
            viewer_of(request), purpose, [access.referral_values(r) for r in objects]
        )


@admin.register(NavDecision)
class NavDecisionAdmin(LogsReads, ReadOnlyAdminMixin, admin.ModelAdmin):
    """§14a decisions through the access policy (work and welfare information)."""

    log_purpose = "admin-decision"
    list_display = ["decided_on", "innsatsgruppe", "main_goal", "service", "superseded_at"]
    list_filter = ["innsatsgruppe"]

    def get_queryset(self, request: HttpRequest) -> Any:
        decisions = NavDecision.objects.select_related("service", "youth", "decided_by")
        return access.visible(
            viewer_of(request),
            decisions.annotate(info_category=Value(Category.WORK_AND_WELFARE.value)),
            category="info_category",
        )

    def items(self, decision: NavDecision) -> list[dict[str, Any]]:
        return [selectors.item("decision", decision, Category.WORK_AND_WELFARE)]


@admin.register(Activity)
class ActivityAdmin(LogsReads, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Activities through the access policy; changes go through the API (versioned)."""

    log_purpose = "admin-activity"
    list_display = ["title", "type", "status", "deadline", "agreed", "responsible_service"]
    list_filter = ["status", "type", "agreed"]

    def get_queryset(self, request: HttpRequest) -> Any:
        activities = Activity.objects.select_related("responsible_service", "plan__period__service")
        return access.visible(viewer_of(request), activities, owner="plan__period__service")

    def items(self, activity: Activity) -> list[dict[str, Any]]:
        return [selectors.item("activity", activity, activity.category)]


class ThroughTheGate:
    """Rows about a youth show to those whom the access gate lets reach that youth."""

    def reachable_subjects(self, request: HttpRequest) -> Any:
        return reachable_subjects(request)


@admin.register(AuditEntry)
class AuditEntryAdmin(ThroughTheGate, LogsReads, core_admin.AuditEntryAdmin):
    """The changes recorded on a youth (with their data) are about the youth."""

    log_purpose = "admin-audit"
    youth_field = "subject_id"

    def items(self, entry: AuditEntry) -> list[dict[str, Any]]:
        return [_general("audit-entry", entry)]


@admin.register(Consent)
class ConsentAdmin(ThroughTheGate, LogsReads, consent_admin.ConsentAdmin):
    log_purpose = "admin-consent"
    youth_field = "subject_id"

    def items(self, consent: Consent) -> list[dict[str, Any]]:
        return [selectors.consent_item(consent)]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ThroughTheGate, LogsReads, consent_admin.AccessLogEntryAdmin):
    """Who looked at a youth is about the youth too: its rows, shown, are a look at the youth."""

    log_purpose = "admin-access-log"
    youth_field = "subject_id"
