"""NAV's follow-up of a youth: the §14a decision and the activity plan (domain.md §4)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.registry import FollowUpPeriod, Service, Youth
from consent.categories import Category
from core.models import Model


class Innsatsgruppe(models.TextChoices):
    """The five groups of a §14a decision, by NAV's code, with their current names."""

    STANDARD_INNSATS = "STANDARD_INNSATS", _("Gode muligheter")
    SITUASJONSBESTEMT_INNSATS = "SITUASJONSBESTEMT_INNSATS", _("Trenger veiledning")
    SPESIELT_TILPASSET_INNSATS = (
        "SPESIELT_TILPASSET_INNSATS",
        _("Trenger veiledning, nedsatt arbeidsevne"),
    )
    GRADERT_VARIG_TILPASSET_INNSATS = "GRADERT_VARIG_TILPASSET_INNSATS", _("Jobbe delvis")
    VARIG_TILPASSET_INNSATS = "VARIG_TILPASSET_INNSATS", _("Liten mulighet til å jobbe")


# The names used before NAV renamed the groups; GRADERT_VARIG_TILPASSET_INNSATS is new.
INNSATSGRUPPE_OLDER_NAMES = {
    Innsatsgruppe.STANDARD_INNSATS: "standard innsats",
    Innsatsgruppe.SITUASJONSBESTEMT_INNSATS: "situasjonsbestemt innsats",
    Innsatsgruppe.SPESIELT_TILPASSET_INNSATS: "spesielt tilpasset innsats",
    Innsatsgruppe.VARIG_TILPASSET_INNSATS: "varig tilpasset innsats",
}


class MainGoal(models.TextChoices):
    GET_WORK = "SKAFFE_ARBEID", _("Skaffe arbeid")
    KEEP_WORK = "BEHOLDE_ARBEID", _("Beholde arbeid")


class NavDecision(Model):
    """A §14a decision (*oppfølgingsvedtak*, NAV-loven § 14a). A new one supersedes the current;
    the superseded ones are kept as history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="nav_decisions"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("NAV-kontor"), on_delete=models.PROTECT, related_name="+"
    )
    innsatsgruppe = models.CharField(
        _("innsatsgruppe"), max_length=40, choices=Innsatsgruppe.choices
    )
    main_goal = models.CharField(_("hovedmål"), max_length=20, choices=MainGoal.choices)
    decided_on = models.DateField(_("vedtaksdato"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fattet av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("registrert"), default=timezone.now, editable=False)
    superseded_at = models.DateTimeField(_("erstattet"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self",
        verbose_name=_("erstattet av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
    )

    class Meta:
        verbose_name = _("§ 14 a-vedtak")
        verbose_name_plural = _("§ 14 a-vedtak")
        ordering = ["-decided_on", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["youth"],
                condition=Q(superseded_at__isnull=True),
                name="decision_one_current_per_youth",
                violation_error_message=_("Ungdommen har allerede et gjeldende vedtak."),
            ),
        ]
        indexes = [
            # Compliance: the current decisions of an office by group.
            models.Index(
                fields=["service", "innsatsgruppe"],
                condition=Q(superseded_at__isnull=True),
                name="decision_current_by_group",
            ),
            models.Index(fields=["youth", "decided_on"], name="decision_by_youth"),
        ]

    def __str__(self) -> str:
        return f"{self.get_innsatsgruppe_display()} ({self.decided_on:%d.%m.%Y})"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class ActivityType(models.TextChoices):
    """Activity types of NAV's activity plan (navikt/veilarbaktivitet)."""

    EGENAKTIVITET = "EGEN", _("Egenaktivitet")
    JOBBSOKING = "STILLING", _("Jobbsøking")
    SOKEAVTALE = "SOKEAVTALE", _("Søkeavtale")
    I_JOBB = "IJOBB", _("I jobb")
    BEHANDLING = "BEHANDLING", _("Behandling")
    MOTE = "MOTE", _("Møte med NAV")
    SAMTALEREFERAT = "SAMTALEREFERAT", _("Samtalereferat")
    STILLING_FRA_NAV = "STILLING_FRA_NAV", _("Stilling fra NAV")
    EKSTERN_AKTIVITET = "EKSTERNAKTIVITET", _("Ekstern aktivitet (tiltak)")


