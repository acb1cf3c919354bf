"""Serializers for the follow-up log (*oppfølgingslogg*)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.api.base import StaffRefSerializer, StrictSerializer
from cases.api.serializers import VERSION_HELP, ServiceRefSerializer
from cases.models import EntryKind, FollowUpEntry
from consent.categories import Category


class EntrySerializer(serializers.ModelSerializer):
    youth = serializers.UUIDField(source="youth_id")
    service = ServiceRefSerializer()
    author = StaffRefSerializer()
    corrects = serializers.UUIDField(source="corrects_id", allow_null=True)

    class Meta:
        model = FollowUpEntry
        fields = [
            "id",
            "youth",
            "service",
            "occurred_on",
            "kind",
            "category",
            "text",
            "corrects",
            "author",
            "created_at",
            "version",
        ]


class EntryInputSerializer(StrictSerializer):
    service = serializers.UUIDField()
    occurred_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    category = serializers.ChoiceField(
        choices=Category.choices,
        required=False,
        help_text=_(
            "Hvem andre som kan se notatet. Uten kategori er notatet i tjenestens egen "
            "(helse: HEALTH, barnevern: CHILD_WELFARE, NAV: WORK_AND_WELFARE, skole og OT: "
            "EDUCATION), som andre tjenester bare ser med samtykke. GENERAL ser alle tjenester "
            "som følger ungdommen, og må velges."
        ),
    )
    text = serializers.CharField(max_length=10000)
    corrects = serializers.UUIDField(required=False, allow_null=True, default=None)


class EntryEditSerializer(StrictSerializer):
    occurred_on = serializers.DateField(required=False)
    kind = serializers.ChoiceField(choices=EntryKind.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    text = serializers.CharField(max_length=10000, required=False)
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)
