"""Serializers for disclosures: what a holder gave another service on a legal basis."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.api.base import StaffRefSerializer, StrictSerializer
from cases.api.serializers import ServiceRefSerializer, YouthRefSerializer
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
    """A disclosure with the entries it gave: read-only for both sides. The entries are those
    of ``context["entries"]`` (id → entry) that the disclosure names."""

    id = serializers.UUIDField()
    youth = YouthRefSerializer(source="subject")
    from_service = ServiceRefSerializer(source="from_party")
    to_service = ServiceRefSerializer(source="to_party")
    basis = LegalBasisRefSerializer()
    reason = serializers.CharField()
    report = serializers.CharField(allow_blank=True)
    disclosed_by = StaffRefSerializer()
    disclosed_at = serializers.DateTimeField()
    entries = serializers.SerializerMethodField()

    @extend_schema_field(DisclosedEntrySerializer(many=True))
    def get_entries(self, disclosure: Disclosure) -> Any:
        entries = self.context.get("entries", {})
        given = [entries[i.item_id] for i in disclosure.items.all() if i.item_id in entries]
        return DisclosedEntrySerializer(given, many=True).data


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
