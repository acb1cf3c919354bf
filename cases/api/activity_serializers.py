"""Serializers for §14a decisions, activity plans and activities."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cases.api.base import StaffRefSerializer, StrictSerializer
from cases.api.serializers import VERSION_HELP, ServiceRefSerializer
from cases.models import (
    INNSATSGRUPPE_OLDER_NAMES,
    Activity,
    ActivityPlan,
    ActivityStatus,
    ActivityType,
    ActivityVersion,
    AgreedHow,
    Innsatsgruppe,
    MainGoal,
    NavDecision,
)


class DecisionSerializer(serializers.ModelSerializer):
    youth = serializers.UUIDField(source="youth_id")
    service = ServiceRefSerializer()
    decided_by = StaffRefSerializer()
    innsatsgruppe_name = serializers.CharField(source="get_innsatsgruppe_display")
    innsatsgruppe_older_name = serializers.SerializerMethodField()
    superseded_by = serializers.UUIDField(source="superseded_by_id", allow_null=True)

    class Meta:
        model = NavDecision
        fields = [
            "id",
            "youth",
            "service",
            "innsatsgruppe",
            "innsatsgruppe_name",
            "innsatsgruppe_older_name",
            "main_goal",
            "decided_on",
            "decided_by",
            "recorded_at",
            "superseded_at",
            "superseded_by",
        ]

    def get_innsatsgruppe_older_name(self, decision: NavDecision) -> str | None:
        return INNSATSGRUPPE_OLDER_NAMES.get(Innsatsgruppe(decision.innsatsgruppe))


class DecisionInputSerializer(StrictSerializer):
    service = serializers.UUIDField()
    innsatsgruppe = serializers.ChoiceField(choices=Innsatsgruppe.choices)
    main_goal = serializers.ChoiceField(choices=MainGoal.choices)
    decided_on = serializers.DateField()


class ActivitySerializer(serializers.ModelSerializer):
    youth = serializers.UUIDField(source="youth_id")
    plan = serializers.UUIDField(source="plan_id")
    responsible_service = ServiceRefSerializer()
    agreed_by = StaffRefSerializer(
        on_min_side=lambda activity: activity.agreed_how == AgreedHow.YOUTH,
        help_text="Staff who noted the agreement; null where the youth confirmed it on Min "
        "side (agreed_how) or it is not agreed.",
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "plan",
            "youth",
            "type",
            "status",
            "category",
            "title",
            "description",
            "from_date",
            "to_date",
            "deadline",
            "responsible_service",
            "agreed",
            "agreed_at",
            "agreed_how",
            "agreed_by",
            "agreed_note",
            "source",
            "external_id",
            "created_at",
            "updated_at",
            "version",
        ]


class PlanSerializer(serializers.ModelSerializer):
    youth = serializers.UUIDField(source="youth_id")
    period = serializers.UUIDField(source="period_id")
    service = ServiceRefSerializer(source="period.service")
    approved_by = StaffRefSerializer(allow_null=True)
    created_by = StaffRefSerializer()

    class Meta:
        model = ActivityPlan
        fields = [
            "id",
            "youth",
            "period",
            "service",
            "created_at",
            "created_by",
            "approved_at",
            "approved_by",
            "version",
        ]


class PlanDetailSerializer(PlanSerializer):
    activities = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "activities"]

    def get_activities(self, plan: ActivityPlan) -> Any:
        return ActivitySerializer(self.context["activities"], many=True).data


class PlanInputSerializer(StrictSerializer):
    youth = serializers.UUIDField()
    service = serializers.UUIDField(help_text="The NAV office whose open period the plan is for.")


class PlanQuerySerializer(StrictSerializer):
    youth = serializers.UUIDField(required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


class _ActivityFields(StrictSerializer):
    type = serializers.ChoiceField(choices=ActivityType.choices)
    status = serializers.ChoiceField(
        choices=ActivityStatus.choices, default=ActivityStatus.PLANLAGT
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    from_date = serializers.DateField(required=False, allow_null=True, default=None)
    to_date = serializers.DateField(required=False, allow_null=True, default=None)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    responsible_service = serializers.UUIDField(required=False, allow_null=True, default=None)
    agreed = serializers.BooleanField(required=False, default=False)
    agreed_note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="How the activity was agreed orally with the youth; needed to make it agreed "
        "(otherwise it is agreed when the youth confirms it on Min side).",
    )
    staff_text = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )
    youth_text = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )


class ActivityInputSerializer(_ActivityFields):
    pass


class ActivityCardSerializer(_ActivityFields):
    """An activity another system owns (*aktivitetskort*); the same card twice changes nothing."""

    source = serializers.CharField(max_length=50)  # type: ignore[assignment]
    external_id = serializers.CharField(max_length=100)


class ActivityEditSerializer(StrictSerializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)
    type = serializers.ChoiceField(choices=ActivityType.choices, required=False)
    status = serializers.ChoiceField(choices=ActivityStatus.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    from_date = serializers.DateField(required=False, allow_null=True)
    to_date = serializers.DateField(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    responsible_service = serializers.UUIDField(required=False)
    agreed = serializers.BooleanField(required=False)
    agreed_note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="How the activity was agreed orally with the youth; needed to make it agreed "
        "(otherwise it is agreed when the youth confirms it on Min side).",
    )
    staff_text = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    youth_text = serializers.CharField(max_length=1000, required=False, allow_blank=True)


# Read with ``by_min_side``: whether a *Min side* user made the version (the activity's
# versions view annotates it).
class ActivityVersionSerializer(serializers.ModelSerializer):
    changed_by = StaffRefSerializer(
        on_min_side=lambda version: version.by_min_side,
        help_text="Staff who made the change; null where the youth made it on Min side.",
    )

    class Meta:
        model = ActivityVersion
        fields = ["version", "changed_at", "changed_by", "changes", "staff_text", "youth_text"]


class ActivityPlanVersionSerializer(StrictSerializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)