class ActivityStatus(models.TextChoices):
    FORSLAG = "FORSLAG", _("Forslag")
    PLANLAGT = "PLANLAGT", _("Planlagt")
    GJENNOMFORES = "GJENNOMFORES", _("Gjennomføres")
    FULLFORT = "FULLFORT", _("Fullført")
    AVBRUTT = "AVBRUTT", _("Avbrutt")
    BRUKER_ER_INTERESSERT = "BRUKER_ER_INTERESSERT", _("Brukeren er interessert")


class AgreedHow(models.TextChoices):
    """How an activity became agreed with NAV (*avtalt med NAV*)."""

    YOUTH = "YOUTH", _("bekreftet av ungdommen på Min side")
    ORAL = "ORAL", _("avtalt muntlig, notert av veileder")
    SOURCE = "SOURCE", _("avtalt i kildesystemet")


# A completed or cancelled activity cannot change any more.
FINISHED_STATUSES = frozenset({ActivityStatus.FULLFORT, ActivityStatus.AVBRUTT})
# Work-oriented activities: what counts as an offer under the youth guarantee (UG-U20, UI-8W).
WORK_ORIENTED_TYPES = frozenset(
    {
        ActivityType.EKSTERN_AKTIVITET,
        ActivityType.STILLING_FRA_NAV,
        ActivityType.I_JOBB,
        ActivityType.JOBBSOKING,
        ActivityType.SOKEAVTALE,
    }
)
# Treatment is health information; everything else in the plan is work and welfare.
TYPE_CATEGORY = {ActivityType.BEHANDLING: Category.HEALTH}


def category_of(activity_type: str) -> str:
    return str(TYPE_CATEGORY.get(activity_type, Category.WORK_AND_WELFARE))  # type: ignore[call-overload]


