"""Serializers for plans. Output is read from plain dicts (``coordination.plans.versions``), so
the live plan and the plan at a past date have the same shape."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.api.base import StaffField, StaffRefSerializer, StrictSerializer
from cases.api.serializers import ServiceRefSerializer
from cases.models import Service
from consent.categories import Category
from consent.models import Giver, Method
from coordination.deadlines.rules import child_coordinator_handover_due
from coordination.models import (
    BtiLevel,
    ChildCoordinator,
    CloseReason,
    MeasureStatus,
    ParticipantKind,
    PlanKind,
    PlanStatus,
)
from coordination.plans import grants


class ServiceField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("Fant ingen aktiv tjeneste med id «{pk_value}»."),
        "incorrect_type": _("Oppgi tjenestens id."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Service.objects.filter(is_active=True))
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(**kwargs)


# --- Output -----------------------------------------------------------------------------------


class StaffSnapshotSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()


class ParticipantSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ParticipantKind.choices)
    service = ServiceRefSerializer(allow_null=True)
    contact = StaffSnapshotSerializer(allow_null=True)
    name = serializers.CharField()
    relation = serializers.CharField()
    contribution = serializers.CharField()
    joined_at = serializers.DateTimeField()
    left_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class GoalSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    # DRF pops declared fields off the class, so "parent" does not shadow Field.parent.
    parent = serializers.UUIDField(allow_null=True)  # type: ignore[assignment]
    title = serializers.CharField()
    description = serializers.CharField()
    service = ServiceRefSerializer()
    category = serializers.ChoiceField(choices=Category.choices)
    achieved_at = serializers.DateTimeField(allow_null=True)
    position = serializers.IntegerField()
    version = serializers.IntegerField()


class MeasureSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    goal = serializers.UUIDField()
    title = serializers.CharField()
    scope = serializers.CharField()
    how = serializers.CharField()
    service = ServiceRefSerializer()
    responsible = StaffSnapshotSerializer(allow_null=True)
    category = serializers.ChoiceField(choices=Category.choices)
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=MeasureStatus.choices)
    status_changed_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class GoalNoteSerializer(serializers.Serializer):
    goal = serializers.UUIDField()
    achieved = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)


class ReviewSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    held_on = serializers.DateField()
    attendees = serializers.ListField(child=serializers.UUIDField())
    youth_attended = serializers.BooleanField()
    goal_notes = GoalNoteSerializer(many=True)
    changes_agreed = serializers.CharField()
    youth_view = serializers.CharField()
    next_review_on = serializers.DateField(allow_null=True)
    recorded_by = StaffSnapshotSerializer()
    recorded_at = serializers.DateTimeField()


class PlanSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    youth = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    bti_level = serializers.ChoiceField(choices=BtiLevel.choices, allow_null=True)
    service = ServiceRefSerializer()
    coordinator = StaffSnapshotSerializer(allow_null=True)
    consent = serializers.UUIDField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    next_review_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    activated_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class HandoverRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    to_user = StaffRefSerializer()
    to_service = ServiceRefSerializer()
    created_at = serializers.DateTimeField()


class ChildCoordinatorSerializer(serializers.ModelSerializer):
    service = ServiceRefSerializer()
    coordinator = StaffRefSerializer(allow_null=True)
    ends_on = serializers.DateField(
        read_only=True, help_text=_("18-årsdagen: da avsluttes rollen av seg selv.")
    )
    handover_due_on = serializers.SerializerMethodField(
        help_text=_("Frist for å tilby planen til en koordinator for voksne.")
    )

    class Meta:
        model = ChildCoordinator
        fields = [
            "id",
            "youth",
            "service",
            "decided_on",
            "serious_condition",
            "needs_complex_services",
            "right_granted",
            "reasons",
            "coordinator",
            "appointed_at",
            "ended_at",
            "end_reason",
            "ends_on",
            "handover_due_on",
            "recorded_at",
        ]

    def get_handover_due_on(self, record: ChildCoordinator) -> datetime.date | None:
        if not record.right_granted:
            return None
        return child_coordinator_handover_due(record.youth.birth_date, record.decided_on)


class IndividualPlanDetailSerializer(PlanSummarySerializer):
    my_life_so_far = serializers.CharField()
    my_goals = serializers.CharField()
    my_challenges = serializers.CharField()
    what_matters = serializers.CharField()
    my_contribution = serializers.CharField()
    resources = serializers.CharField()
    needs = serializers.CharField()
    cooperation_needed = serializers.CharField()
    converted_at = serializers.DateTimeField(allow_null=True)
    close_reason = serializers.CharField()
    close_note = serializers.CharField()
    participants = ParticipantSerializer(many=True)
    goals = GoalSerializer(many=True)
    measures = MeasureSerializer(many=True)
    reviews = ReviewSerializer(many=True)
    at = serializers.DateTimeField(
        required=False, help_text=_("Satt når planen vises slik den var på et tidspunkt.")
    )
    my_rights = serializers.ListField(child=serializers.CharField(), required=False)
    pending_coordinator_handover = HandoverRefSerializer(allow_null=True, required=False)
    child_coordinator = ChildCoordinatorSerializer(allow_null=True, required=False)


class VersionSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = StaffRefSerializer()
    object_type = serializers.CharField()
    object_id = serializers.UUIDField()
    action = serializers.CharField()
    category = serializers.CharField()
    changes = serializers.DictField(child=serializers.ListField())


class GrantSerializer(serializers.Serializer):
    user = StaffRefSerializer()
    permissions = serializers.ListField(child=serializers.CharField())


class DashboardMeasureSerializer(MeasureSerializer):
    plan = serializers.UUIDField()
    youth = serializers.UUIDField()


class DashboardSerializer(serializers.Serializer):
    plans = PlanSummarySerializer(many=True)
    next_reviews = PlanSummarySerializer(many=True)
    overdue_measures = DashboardMeasureSerializer(many=True)
    consent_expiring = PlanSummarySerializer(many=True)
    without_coordinator = PlanSummarySerializer(many=True)


# --- Input ------------------------------------------------------------------------------------


class PlanQuerySerializer(StrictSerializer):
    youth = serializers.UUIDField(required=False)
    role = serializers.ChoiceField(choices=[("coordinator", _("koordinator"))], required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


class PlanAtSerializer(StrictSerializer):
    at = serializers.DateTimeField(required=False)


class PlanConsentSerializer(StrictSerializer):
    giver = serializers.ChoiceField(choices=Giver.choices)
    method = serializers.ChoiceField(choices=Method.choices)
    agreed_text = serializers.CharField(max_length=20000)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices), required=False, default=list
    )
    valid_until = serializers.DateTimeField(required=False, allow_null=True, default=None)
    child_view = serializers.CharField(
        max_length=5000, required=False, default="", allow_blank=True
    )
    # For a guardians' consent: the guardians who gave it now, each in their own name.
    guardians = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=10
    )


class ParticipantInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=ParticipantKind.choices, default=ParticipantKind.SERVICE)
    service = ServiceField(required=False, allow_null=True, default=None)
    contact = StaffField(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=200, required=False, default="")
    relation = serializers.CharField(max_length=100, required=False, default="")
    contribution = serializers.CharField(
        max_length=5000, required=False, default="", allow_blank=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["kind"] == ParticipantKind.SERVICE and attrs.get("service") is None:
            raise serializers.ValidationError({"service": _("Velg tjenesten som skal delta.")})
        if attrs["kind"] == ParticipantKind.RELATIVE and not attrs.get("name", "").strip():
            raise serializers.ValidationError({"name": _("Oppgi navnet til den pårørende.")})
        return attrs


class ParticipantAddSerializer(ParticipantInputSerializer):
    consent = PlanConsentSerializer(required=False, allow_null=True, default=None)


class PlanTextSerializer(StrictSerializer):
    my_life_so_far = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    my_goals = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    my_challenges = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    what_matters = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    my_contribution = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    resources = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    needs = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    cooperation_needed = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    next_review_on = serializers.DateField(required=False, allow_null=True)
    bti_level = serializers.ChoiceField(choices=BtiLevel.choices, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts, ends = attrs.get("starts_on"), attrs.get("ends_on")
        if starts and ends and ends < starts:
            raise serializers.ValidationError({"ends_on": _("Sluttdato må være etter startdato.")})
        return attrs


class PlanCreateSerializer(PlanTextSerializer):
    youth = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    service = ServiceField()
    coordinator = StaffField(required=False, allow_null=True, default=None)
    consent = PlanConsentSerializer(required=False, allow_null=True, default=None)
    participants = ParticipantInputSerializer(many=True, required=False, default=list)


class PlanEditSerializer(PlanTextSerializer):
    version = serializers.IntegerField(min_value=1)


class VersionOnlySerializer(StrictSerializer):
    version = serializers.IntegerField(min_value=1)


class PlanCloseSerializer(VersionOnlySerializer):
    reason = serializers.ChoiceField(choices=CloseReason.choices)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class PlanConvertSerializer(VersionOnlySerializer):
    consent = PlanConsentSerializer()


class ParticipantEditSerializer(VersionOnlySerializer):
    contact = StaffField(required=False, allow_null=True)
    contribution = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200, required=False)
    relation = serializers.CharField(max_length=100, required=False, allow_blank=True)


class GoalInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(
        max_length=5000, required=False, default="", allow_blank=True
    )
    parent = serializers.UUIDField(  # type: ignore[assignment]
        required=False, allow_null=True, default=None
    )
    category = serializers.ChoiceField(choices=Category.choices, default=Category.GENERAL)
    position = serializers.IntegerField(min_value=0, required=False, default=0)


class GoalEditSerializer(VersionOnlySerializer):
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    position = serializers.IntegerField(min_value=0, required=False)
    achieved = serializers.BooleanField(required=False)


class MeasureInputSerializer(StrictSerializer):
    goal = serializers.UUIDField()
    title = serializers.CharField(max_length=300)
    service = ServiceField()
    responsible = StaffField(required=False, allow_null=True, default=None)
    scope = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    how = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.GENERAL)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts, ends = attrs.get("starts_on"), attrs.get("ends_on")
        if starts and ends and ends < starts:
            raise serializers.ValidationError({"ends_on": _("Sluttdato må være etter startdato.")})
        return attrs


class MeasureEditSerializer(VersionOnlySerializer):
    title = serializers.CharField(max_length=300, required=False)
    service = ServiceField(required=False)
    responsible = StaffField(required=False, allow_null=True)
    scope = serializers.CharField(max_length=300, required=False, allow_blank=True)
    how = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=MeasureStatus.choices, required=False)


class GoalNoteInputSerializer(StrictSerializer):
    goal = serializers.UUIDField()
    achieved = serializers.CharField(max_length=5000)


class ReviewInputSerializer(VersionOnlySerializer):
    held_on = serializers.DateField()
    next_review_on = serializers.DateField()
    attendees = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    youth_attended = serializers.BooleanField(default=True)
    goal_notes = GoalNoteInputSerializer(many=True, required=False, default=list)
    changes_agreed = serializers.CharField(
        max_length=10000, required=False, default="", allow_blank=True
    )
    youth_view = serializers.CharField(
        max_length=10000, required=False, default="", allow_blank=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["next_review_on"] <= attrs["held_on"]:
            raise serializers.ValidationError(
                {"next_review_on": _("Neste evaluering må være etter denne.")}
            )
        return attrs


class CoordinatorOfferSerializer(StrictSerializer):
    to_user = StaffField()
    to_service = ServiceField()
    message = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class CoordinatorDeclineSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)


class GrantInputSerializer(StrictSerializer):
    user = StaffField()
    permission = serializers.ChoiceField(choices=list(grants.PERMISSIONS))


class ChildCoordinatorQuerySerializer(StrictSerializer):
    youth = serializers.UUIDField()


class ChildCoordinatorInputSerializer(StrictSerializer):
    youth = serializers.UUIDField()
    service = ServiceField()
    decided_on = serializers.DateField()
    serious_condition = serializers.BooleanField()
    needs_complex_services = serializers.BooleanField()
    reasons = serializers.CharField(max_length=5000)
    coordinator = StaffField(required=False, allow_null=True, default=None)


class AppointSerializer(StrictSerializer):
    coordinator = StaffField()


class EndSerializer(StrictSerializer):
    reasons = serializers.CharField(max_length=5000)
