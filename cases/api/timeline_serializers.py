"""Serializers for a youth's timeline."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cases.api.base import StrictSerializer, moment
from cases.api.serializers import ServiceRefSerializer, service_ref


class TimelineItemSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.UUIDField()
    day = serializers.DateField()
    at = serializers.DateTimeField()
    category = serializers.CharField()
    basis = serializers.CharField()
    disclosed = serializers.BooleanField(
        help_text="Disclosed to the viewer's service by its holder on a legal basis (read-only)."
    )
    service = ServiceRefSerializer(allow_null=True)
    summary = serializers.CharField()
    text = serializers.CharField(allow_blank=True)

    def to_representation(self, row: dict[str, Any]) -> dict[str, Any]:
        """By hand: a page holds up to 200 items (DRF's generic walk over nine fields was a
        tenth of the timeline). The tests hold it equal to the generic form."""
        service = row["service"]
        return {
            "type": row["type"],
            "id": str(row["id"]),
            "day": row["day"].isoformat(),
            "at": moment(row["at"]),
            "category": row["category"],
            "basis": row["basis"],
            "disclosed": row["disclosed"],
            "service": service_ref(service) if service is not None else None,
            "summary": str(row["summary"]),
            "text": str(row["text"]),
        }


class TimelineQuerySerializer(StrictSerializer):
    cursor = serializers.CharField(max_length=200, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=200, default=50)
