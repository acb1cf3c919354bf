"""Serializers for deadlines, rules, reminder preferences and the youth-guarantee report."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases import dates
from cases.api.base import StaffRefSerializer, StrictSerializer
from cases.api.serializers import ServiceRefSerializer
from coordination.deadlines import compliance
from coordination.deadlines.selectors import (
    STATE_ALL,
    STATE_DUE_SOON,
    STATE_LIVE,
    STATE_OPEN,
    STATE_OVERDUE,
)
from coordination.models import Deadline, DeadlineRule, DigestMode, ReminderPreference
from core.errors import ApplicationError


class DeadlineQuerySerializer(StrictSerializer):
    scope = serializers.ChoiceField(
        choices=[("mine", _("mine")), ("service", _("tjenestens"))], default="mine"
    )
    service = serializers.UUIDField(required=False)
    state = serializers.ChoiceField(
        choices=[STATE_LIVE, STATE_OPEN, STATE_DUE_SOON, STATE_OVERDUE, STATE_ALL],
        default=STATE_LIVE,
    )
    rule = serializers.CharField(max_length=30, required=False)
    youth = serializers.UUIDField(required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


class YouthNameSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)


class DeadlineSerializer(serializers.ModelSerializer):
    youth = YouthNameSerializer()
    rule = serializers.CharField(source="rule_id")
    rule_name = serializers.CharField(source="rule.name")
    service = ServiceRefSerializer()
    staff = StaffRefSerializer(allow_null=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "id",
            "youth",
            "rule",
            "rule_name",
            "subject_type",
            "subject_id",
            "category",
            "due_on",
            "service",
            "staff",
            "status",
            "overdue",
            "fulfilled_at",
            "closed_at",
            "created_at",
        ]

    def get_overdue(self, deadline: Deadline) -> bool:
        return deadline.is_live and deadline.due_on < timezone.localdate()


class UriField(serializers.URLField):
    """A link as a URI: Django's URL validation lets an IRI in (``…/§4-3``), the schema
    promises ``format: uri``, so non-ASCII characters go out percent-encoded."""

    def to_representation(self, value: Any) -> str:
        return iri_to_uri(super().to_representation(value)) or ""


class DeadlineRuleSerializer(serializers.ModelSerializer):
    source_url = UriField(read_only=True, allow_blank=True)

    class Meta:
        model = DeadlineRule
        fields = ["code", "name", "description", "source", "source_url", "enabled", "parameters"]


class ReminderPreferenceSerializer(StrictSerializer):
    mode = serializers.ChoiceField(choices=DigestMode.choices)

    class Meta:
        model = ReminderPreference


class ReportQuerySerializer(StrictSerializer):
    service = serializers.UUIDField()
    start = serializers.DateField(required=False, help_text="Default: one year ago.")
    end = serializers.DateField(required=False, help_text="Default: today.")
    format = serializers.ChoiceField(choices=["json", "csv"], required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        try:
            dates.check_date_windows(
                {name: attrs.get(name) for name in compliance.REPORT_DATE_WINDOWS},
                compliance.REPORT_DATE_WINDOWS,
                today=today,
            )
        except ApplicationError as exc:
            raise serializers.ValidationError(
                {name: [str(message)] for name, message in exc.fields.items()}, code=exc.code
            ) from None
        attrs.setdefault("end", today)
        attrs.setdefault("start", attrs["end"] - datetime.timedelta(days=365))
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError(
                {"start": [_("Startdato må være før sluttdato.")]}, code="invalid_range"
            )
        return attrs


class RuleCountsSerializer(serializers.Serializer):
    rule = serializers.CharField()
    total = serializers.IntegerField()
    met = serializers.IntegerField()
    missed = serializers.IntegerField()
    open = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class FigureSerializer(serializers.Serializer):
    group_size = serializers.IntegerField()
    met = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    target_percent = serializers.IntegerField()
    below_target = serializers.BooleanField()


class SnapshotSerializer(FigureSerializer):
    day = serializers.DateField()


class ReportSerializer(serializers.Serializer):
    service = ServiceRefSerializer()
    start = serializers.DateField()
    end = serializers.DateField()
    deadlines = RuleCountsSerializer(many=True)
    ug90_now = FigureSerializer()
    ug90_history = SnapshotSerializer(many=True)
