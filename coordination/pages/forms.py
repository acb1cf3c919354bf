"""Forms of the pages. They check shape only (required, lengths, choices, dates); the rules live
in the services, whose refusals ``pages.base.run`` puts next to the fields they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import consent_texts, dates, municipalities
from cases.models import (
    CASELOAD_ROLES,
    ActivityStatus,
    ActivityType,
    EntryKind,
    FollowUpPeriod,
    Guardian,
    OtRegistrationReason,
    ReferralReason,
    Service,
    ThreadKind,
    kind_category,
)
from cases.validators import no_identity_number, validate_national_id
from consent.categories import Category
from consent.models import ANSWERS, Giver, Method
from consent.services import Flow
from coordination.deadlines import compliance
from coordination.models import MeasureStatus
from core.errors import ApplicationError


class PageForm(forms.Form):
    """Labels without a trailing colon (the style sheet sets them apart)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ServiceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ServicesChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def my_service_field(services: QuerySet[Service]) -> ServiceChoice:
    """Which of my services acts: preselected, and hidden when the user has only one."""
    only = services.first() if len(services) == 1 else None
    return ServiceChoice(
        queryset=services,
        label=_("Din tjeneste"),
        empty_label=None,
        initial=only,
        widget=forms.HiddenInput if only else forms.Select,
    )


