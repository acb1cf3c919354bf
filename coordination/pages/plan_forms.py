"""Forms of the plan page: the plan's own text and dates, goals, measures, participants and the
coordinator handover. Like every page form they check shape only; the plan services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.categories import Category
from coordination.models import ParticipantKind
from coordination.pages.forms import METHODS, DateInput, PageForm, VersionForm

# Choices are (id, label) lists the view reads once, so a page of many forms costs no query per
# form; the view turns a chosen id back into its row.
Choices = list[tuple[str, str]]


def _text(label: Any, max_length: int = 10000, *, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class OwnPartForm(VersionForm):
    """The youth's own part of the plan, in their own words (the coordinator writes it down)."""

    my_life_so_far = _text(_("Livet mitt så langt"))
    my_goals = _text(_("Mine mål"))
    my_challenges = _text(_("Mine utfordringer"))
    what_matters = _text(_("Det som er viktig for meg"))
    my_contribution = _text(_("Det jeg selv bidrar med"))
    resources = _text(_("Ressurser"))
    needs = _text(_("Behov"))
    cooperation_needed = _text(_("Samarbeid som trengs"))


class PlanDatesForm(VersionForm):
    starts_on = forms.DateField(label=_("Planperiode fra"), required=False, widget=DateInput)
    ends_on = forms.DateField(
        label=_("Planperiode til"),
        required=False,
        widget=DateInput,
        help_text=_("Tomt: planen løper til den avsluttes."),
    )
    next_review_on = forms.DateField(
        label=_("Dato for neste evaluering"), required=False, widget=DateInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("Planperioden kan ikke slutte før den begynner."))
        return data


PLAN_SECTIONS: dict[str, type[VersionForm]] = {"own": OwnPartForm, "dates": PlanDatesForm}


class GoalForm(PageForm):
    title = forms.CharField(label=_("Mål"), max_length=300)
    description = _text(_("Beskrivelse"), 5000, rows=2)
    category = forms.ChoiceField(
        label=_("Kategori"),
        choices=Category.choices,
        initial=Category.GENERAL,
        help_text=_("Avgjør hvem som ser målet: bare tjenester med samtykke til kategorien."),
    )
    parent = forms.ChoiceField(label=_("Delmål under"), required=False)

    def __init__(self, *args: Any, main_goals: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [  # type: ignore[attr-defined]
            ("", _("Ingen: et hovedmål")),
            *main_goals,
        ]


class GoalEditForm(VersionForm):
    title = GoalForm.base_fields["title"]
    description = GoalForm.base_fields["description"]
    achieved = forms.BooleanField(label=_("Målet er nådd"), required=False)


class MeasureForm(PageForm):
    """A measure: what is done, by which service and person, by when."""

    goal = forms.ChoiceField(label=_("Mål"))
    title = forms.CharField(label=_("Tiltak"), max_length=300)
    service = forms.ChoiceField(label=_("Ansvarlig tjeneste"))
    responsible = forms.ChoiceField(label=_("Ansvarlig person"), required=False)
    scope = forms.CharField(label=_("Omfang"), max_length=300, required=False)
    how = _text(_("Hvordan det gjennomføres"), 5000, rows=2)
    category = forms.ChoiceField(
        label=_("Kategori"), choices=Category.choices, initial=Category.GENERAL
    )
    starts_on = forms.DateField(label=_("Fra"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("Frist"), required=False, widget=DateInput)

    def __init__(
        self, *args: Any, goals: Choices | None, services: Choices, staff: Choices, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if goals is None:
            del self.fields["goal"]
        else:
            self.fields["goal"].choices = goals  # type: ignore[attr-defined]
        self.fields["service"].choices = services  # type: ignore[attr-defined]
        self.fields["responsible"].choices = [("", _("Ingen bestemt")), *staff]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("Fristen kan ikke være før tiltaket begynner."))
        return data


class MeasureEditForm(MeasureForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, services: Choices, staff: Choices, **kwargs: Any) -> None:
        super().__init__(*args, goals=None, services=services, staff=staff, **kwargs)


class ParticipantForm(PageForm):
    """A service that follows the youth, or a relative the youth wants with. A new service in
    an individual plan needs the youth's own consent to it (the plan's consent is renewed)."""

    kind = forms.ChoiceField(
        label=_("Hvem"),
        choices=ParticipantKind.choices,
        widget=forms.RadioSelect,
        initial=ParticipantKind.SERVICE,
    )
    service = forms.ChoiceField(label=_("Tjeneste"), required=False)
    name = forms.CharField(label=_("Navn (pårørende)"), max_length=200, required=False)
    relation = forms.CharField(
        label=_("Relasjon til ungdommen (pårørende)"), max_length=100, required=False
    )
    contribution = _text(_("Bidrar med"), 5000, rows=2)
    method = forms.ChoiceField(
        label=_("Hvordan ga ungdommen samtykke til den nye tjenesten?"),
        choices=METHODS,
        required=False,
    )
    agreed_text = forms.CharField(
        label=_("Teksten ungdommen godtok"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, services: Choices, needs_consent: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_consent = needs_consent
        self.fields["service"].choices = [("", _("Velg")), *services]  # type: ignore[attr-defined]
        if not needs_consent:
            del self.fields["method"], self.fields["agreed_text"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        required = _("Dette feltet er påkrevd.")
        if kind == ParticipantKind.SERVICE:
            if not data.get("service"):
                self.add_error("service", required)
            if self.needs_consent:
                for name in ("method", "agreed_text"):
                    if not data.get(name):
                        self.add_error(name, required)
        elif kind == ParticipantKind.RELATIVE and not (data.get("name") or "").strip():
            self.add_error("name", required)
        return data


class CoordinatorOfferForm(PageForm):
    """Offer the coordinator role to a staff member of a participating service."""

    to = forms.ChoiceField(label=_("Ny koordinator"))
    message = forms.CharField(
        label=_("Melding"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, people: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [("", _("Velg")), *people]  # type: ignore[attr-defined]


class CoordinatorAnswerForm(PageForm):
    answer = forms.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])
    reason = forms.CharField(label=_("Begrunnelse"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Skriv hvorfor du avslår koordinatorrollen."))
        return data
