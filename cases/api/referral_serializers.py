"""Serializers for referrals between services."""

from __future__ import annotations

import datetime
from functools import cached_property
from typing import Any

from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import get_attribute

from cases.api.base import RowSerializer, StaffField, StaffRefSerializer, StrictSerializer
from cases.api.serializers import VERSION_HELP, ServiceRefSerializer, YouthRefSerializer
from cases.models import ReferralReason, ReferralState
from cases.models.referrals import is_overdue
from consent.categories import Category


class ReferralSerializer(RowSerializer):
    """A referral with the youth, services and sender it names: a referral, or a row of a box
    (``cases.referral_list``), read by key or by attribute as DRF reads any field. Declared
    field by field, as the other serializers of list rows (see ``ServiceRefSerializer``)."""

    id = serializers.UUIDField(read_only=True)
    youth = YouthRefSerializer()
    from_service = ServiceRefSerializer()
    to_service = ServiceRefSerializer()
    sent_by = StaffRefSerializer()
    reason_code = serializers.ChoiceField(choices=ReferralReason.choices, read_only=True)
    reason = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)
    categories = serializers.JSONField(read_only=True)
    respond_by = serializers.DateField(read_only=True)
    overdue = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=ReferralState.choices, read_only=True)
    sent_at = serializers.DateTimeField(read_only=True)
    received_at = serializers.DateTimeField(read_only=True, allow_null=True)
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decline_reason = serializers.CharField(read_only=True)
    period = serializers.UUIDField(source="period_id", read_only=True, allow_null=True)
    rerouted_to = serializers.UUIDField(source="rerouted_to_id", read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)

    def get_overdue(self, referral: Any) -> bool:
        state, respond_by = (get_attribute(referral, [name]) for name in ("state", "respond_by"))
        return is_overdue(state, respond_by, self._today)

    @cached_property
    def _today(self) -> datetime.date:
        """Today once per response (a list's rows share one child serializer)."""
        return self.context.get("today") or timezone.localdate()


class ReferralInputSerializer(StrictSerializer):
    youth = serializers.UUIDField()
    from_service = serializers.UUIDField()
    to_service = serializers.UUIDField()
    reason_code = serializers.ChoiceField(choices=ReferralReason.choices)
    reason = serializers.CharField(max_length=500, required=False, default="")
    message = serializers.CharField(max_length=5000)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices), max_length=6, default=list
    )


class ReferralQuerySerializer(StrictSerializer):
    box = serializers.ChoiceField(choices=[("inbox", "inbox"), ("outbox", "outbox")])
    state = serializers.ChoiceField(choices=ReferralState.choices, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False)


class VersionSerializer(StrictSerializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class AcceptSerializer(VersionSerializer):
    responsible = StaffField(required=False, allow_null=True, default=None)


class DeclineSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=500)


class RerouteSerializer(VersionSerializer):
    to_service = serializers.UUIDField()
    message = serializers.CharField(max_length=5000, required=False, default="")
