"""Serializers for a youth's timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.api.base import RowSerializer, StrictSerializer
from cases.api.serializers import ServiceRefSerializer


class TimelineItemSerializer(RowSerializer):
    type = serializers.CharField()
    id = serializers.UUIDField()
    day = serializers.DateField()
    at = serializers.DateTimeField()
    category = serializers.CharField()
    basis = serializers.CharField()
    disclosed = serializers.BooleanField(
        help_text=_(
            "Gitt til tjenesten din av den som har opplysningen, etter en hjemmel i lov "
            "(kan bare leses)."
        )
    )
    service = ServiceRefSerializer(allow_null=True)
    summary = serializers.CharField()
    text = serializers.CharField(allow_blank=True)


class TimelineQuerySerializer(StrictSerializer):
    cursor = serializers.CharField(max_length=200, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=200, default=50)
