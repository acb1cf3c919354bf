"""Serializers for handovers (*stafett*)."""

from __future__ import annotations

from rest_framework import serializers

from cases.api.base import StaffField, StaffRefSerializer, StrictSerializer
from cases.api.serializers import ServiceRefSerializer, YouthRefSerializer
from cases.models import Handover


class HandoverSerializer(serializers.ModelSerializer):
    youth = YouthRefSerializer()
    from_service = ServiceRefSerializer(source="period.service")
    from_user = StaffRefSerializer()
    to_service = ServiceRefSerializer()
    to_user = StaffRefSerializer(allow_null=True)

    class Meta:
        model = Handover
        fields = [
            "id",
            "kind",
            "about_id",
            "youth",
            "from_service",
            "from_user",
            "to_service",
            "to_user",
            "message",
            "state",
            "created_at",
            "decided_at",
            "decline_reason",
        ]


class HandoverInputSerializer(StrictSerializer):
    period = serializers.UUIDField()
    to_service = serializers.UUIDField()
    to_user = StaffField(required=False, allow_null=True, default=None)
    message = serializers.CharField(max_length=5000, required=False, default="")


class HandoverDeclineSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)
