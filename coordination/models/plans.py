"""Plans across services (domain.md §6): the individual plan (*individuell plan*, IP) and the
lighter BTI *stafettlogg*, with participants, goals, measures, reviews, the coordinator and the
child coordinator (*barnekoordinator*).

One model serves both plan kinds, so a stafettlogg turned into an IP keeps its id and history.
Every change writes a ``PlanVersion`` row holding the object's whole state after the change, so
the plan can be shown as it stood on any past date.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from consent.ages import birthday
from consent.categories import Category
from core.models import Model

# The child coordinator is for children: the right ends when the child turns 18 (pbrl. § 2-5 c,
# hol. § 7-2 a: "barn under 18 år").
CHILD_COORDINATOR_MAX_AGE = 18


class PlanKind(models.TextChoices):
    STAFETTLOGG = "STAFETTLOGG", _("Stafettlogg (BTI)")
    INDIVIDUAL = "INDIVIDUAL", _("Individuell plan")


class PlanStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Utkast")
    ACTIVE = "ACTIVE", _("Aktiv")
    CLOSED = "CLOSED", _("Avsluttet")


OPEN_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.ACTIVE)


class CloseReason(models.TextChoices):
    GOALS_REACHED = "GOALS_REACHED", _("Målene er nådd")
    NOT_NEEDED = "NOT_NEEDED", _("Ikke lenger behov for plan")
    YOUTH_DECLINED = "YOUTH_DECLINED", _("Ungdommen ønsker ikke lenger plan")
    CONSENT_WITHDRAWN = "CONSENT_WITHDRAWN", _("Samtykket er trukket tilbake")
    MOVED = "MOVED", _("Flyttet fra kommunen")
    OTHER = "OTHER", _("Annet")


class BtiLevel(models.IntegerChoices):
    """The four levels of *Bedre tverrfaglig innsats* (BTI), from concern to wide cooperation."""

    CONCERN = 0, _("Nivå 0: undring og bekymring")
    ONE_SERVICE = 1, _("Nivå 1: tiltak i egen tjeneste")
    COOPERATION = 2, _("Nivå 2: samarbeid med andre tjenester")
    WIDE_COOPERATION = 3, _("Nivå 3: omfattende tverrfaglig samarbeid")


class Plan(Model):
    """A plan for one youth, held by the coordinating (or baton-holding) service.

    ``service`` owns the plan's own text for the access policy and follows the coordinator.
    At most one open plan per youth (database constraint); an IP needs the plan consent.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        "cases.Youth", verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="plans"
    )
    kind = models.CharField(_("type plan"), max_length=12, choices=PlanKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    bti_level = models.PositiveSmallIntegerField(
        _("BTI-nivå"), choices=BtiLevel.choices, null=True, blank=True
    )
    service = models.ForeignKey(
        "cases.Service",
        verbose_name=_("koordinerende tjeneste"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("koordinator / stafettholder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinated_plans",
    )
    consent = models.ForeignKey(
        "consent.Consent",
        verbose_name=_("samtykke til planen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The youth's own part, in their own words.
    my_life_so_far = models.TextField(_("livet mitt så langt"), max_length=10000, blank=True)
    my_goals = models.TextField(_("mine mål"), max_length=10000, blank=True)
    my_challenges = models.TextField(_("mine utfordringer"), max_length=10000, blank=True)
    what_matters = models.TextField(_("det som er viktig for meg"), max_length=10000, blank=True)
    my_contribution = models.TextField(_("det jeg selv bidrar med"), max_length=10000, blank=True)
    resources = models.TextField(_("ressurser"), max_length=10000, blank=True)
    needs = models.TextField(_("behov"), max_length=10000, blank=True)
    cooperation_needed = models.TextField(
        _("samarbeid som trengs med andre tjenester"), max_length=10000, blank=True
    )
    starts_on = models.DateField(_("planperiode fra"), null=True, blank=True)
    ends_on = models.DateField(_("planperiode til"), null=True, blank=True)
    next_review_on = models.DateField(_("neste evaluering"), null=True, blank=True)
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opprettet av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("tatt i bruk"), null=True, blank=True)
    converted_at = models.DateTimeField(_("gjort om til individuell plan"), null=True, blank=True)
    closed_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)
    close_reason = models.CharField(
        _("årsak til avslutning"), max_length=20, choices=CloseReason.choices, blank=True
    )
    close_note = models.TextField(_("merknad ved avslutning"), max_length=2000, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("planer")
        ordering = ["-created_at"]
        default_permissions = ()
        permissions = [
            ("edit_plan_measures", _("Kan legge til og endre tiltak i denne planen")),
            ("edit_plan_goals", _("Kan legge til og endre mål i denne planen")),
        ]
        constraints = [
            # Only one plan per youth at a time (forskrift om individuell plan: one plan).
            models.UniqueConstraint(
                fields=["youth"],
                condition=Q(status__in=["DRAFT", "ACTIVE"]),
                name="plan_one_open_per_youth",
            ),
            models.CheckConstraint(
                condition=Q(kind="STAFETTLOGG") | Q(consent__isnull=False),
                name="plan_individual_has_consent",
            ),
            models.CheckConstraint(
                condition=Q(kind="STAFETTLOGG") | Q(bti_level__isnull=True),
                name="plan_bti_level_only_stafettlogg",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="plan_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(status="CLOSED", closed_at__isnull=False)
                | ~Q(status="CLOSED") & Q(closed_at__isnull=True),
                name="plan_closed_has_time",
            ),
        ]
        indexes = [
            # The coordinator's dashboard: my open plans by next review.
            models.Index(
                fields=["coordinator", "next_review_on"],
                condition=Q(status__in=["DRAFT", "ACTIVE"]),
                name="plan_open_by_coordinator",
            ),
            # Plans of a youth (the youth page, the one-plan check), newest first.
            models.Index(fields=["youth", "-created_at"], name="coord_plan_by_youth"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PLAN_STATUSES


class PlanUserObjectPermission(UserObjectPermissionBase):
    """Extra rights a coordinator gives one participant on one plan (django-guardian, direct
    foreign key: one indexed join instead of a generic relation)."""

    content_object = models.ForeignKey(Plan, on_delete=models.CASCADE)


class PlanGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Plan, on_delete=models.CASCADE)


class ParticipantKind(models.TextChoices):
    SERVICE = "SERVICE", _("Tjeneste")
    RELATIVE = "RELATIVE", _("Pårørende eller annen den unge ønsker med")


class PlanParticipant(Model):
    """Who takes part in the plan and what they contribute: a service (with its contact
    person) or a relative the youth wants involved (relatives have no account)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="participants")
    kind = models.CharField(_("type deltaker"), max_length=10, choices=ParticipantKind.choices)
    service = models.ForeignKey(
        "cases.Service",
        verbose_name=_("tjeneste"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kontaktperson"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_participations",
    )
    name = models.CharField(_("navn"), max_length=200, blank=True)
    relation = models.CharField(_("relasjon til ungdommen"), max_length=100, blank=True)
    contribution = models.TextField(_("bidrar med"), max_length=5000, blank=True)
    joined_at = models.DateTimeField(_("med fra"), default=timezone.now)
    left_at = models.DateTimeField(_("ute fra"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1)

    class Meta:
        verbose_name = _("deltaker")
        verbose_name_plural = _("deltakere")
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "service"],
                condition=Q(left_at__isnull=True, kind="SERVICE"),
                name="plan_participant_one_per_service",
            ),
            models.CheckConstraint(
                condition=Q(kind="SERVICE", service__isnull=False)
                | Q(kind="RELATIVE", service__isnull=True, contact__isnull=True) & ~Q(name=""),
                name="plan_participant_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.service)

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class PlanGoal(Model):
    """A goal: a main goal (no parent) or a sub-goal under one. ``service`` (who set it up) and
    ``category`` decide who may see it, like any record on the youth."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="goals")
    youth = models.ForeignKey("cases.Youth", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("hovedmål"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_goals",
    )
    title = models.CharField(_("mål"), max_length=300)
    description = models.TextField(_("beskrivelse"), max_length=5000, blank=True)
    service = models.ForeignKey(
        "cases.Service", verbose_name=_("tjeneste"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(
        _("kategori"), max_length=20, choices=Category.choices, default=Category.GENERAL
    )
    achieved_at = models.DateTimeField(_("nådd"), null=True, blank=True)
    position = models.PositiveIntegerField(_("rekkefølge"), default=0)
    removed_at = models.DateTimeField(_("fjernet"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1)

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["position", "title"]
        indexes = [models.Index(fields=["plan", "position"], name="plan_goal_by_plan")]

    def __str__(self) -> str:
        return self.title


class MeasureStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Planlagt")
    ONGOING = "ONGOING", _("Pågår")
    DONE = "DONE", _("Gjennomført")
    CANCELLED = "CANCELLED", _("Avbrutt")


FINISHED_MEASURE_STATUSES = (MeasureStatus.DONE, MeasureStatus.CANCELLED)


class PlanMeasure(Model):
    """A measure (*tiltak*) towards a goal: who is responsible, its scope, how it is carried
    out, from when to when. Its end date is a deadline in the ledger until it is done."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="measures")
    youth = models.ForeignKey("cases.Youth", on_delete=models.PROTECT, related_name="+")
    goal = models.ForeignKey(
        PlanGoal, verbose_name=_("mål"), on_delete=models.PROTECT, related_name="measures"
    )
    title = models.CharField(_("tiltak"), max_length=300)
    scope = models.CharField(_("omfang"), max_length=300, blank=True)
    how = models.TextField(_("hvordan det gjennomføres"), max_length=5000, blank=True)
    service = models.ForeignKey(
        "cases.Service",
        verbose_name=_("ansvarlig tjeneste"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvarlig person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_measures",
    )
    category = models.CharField(
        _("kategori"), max_length=20, choices=Category.choices, default=Category.GENERAL
    )
    starts_on = models.DateField(_("fra"), null=True, blank=True)
    ends_on = models.DateField(_("til / frist"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    status_changed_at = models.DateTimeField(_("status endret"), default=timezone.now)
    removed_at = models.DateTimeField(_("fjernet"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1)

    class Meta:
        verbose_name = _("tiltak")
        verbose_name_plural = _("tiltak")
        ordering = ["ends_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="plan_measure_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "ends_on"], name="plan_measure_by_plan"),
            # The dashboard's overdue measures of the plans I coordinate.
            models.Index(
                fields=["ends_on"],
                condition=Q(removed_at__isnull=True, status__in=["PLANNED", "ONGOING"]),
                name="plan_measure_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanReview(Model):
    """A review (*evaluering*) of the plan: who took part, what was achieved per goal, what was
    agreed, the youth's own view, and the next review date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField(_("dato"))
    attendees = models.ManyToManyField(
        PlanParticipant, verbose_name=_("til stede"), related_name="+", blank=True
    )
    youth_attended = models.BooleanField(_("ungdommen deltok"), default=True)
    changes_agreed = models.TextField(_("endringer som ble avtalt"), max_length=10000, blank=True)
    youth_view = models.TextField(_("ungdommens egen vurdering"), max_length=10000, blank=True)
    next_review_on = models.DateField(_("neste evaluering"), null=True, blank=True)
    # The review date this review fulfilled (the plan's next review when it was recorded).
    was_due_on = models.DateField(_("var planlagt til"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrert av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("registrert"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluering")
        verbose_name_plural = _("evalueringer")
        ordering = ["-held_on", "-recorded_at"]
        indexes = [models.Index(fields=["plan", "-held_on"], name="plan_review_by_plan")]

    def __str__(self) -> str:
        return f"{self.held_on:%d.%m.%Y}"


class PlanReviewGoal(Model):
    """What was achieved on one goal, as judged at a review (seen with the goal's access)."""

    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="goal_notes")
    goal = models.ForeignKey(PlanGoal, on_delete=models.PROTECT, related_name="+")
    youth = models.ForeignKey("cases.Youth", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("cases.Service", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20, choices=Category.choices)
    achieved = models.TextField(_("hva som er oppnådd"), max_length=5000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="plan_review_goal_once")
        ]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.goal_id}"


class CoordinatorTerm(Model):
    """Who coordinated (or held the baton for) a plan, from when until when."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="coordinator_terms")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("cases.Service", on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["since"]
        constraints = [
            # Exactly one active coordinator per plan.
            models.UniqueConstraint(
                fields=["plan"], condition=Q(until__isnull=True), name="plan_one_coordinator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.since:%d.%m.%Y}"


class VersionAction(models.TextChoices):
    CREATED = "CREATED", _("Opprettet")
    CHANGED = "CHANGED", _("Endret")
    REMOVED = "REMOVED", _("Fjernet")


class PlanVersion(Model):
    """One change to one object of a plan: who, when, what (field → before/after), and the
    object's whole state after it. ``service`` and ``category`` let the access policy filter
    history exactly like the live records."""

    id = models.BigAutoField(primary_key=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    youth = models.ForeignKey("cases.Youth", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("endret av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_type = models.CharField(_("objekt"), max_length=20)
    object_id = models.UUIDField(_("objekt-id"))
    action = models.CharField(_("handling"), max_length=10, choices=VersionAction.choices)
    service = models.ForeignKey("cases.Service", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20, choices=Category.choices)
    state = models.JSONField(_("tilstand etter endringen"), default=dict)
    changes = models.JSONField(_("endringer"), default=dict)

    class Meta:
        verbose_name = _("planversjon")
        verbose_name_plural = _("planversjoner")
        ordering = ["at", "id"]
        indexes = [
            # The plan's state at a date: the latest version of each object up to then.
            models.Index(fields=["plan", "object_id", "at"], name="plan_version_by_object"),
            models.Index(fields=["plan", "-at"], name="plan_version_history"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ChildCoordinatorEnd(models.TextChoices):
    DECIDED = "DECIDED", _("Avsluttet av kommunen")
    AGE_18 = "AGE_18", _("Barnet fylte 18 år")


class ChildCoordinator(Model):
    """The family's right to a child coordinator (*barnekoordinator*, pbrl. § 2-5 c, hol.
    § 7-2 a, from 1 August 2022) and the person appointed. The child coordinator coordinates
    the whole offer and drives the individual plan, so they are its coordinator."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        "cases.Youth",
        verbose_name=_("barn"),
        on_delete=models.PROTECT,
        related_name="child_coordinators",
    )
    service = models.ForeignKey(
        "cases.Service",
        verbose_name=_("kommunens tjeneste"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("vedtaksdato"))
    serious_condition = models.BooleanField(_("alvorlig sykdom, skade eller nedsatt funksjonsevne"))
    needs_complex_services = models.BooleanField(
        _(
            "behov for langvarige og sammensatte eller koordinerte helse- og omsorgstjenester "
            "og andre velferdstjenester"
        )
    )
    right_granted = models.BooleanField(_("retten er innvilget"))
    reasons = models.TextField(_("begrunnelse"), max_length=5000)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("barnekoordinator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appointed_at = models.DateTimeField(_("oppnevnt"), null=True, blank=True)
    ended_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)
    end_reason = models.CharField(
        _("hvorfor avsluttet"), max_length=10, choices=ChildCoordinatorEnd.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrert av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("registrert"), default=timezone.now)

    class Meta:
        verbose_name = _("barnekoordinator")
        verbose_name_plural = _("barnekoordinatorer")
        ordering = ["-decided_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["youth"],
                condition=Q(ended_at__isnull=True, right_granted=True),
                name="child_coordinator_one_current",
            ),
            models.CheckConstraint(
                condition=Q(right_granted=True) | Q(coordinator__isnull=True),
                name="child_coordinator_only_if_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.youth_id} {self.decided_on:%d.%m.%Y}"

    @property
    def ends_on(self) -> datetime.date:
        """The child's 18th birthday: the role ends that day (read with ``youth`` loaded)."""
        return birthday(self.youth.birth_date, CHILD_COORDINATOR_MAX_AGE)
