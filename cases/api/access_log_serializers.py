"""Serializers for the access log."""

from __future__ import annotations

from rest_framework import serializers

from cases.api.base import StrictSerializer
from cases.api.serializers import ServiceRefSerializer
from consent.models import AccessLogEntry


class AccessLogSerializer(serializers.ModelSerializer):
    service = ServiceRefSerializer(source="party", allow_null=True)
    youth = serializers.UUIDField(source="subject_id")

    class Meta:
        model = AccessLogEntry
        fields = [
            "id",
            "at",
            "actor_name",
            "service",
            "role",
            "youth",
            "purpose",
            "granted",
            "categories",
            "items",
            "bases",
        ]


class AccessLogQuerySerializer(StrictSerializer):
    youth = serializers.UUIDField(required=False)
    service = serializers.UUIDField(required=False)
    actor = serializers.CharField(max_length=150, required=False)
    granted = serializers.BooleanField(required=False, allow_null=True, default=None)
    after = serializers.DateTimeField(required=False)
    before = serializers.DateTimeField(required=False)
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False)
