"""Serializers for disclosures: what a holder gave another service on a legal basis."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.api.base import StaffRefSerializer, StrictSerializer, moment
from cases.api.serializers import (
    ServiceRefSerializer,
    YouthRefSerializer,
    service_ref,
    youth_ref,
)
from cases.selectors.disclosures import SIDES
from consent.models import Disclosure
from consent.services import MAX_DISCLOSED_ITEMS


class DisclosedEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    occurred_on = serializers.DateField()
    category = serializers.CharField()
    kind = serializers.CharField()
    text = serializers.CharField()


class LegalBasisRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    law_and_section = serializers.CharField()
    source_url = serializers.CharField()


class DisclosureSerializer(serializers.Serializer):
    """A disclosure with the entries it gave: read-only for both sides."""

    id = serializers.UUIDField()
    youth = YouthRefSerializer()
    from_service = ServiceRefSerializer()
    to_service = ServiceRefSerializer()
    basis = LegalBasisRefSerializer()
    reason = serializers.CharField()
    report = serializers.CharField(allow_blank=True)
    disclosed_by = StaffRefSerializer()
    disclosed_at = serializers.DateTimeField()
    entries = DisclosedEntrySerializer(many=True)

    def to_representation(self, disclosure: Disclosure) -> dict[str, Any]:
        entries = self.context.get("entries", {})
        given = [entries[i.item_id] for i in disclosure.items.all() if i.item_id in entries]
        return {
            "id": str(disclosure.pk),
            "youth": youth_ref(disclosure.subject),
            "from_service": service_ref(disclosure.from_party),
            "to_service": service_ref(disclosure.to_party),
            "basis": {
                "code": disclosure.basis.code,
                "law_and_section": disclosure.basis.law_and_section,
                "source_url": disclosure.basis.source_url,
            },
            "reason": disclosure.reason,
            "report": disclosure.report,
            "disclosed_by": StaffRefSerializer().to_representation(disclosure.disclosed_by),
            "disclosed_at": moment(disclosure.disclosed_at),
            "entries": [
                {
                    "id": str(e.pk),
                    "occurred_on": e.occurred_on.isoformat(),
                    "category": e.category,
                    "kind": e.kind,
                    "text": e.text,
                }
                for e in given
            ],
        }


class DisclosureInputSerializer(StrictSerializer):
    youth = serializers.UUIDField()
    from_service = serializers.UUIDField()
    to_service = serializers.UUIDField()
    basis = serializers.SlugField(max_length=50)
    reason = serializers.CharField(max_length=5000, allow_blank=True)  # the rule says why
    report = serializers.CharField(max_length=20000, required=False, default="", allow_blank=True)
    entries = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)

    def validate_entries(self, value: list[Any]) -> list[Any]:
        if len(value) > MAX_DISCLOSED_ITEMS:
            raise serializers.ValidationError(
                _("En utlevering kan ha høyst %(max)s opplysninger.") % {"max": MAX_DISCLOSED_ITEMS}
            )
        return value


class DisclosureQuerySerializer(StrictSerializer):
    side = serializers.ChoiceField(choices=SIDES, required=False)
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False)