class VersionForm(PageForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


# A name search travels in the address, and addresses end up in logs and browser history: an
# identity number there is refused, and the page's own field for it sends it in the form body.
SEARCH_NAME_MESSAGE = _(
    "Søk ikke på identitetsnummer i navnefeltet: søket står i adressen og havner i logger. "
    "Bruk feltet «Fødselsnummer / D-nummer»."
)


class CaseloadFilterForm(PageForm):
    q = forms.CharField(
        label=_("Navn"),
        max_length=100,
        required=False,
        validators=[no_identity_number(SEARCH_NAME_MESSAGE)],
        help_text=_("«Etternavn, Fornavn» eller «Fornavn Etternavn», også bare begynnelsen."),
    )
    scope = forms.ChoiceField(
        label=_("Vis"),
        choices=[("ours", _("Våre ungdommer")), ("mine", _("Mine ungdommer"))],
        required=False,
    )
    service = ServiceChoice(
        queryset=Service.objects.none(), label=_("Tjeneste"), required=False, empty_label=_("Alle")
    )
    # Not a choice field: a sort that is not one of these sorts by name, never refuses the list.
    sort = forms.CharField(
        label=_("Sorter etter"),
        required=False,
        widget=forms.Select(
            choices=[
                ("name", _("Navn (A–Å)")),
                ("-name", _("Navn (Å–A)")),
                ("municipality", _("Kommune (A–Å)")),
                ("-municipality", _("Kommune (Å–A)")),
                ("contact", _("Lengst siden siste kontakt")),
                ("-contact", _("Nyligst kontakt")),
                ("deadline", _("Neste frist")),
                ("-deadline", _("Neste frist, senest først")),
            ]
        ),
    )

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.has_error("q"):
            # A refused search (an identity number) is not shown again: sent once more with the
            # form, it would be back in the address.
            self.data = {**self.data, "q": ""}
        return cleaned


def national_id_field() -> forms.CharField:
    """An identity number (fødselsnummer or D-nummer): sent in a POST body, never in an
    address, and not filled in by the browser."""
    return forms.CharField(
        label=_("Fødselsnummer / D-nummer"),
        max_length=13,
        validators=[validate_national_id],
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class LookupForm(PageForm):
    """Find a youth by identity number (posted, never in the address)."""

    national_id = national_id_field()

    def without_number(self) -> LookupForm:
        """The form again with its errors but not the number typed: the answer to a search
        that found no one does not repeat who was searched for."""
        shown = type(self)({"national_id": ""})
        shown.is_valid()
        shown.errors.clear()
        shown.errors.update(self.errors)
        return shown


class YouthRegisterForm(PageForm):
    """Register a youth with one of my services (``cases.services.youth_register``): a youth
    already registered is not made twice, and the service starts following that record."""

    service = ServiceChoice(queryset=Service.objects.none())
    national_id = national_id_field()
    first_name = forms.CharField(label=_("Fornavn"), max_length=100)
    last_name = forms.CharField(label=_("Etternavn"), max_length=100)
    birth_date = forms.DateField(
        label=_("Fødselsdato"),
        required=False,
        widget=DateInput,
        help_text=_("Bare når den ikke kan leses av nummeret."),
    )
    municipality_number = forms.ChoiceField(label=_("Kommune"), choices=())
    reason = forms.CharField(label=_("Hvorfor tjenesten følger opp"), max_length=500)
    registration_reason = forms.ChoiceField(
        label=_("Tilmeldingsårsak (oppfølgingstjenesten)"),
        choices=[("", _("Ikke aktuelt")), *OtRegistrationReason.choices],
        required=False,
    )
    email = forms.EmailField(label=_("E-post"), max_length=254, required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=16, required=False)

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"] = my_service_field(services)
        field: Any = self.fields["municipality_number"]
        field.choices = [("", _("Velg kommune")), *municipalities.choices()]
        first = next(iter(services), None)
        if first is not None and first.municipality_number:
            field.initial = first.municipality_number


class EntryForm(PageForm):
    service = ServiceChoice(queryset=Service.objects.none())
    occurred_on = forms.DateField(label=_("Dato"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Type"), choices=EntryKind.choices)
    category = forms.ChoiceField(
        label=_("Kategori"),
        choices=Category.choices,
        help_text=_(
            "Hvem som ser notatet: i tjenestens egen kategori ser bare tjenesten din det, og "
            "andre tjenester bare med samtykke som dekker kategorien. «Generelt» ser alle "
            "tjenester som følger ungdommen."
        ),
    )
    text = forms.CharField(label=_("Notat"), max_length=10000, widget=forms.Textarea)

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"] = my_service_field(services)
        self.fields["occurred_on"].initial = timezone.localdate()
        # The service's own category, as the API's default: general must be chosen.
        first = next(iter(services), None)
        if first is not None:
            self.fields["category"].initial = kind_category(first.kind)


# How a consent was given: chosen each time, never a default.
METHODS = [("", _("Velg")), *Method.choices]


# The flows a consent names on the form: one direction each, from the recording staff member's
# service (only the holder opens its records) to another, for the categories chosen.
FLOW_ROWS = 3
FLOW_CATEGORIES = [(value, label) for value, label in Category.choices if value != Category.GENERAL]


def template_choices() -> list[tuple[str, Any]]:
    return [("", _("Uten mal")), *((t.code, t.title) for t in consent_texts.TEMPLATES)]


class ConsentTemplateForm(PageForm):
    """Which template starts the consent form (sent in the address: it names no one)."""

    template = forms.ChoiceField(label=_("Start fra en mal"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = template_choices()  # type: ignore[attr-defined]


class ConsentForm(PageForm):
    """A consent between the services: the texts (from a template, edited to what was agreed),
    the flows one direction each (``flows`` in the cleaned data), who gave it and how (chosen
    each time, never a default)."""

    purpose = forms.CharField(label=_("Formål"), max_length=2000, widget=forms.Textarea)
    agreed_text = forms.CharField(
        label=_("Teksten ungdommen (eller foresatte) godtok"),
        max_length=20000,
        widget=forms.Textarea,
    )
    decision = forms.ChoiceField(label=_("Svar"), choices=ANSWERS, widget=forms.RadioSelect)
    giver = forms.ChoiceField(label=_("Gitt av"), choices=Giver.choices, widget=forms.RadioSelect)
    method = forms.ChoiceField(label=_("Hvordan ble samtykket gitt?"), choices=METHODS)
    valid_until = forms.DateField(label=_("Gyldig til"), required=False, widget=DateInput)
    guardians = forms.ModelMultipleChoiceField(
        queryset=Guardian.objects.none(),
        label=_("Foresatte som svarte nå"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Når foresatte samtykker, svarer hver foresatt med foreldreansvar selv. Samtykket "
            "gjelder først når alle med foreldreansvar har sagt ja."
        ),
    )
    child_view = forms.CharField(
        label=_("Barnets mening (når foresatte samtykker)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea,
        help_text=_(
            "Barnet høres fra 7 år; fra 12 år skal barnets mening skrives ned og veie tungt "
            "(barnelova § 31)."
        ),
    )

    def __init__(
        self,
        *args: Any,
        mine: QuerySet[Service],
        targets: QuerySet[Service],
        guardians: QuerySet[Guardian] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if guardians is not None:
            self.fields["guardians"].queryset = guardians  # type: ignore[attr-defined]
        else:
            # A youth without guardians on record (an adult, say) answers alone.
            for name in ("guardians", "child_view"):
                del self.fields[name]
            self.fields["giver"].choices = [(Giver.SUBJECT, Giver.SUBJECT.label)]  # type: ignore[attr-defined]
            self.fields["giver"].initial = Giver.SUBJECT
        first = next(iter(mine), None)
        self.flow_rows: list[tuple[int, list[str]]] = []
        for n in range(1, FLOW_ROWS + 1):
            names = [f"flow{n}_from", f"flow{n}_to", f"flow{n}_categories"]
            self.fields[names[0]] = ServiceChoice(
                queryset=mine,
                label=_("Tjenesten som deler"),
                empty_label=None,
                initial=first,
                required=False,  # a row left empty needs none
            )
            self.fields[names[1]] = ServiceChoice(
                queryset=targets,
                label=_("Med tjenesten"),
                required=False,
                empty_label=_("Velg"),
            )
            self.fields[names[2]] = forms.MultipleChoiceField(
                label=_("Opplysninger som deles"),
                choices=FLOW_CATEGORIES,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.flow_rows.append((n, names))

    def rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [(n, [self[name] for name in names]) for n, names in self.flow_rows]

    def answer_fields(self) -> list[forms.BoundField]:
        """Who answered, how and for how long: the fields after the flows."""
        names = ("decision", "giver", "method", "valid_until", "guardians", "child_view")
        return [self[name] for name in names if name in self.fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: dict[tuple[Any, Any], set[str]] = {}
        for _n, (source_name, target_name, what_name) in self.flow_rows:
            source, target = data.get(source_name), data.get(target_name)
            what = data.get(what_name) or []
            if target is None and not what:
                continue  # a row left empty
            if target is None:
                self.add_error(target_name, _("Velg tjenesten som får opplysningene."))
            elif not what:
                self.add_error(what_name, _("Velg hvilke opplysninger som deles."))
            elif source is None:
                if not self.has_error(source_name):
                    self.add_error(source_name, _("Velg tjenesten som deler."))
            elif source == target:
                self.add_error(target_name, _("Velg en annen tjeneste enn den som deler."))
            else:
                chosen.setdefault((source, target), set()).update(what)
        if not chosen and not any(
            self.has_error(name) for _n, names in self.flow_rows for name in names
        ):
            self.add_error(
                self.flow_rows[0][1][1],
                _("Velg minst én deling: hvilken tjeneste som deler hva med hvem."),
            )
        # The general facts travel with every flow (``coordination.plans.services.consent_flows``).
        data["flows"] = [
            Flow(categories=sorted({Category.GENERAL, *what}), from_party=s, to_party=t)
            for (s, t), what in chosen.items()
        ]
        return data


class ReferralConsentForm(PageForm):
    """The consent a referral needs, recorded with it: one way, from the sender to the receiver,
    for the categories the referral carries. The texts start from the referral's template
    (``cases.consent_texts.referral_text``) and are edited to what was agreed."""

    giver = forms.ChoiceField(label=_("Gitt av"), choices=Giver.choices, widget=forms.RadioSelect)
    method = forms.ChoiceField(label=_("Hvordan ble samtykket gitt?"), choices=METHODS)
    purpose = forms.CharField(label=_("Formål"), max_length=2000, widget=forms.Textarea)
    agreed_text = forms.CharField(
        label=_("Teksten ungdommen (eller foresatte) godtok"),
        max_length=20000,
        widget=forms.Textarea,
    )
    guardians = ConsentForm.base_fields["guardians"]
    child_view = ConsentForm.base_fields["child_view"]

    def __init__(self, *args: Any, guardians: QuerySet[Guardian], **kwargs: Any) -> None:
        super().__init__(*args, prefix="consent", **kwargs)
        self.fields["guardians"].queryset = guardians  # type: ignore[attr-defined]
        if not guardians.exists():
            # An adult youth (or one without guardians on record) answers alone.
            for name in ("guardians", "child_view"):
                del self.fields[name]
            self.fields["giver"].choices = [(Giver.SUBJECT, Giver.SUBJECT.label)]  # type: ignore[attr-defined]
            self.fields["giver"].initial = Giver.SUBJECT


class WithdrawForm(PageForm):
    method = forms.ChoiceField(label=_("Hvordan ble det trukket tilbake?"), choices=METHODS)


class ReferralForm(PageForm):
    from_service = ServiceChoice(queryset=Service.objects.none())
    to_service = ServiceChoice(
        queryset=Service.objects.none(), label=_("Til tjeneste"), empty_label=_("Velg")
    )
    reason_code = forms.ChoiceField(label=_("Årsak"), choices=ReferralReason.choices)
    reason = forms.CharField(label=_("Årsak med egne ord"), max_length=500, required=False)
    message = forms.CharField(label=_("Melding"), max_length=5000, widget=forms.Textarea)
    categories = forms.MultipleChoiceField(
        label=_("Opplysninger som følger med"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Alt utover generelle opplysninger må dekkes av samtykke eller hjemmel."),
    )

    def __init__(
        self, *args: Any, services: QuerySet[Service], targets: QuerySet[Service], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_service"] = my_service_field(services)
        self.fields["to_service"].queryset = targets  # type: ignore[attr-defined]


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class AcceptForm(VersionForm):
    """Accept a referral: who in the receiving service becomes responsible for the youth."""

    responsible = StaffChoice(
        queryset=get_user_model().objects.none(), label=_("Ansvarlig hos dere"), empty_label=None
    )

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(
                is_active=True,
                memberships__service=service,
                memberships__ended_at__isnull=True,
                memberships__role__in=CASELOAD_ROLES,
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )


class DeclineForm(VersionForm):
    reason = forms.CharField(label=_("Begrunnelse"), max_length=500)


class HandoverForm(PageForm):
    period = forms.ModelChoiceField(
        queryset=FollowUpPeriod.objects.none(), label=_("Oppfølgingsperiode"), empty_label=None
    )
    to_service = ServiceChoice(queryset=Service.objects.none(), label=_("Til tjeneste"))
    message = forms.CharField(label=_("Melding"), max_length=5000, required=False)

    def __init__(
        self,
        *args: Any,
        periods: QuerySet[FollowUpPeriod],
        targets: QuerySet[Service],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["period"]
        field.queryset = periods
        field.label_from_instance = lambda p: f"{p.service.name} ({p.started_on:%d.%m.%Y})"
        self.fields["to_service"].queryset = targets  # type: ignore[attr-defined]


class ActivityForm(PageForm):
    type = forms.ChoiceField(label=_("Type"), choices=ActivityType.choices)
    title = forms.CharField(label=_("Tittel"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivelse"), max_length=5000, required=False, widget=forms.Textarea
    )
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    from_date = forms.DateField(label=_("Fra dato"), required=False, widget=DateInput)
    to_date = forms.DateField(label=_("Til dato"), required=False, widget=DateInput)
    deadline = forms.DateField(label=_("Frist"), required=False, widget=DateInput)
    agreed = forms.BooleanField(label=_("Avtalt med ungdommen"), required=False)
    agreed_note = forms.CharField(
        label=_("Notat om den muntlige avtalen"),
        help_text=_(
            "Hvem avtalte, når og hva. Uten notat er aktiviteten avtalt først når ungdommen "
            "bekrefter den på Min side."
        ),
        max_length=2000,
        required=False,
        widget=forms.Textarea,
    )


class ActivityEditForm(ActivityForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    staff_text = forms.CharField(
        label=_("Kommentar til endringen"), max_length=2000, required=False
    )


class ReviewForm(VersionForm):
    held_on = forms.DateField(label=_("Dato for evalueringen"), widget=DateInput)
    next_review_on = forms.DateField(label=_("Neste evaluering"), widget=DateInput)
    youth_attended = forms.BooleanField(label=_("Ungdommen deltok"), required=False, initial=True)
    changes_agreed = forms.CharField(
        label=_("Endringer som ble avtalt"), max_length=5000, required=False, widget=forms.Textarea
    )
    youth_view = forms.CharField(
        label=_("Ungdommens egen vurdering"),
        max_length=5000,
        required=False,
        widget=forms.Textarea,
    )

    attendees = forms.MultipleChoiceField(
        label=_("Til stede"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        goals: list[tuple[str, str]],
        participants: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = participants  # type: ignore[attr-defined]
        self.goal_fields: list[tuple[str, str]] = []
        for goal_id, title in goals:
            name = f"goal_{goal_id}"
            self.fields[name] = forms.CharField(
                label=_("Hva er oppnådd: %(goal)s") % {"goal": title},
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.goal_fields.append((goal_id, name))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        held, following = data.get("held_on"), data.get("next_review_on")
        if held and following and following <= held:
            self.add_error(
                "next_review_on", _("Neste evaluering må være etter denne evalueringen.")
            )
        return data


class MeasureStatusForm(VersionForm):
    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)


class AccessLogFilterForm(PageForm):
    actor = forms.CharField(label=_("Brukernavn"), max_length=150, required=False)
    # The youth a look-up by identity number found, by id (the number itself is never here).
    youth = forms.UUIDField(required=False, widget=forms.HiddenInput)
    youth_name = forms.CharField(
        label=_("Ungdommens navn"),
        max_length=100,
        required=False,
        help_text=_("«Etternavn, Fornavn» eller «Fornavn Etternavn»."),
        validators=[no_identity_number(SEARCH_NAME_MESSAGE)],
    )
    granted = forms.TypedChoiceField(
        label=_("Utfall"),
        required=False,
        choices=[("", _("Alle")), ("true", _("Innvilget")), ("false", _("Avvist"))],
        coerce=lambda value: value == "true",
        empty_value=None,
    )
    after = forms.DateField(label=_("Fra og med"), required=False, widget=DateInput)
    before = forms.DateField(label=_("Til og med"), required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.has_error("youth_name"):
            self.data = {**self.data, "youth_name": ""}  # not back into the address
        after, before = data.get("after"), data.get("before")
        if after and before and before < after:
            self.add_error("before", _("Til-datoen må være samme dag som eller etter fra-datoen."))
        return data


class AccessLogLookupForm(LookupForm):
    """The access log of one youth, found by identity number (posted, never in the address)."""


class AccessRequestForm(PageForm):
    """A request for access made on paper: the youth by identity number (in the POST body,
    never in the address), and the file to produce."""

    national_id = national_id_field()
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("pdf", _("PDF (for å lese og skrive ut)")), ("json", _("JSON (maskinlesbar)"))],
        initial="pdf",
    )


# The longest period the compliance page draws day by day.
REPORT_MAX_DAYS = 366


class ReportFilterForm(PageForm):
    service = ServiceChoice(
        queryset=Service.objects.none(), label=_("NAV-kontor"), empty_label=None
    )
    start = forms.DateField(label=_("Fra og med"), widget=DateInput)
    end = forms.DateField(label=_("Til og med"), widget=DateInput)
    # "csv": the same as a spreadsheet file (the page's download links set it).
    download = forms.ChoiceField(
        choices=[("", ""), ("csv", "CSV")], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            dates.check_date_windows(
                {name: data.get(name) for name in compliance.REPORT_DATE_WINDOWS},
                compliance.REPORT_DATE_WINDOWS,
            )
        except ApplicationError as exc:
            for name, message in exc.fields.items():
                self.add_error(name, str(message))
            return data
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("Sluttdatoen må være etter startdatoen."))
        elif (
            data.get("start")
            and data.get("end")
            and (data["end"] - data["start"]).days >= REPORT_MAX_DAYS
        ):
            message = _("Velg en periode på høyst %(days)s dager.") % {"days": REPORT_MAX_DAYS}
            self.add_error("end", message)
        return data


class ComplianceFigureForm(ReportFilterForm):
    """One figure of the report: UG-90's group, met or not met now, or a deadline rule's met,
    missed or open deadlines in the report's period."""

    rule = forms.ChoiceField(
        label=_("Regel"), choices=[(code, code) for code in ("UG-90", *compliance.DEADLINE_RULES)]
    )
    status = forms.ChoiceField(
        label=_("Tall"),
        choices=[
            (code, code) for code in (*compliance.UG90_STATUSES, *compliance.DEADLINE_STATUSES)
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        rule, status = data.get("rule"), data.get("status")
        if rule and status and not compliance.is_figure(rule, status):
            self.add_error("status", _("Regelen har ikke dette tallet."))
        return data


class MessageForm(PageForm):
    text = forms.CharField(label=_("Melding"), max_length=5000, widget=forms.Textarea)
    answer_by = forms.DateField(label=_("Trenger svar innen"), required=False, widget=DateInput)


class CorrectionForm(PageForm):
    """A correction of one's own message: the new text, sent as a new message naming it."""

    text = forms.CharField(label=_("Rettet melding"), max_length=5000, widget=forms.Textarea)


class StaffThreadForm(PageForm):
    """Staff start a thread about the youth: with the youth (as a contact person) or between
    the services, held by one of their services that follows the youth."""

    kind = forms.ChoiceField(
        label=_("Samtale"), choices=ThreadKind.choices, widget=forms.RadioSelect
    )
    service = ServiceChoice(label=_("Tjeneste"), queryset=Service.objects.none())
    category = forms.ChoiceField(
        label=_("Kategori (samtale mellom tjenestene)"),
        required=False,
        choices=[("", _("Tjenestens egen kategori")), *Category.choices],
        help_text=_(
            "Bare tjenester som får se denne kategorien fra tjenesten, ser samtalen. En samtale "
            "med ungdommen er alltid i tjenestens egen kategori."
        ),
    )
    subject = forms.CharField(label=_("Emne"), max_length=200)
    text = forms.CharField(label=_("Melding"), max_length=5000, widget=forms.Textarea)
    answer_by = forms.DateField(label=_("Trenger svar innen"), required=False, widget=DateInput)

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["service"]
        field.queryset = services
        if len(services) == 1:
            field.initial = services[0].pk
        self.fields["kind"].initial = ThreadKind.STAFF


class PortalThreadForm(PageForm):
    """The youth writes to the contact person of one of the services that follow them."""

    service = forms.ChoiceField(label=_("Til"))
    subject = forms.CharField(label=_("Emne"), max_length=200)
    text = forms.CharField(label=_("Melding"), max_length=5000, widget=forms.Textarea)

    def __init__(self, *args: Any, periods: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(p.service_id): p.service for p in periods}
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            (str(p.service_id), f"{p.service.name} ({p.responsible.get_full_name()})")
            for p in periods
        ]