class ActivityPlan(Model):
    """The activity plan (*aktivitetsplan*) of one NAV follow-up period of a youth."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="activity_plans"
    )
    period = models.OneToOneField(
        FollowUpPeriod,
        verbose_name=_("oppfølgingsperiode"),
        on_delete=models.PROTECT,
        related_name="activity_plan",
    )
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opprettet av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("godkjent"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("godkjent av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)

    class Meta:
        verbose_name = _("aktivitetsplan")
        verbose_name_plural = _("aktivitetsplaner")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["youth", "-created_at"], name="plan_by_youth")]

    def __str__(self) -> str:
        return str(_("Aktivitetsplan")) + f" ({self.created_at:%d.%m.%Y})"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class Activity(Model):
    """One activity in a plan. Versioned: every change writes an ``ActivityVersion``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(
        ActivityPlan,
        verbose_name=_("aktivitetsplan"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="activities"
    )
    type = models.CharField(_("type"), max_length=20, choices=ActivityType.choices)
    status = models.CharField(_("status"), max_length=25, choices=ActivityStatus.choices)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    title = models.CharField(_("tittel"), max_length=200)
    description = models.TextField(_("beskrivelse"), max_length=5000, blank=True)
    from_date = models.DateField(_("fra dato"), null=True, blank=True)
    to_date = models.DateField(_("til dato"), null=True, blank=True)
    deadline = models.DateField(_("frist"), null=True, blank=True)
    responsible_service = models.ForeignKey(
        Service,
        verbose_name=_("ansvarlig tjeneste"),
        on_delete=models.PROTECT,
        related_name="responsible_activities",
    )
    agreed = models.BooleanField(_("avtalt med NAV"), default=False)
    agreed_at = models.DateTimeField(_("avtalt"), null=True, blank=True)
    # How it came to be agreed (``AgreedHow``), by whom (the youth, or the advisor who noted an
    # oral agreement) and the advisor's note; empty for activities agreed before this was kept.
    agreed_how = models.CharField(
        _("hvordan det ble avtalt"), max_length=10, choices=AgreedHow.choices, blank=True
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("avtalt av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreed_note = models.TextField(_("notat om avtalen"), max_length=2000, blank=True)
    status_changed_at = models.DateTimeField(_("status endret"), default=timezone.now)
    # Pushed from another system (NAV's *aktivitetskort*): idempotent on (source, external id).
    source = models.CharField(_("kildesystem"), max_length=50, blank=True)
    external_id = models.CharField(_("id i kildesystemet"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opprettet av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)

    class Meta:
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        ordering = ["deadline", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(source=""),
                name="activity_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(to_date__isnull=True)
                | Q(from_date__isnull=True)
                | Q(to_date__gte=models.F("from_date")),
                name="activity_ends_after_start",
                violation_error_message=_("Til-dato kan ikke være før fra-dato."),
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "deadline"], name="activity_by_plan"),
            models.Index(fields=["youth", "type"], name="activity_by_youth_type"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class ActivityVersion(Model):
    """One change of an activity: who, when, what (field → [before, after]), with a text for
    staff and a plain-language text for the youth."""

    id = models.BigAutoField(primary_key=True)
    activity = models.ForeignKey(
        Activity, verbose_name=_("aktivitet"), on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField(_("versjon"))
    changed_at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("endret av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changes = models.JSONField(_("endringer"), default=dict)
    staff_text = models.CharField(_("tekst for ansatte"), max_length=1000)
    youth_text = models.CharField(_("tekst for ungdommen"), max_length=1000)

    class Meta:
        verbose_name = _("aktivitetsversjon")
        verbose_name_plural = _("aktivitetsversjoner")
        ordering = ["activity", "version"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "version"], name="activity_version_unique")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class ActivityComment(Model):
    """A comment on an activity, by the youth on *Min side* or by staff. Kept like follow-up
    entries: never edited or deleted; a correction is a new comment naming the one it
    corrects."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    activity = models.ForeignKey(
        Activity, verbose_name=_("aktivitet"), on_delete=models.PROTECT, related_name="comments"
    )
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("kommentar"), max_length=4000)
    by_youth = models.BooleanField(_("fra ungdommen"), default=False)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("skrevet av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("skrevet"), default=timezone.now, editable=False)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("retter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )

    class Meta:
        verbose_name = _("kommentar til aktivitet")
        verbose_name_plural = _("kommentarer til aktiviteter")
        ordering = ["activity", "written_at"]
        indexes = [
            models.Index(fields=["activity", "written_at"], name="activity_comment_by_activity"),
            models.Index(fields=["youth", "written_at"], name="activity_comment_by_youth"),
        ]

    def __str__(self) -> str:
        return f"{self.written_at:%d.%m.%Y %H:%M}"


class ChangeRequestOutcome(models.TextChoices):
    CHANGED = "CHANGED", _("aktiviteten er endret")
    DECLINED = "DECLINED", _("avslått")


class ActivityChangeRequest(Model):
    """The youth asks on *Min side* to change an activity; the advisor answers by changing the
    activity (after the request) or by declining, with a text the youth sees."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("aktivitet"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("hva ungdommen ønsker endret"), max_length=4000)
    activity_version = models.PositiveIntegerField(_("versjonen ungdommen så"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bedt om av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("bedt om"), default=timezone.now, editable=False)
    outcome = models.CharField(
        _("svar"), max_length=10, choices=ChangeRequestOutcome.choices, blank=True
    )
    answer = models.TextField(_("svar til ungdommen"), max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("besvart av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("besvart"), null=True, blank=True)

    class Meta:
        verbose_name = _("ønske om endring av aktivitet")
        verbose_name_plural = _("ønsker om endring av aktiviteter")
        ordering = ["activity", "requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", answered_at__isnull=True)
                | (~Q(outcome="") & Q(answered_at__isnull=False)),
                name="change_request_answered_with_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["activity", "requested_at"], name="change_request_by_activity"),
            models.Index(
                fields=["youth"],
                condition=Q(answered_at__isnull=True),
                name="change_request_open_by_youth",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requested_at:%d.%m.%Y %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
