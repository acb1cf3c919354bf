"""Serializers for consents and their scopes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.api.base import StaffField, StaffRefSerializer, StrictSerializer
from cases.models import HealthObjection, ServiceKind
from consent.categories import Category
from consent.models import ANSWERS, Consent, ConsentScope, Giver, GuardianDecision, Method
from consent.services import MAX_FLOWS


class ScopeSerializer(serializers.ModelSerializer):
    from_service = serializers.UUIDField(source="from_party_id", allow_null=True)
    to_service = serializers.UUIDField(source="to_party_id", allow_null=True)

    class Meta:
        model = ConsentScope
        fields = [
            "from_service",
            "from_kind",
            "to_service",
            "to_kind",
            "category",
            "competent_until",
            "kind_reason",
        ]


class GuardianDecisionSerializer(serializers.ModelSerializer):
    guardian = serializers.UUIDField(source="guardian_id")

    class Meta:
        model = GuardianDecision
        fields = ["guardian", "guardian_name", "decision", "method", "decided_at"]


class ConsentSerializer(serializers.ModelSerializer):
    scopes = ScopeSerializer(many=True)
    guardian_decisions = GuardianDecisionSerializer(many=True)
    # A digital answer on *Min side* keeps its log-in's assurance level, and only such one.
    recorded_by = StaffRefSerializer(
        on_min_side=lambda consent: bool(consent.assurance_level),
        help_text="Staff who recorded it; null where the youth or a guardian answered on Min "
        "side (giver says who).",
    )
    active = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "decision",
            "giver",
            "giver_names",
            "guardian_decisions",
            "child_view",
            "purpose_code",
            "purpose",
            "method",
            "agreed_text",
            "valid_from",
            "valid_until",
            "recorded_by",
            "recorded_at",
            "withdrawn_at",
            "withdrawal_method",
            "replaces",
            "scopes",
            "active",
        ]

    def get_active(self, consent: Consent) -> bool:
        return consent.is_active()


class FlowInputSerializer(StrictSerializer):
    from_service = serializers.UUIDField(required=False, allow_null=True, default=None)
    from_kind = serializers.ChoiceField(
        choices=ServiceKind.choices, required=False, default="", allow_blank=True
    )
    to_service = serializers.UUIDField(required=False, allow_null=True, default=None)
    to_kind = serializers.ChoiceField(
        choices=ServiceKind.choices, required=False, default="", allow_blank=True
    )
    kind_reason = serializers.CharField(
        max_length=500, required=False, default="", allow_blank=True
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices), min_length=1, max_length=6
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for side in ("from", "to"):
            if (attrs[f"{side}_service"] is None) == (not attrs[f"{side}_kind"]):
                raise serializers.ValidationError(
                    {f"{side}_service": _("Oppgi enten en tjeneste eller en tjenestetype.")}
                )
        return attrs


class ConsentInputSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=ANSWERS)
    giver = serializers.ChoiceField(choices=Giver.choices)
    # For a guardians' consent: the guardians who answered ``decision`` now, each in their own
    # name; the consent counts once every guardian with parental responsibility gave it.
    guardians = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=10
    )
    purpose_code = serializers.SlugField(max_length=50)
    purpose = serializers.CharField(max_length=2000)
    method = serializers.ChoiceField(choices=Method.choices)
    agreed_text = serializers.CharField(max_length=20000)
    flows = FlowInputSerializer(  # type: ignore[call-arg]
        many=True,
        max_length=MAX_FLOWS,
        error_messages={"max_length": _("Et samtykke kan ha høyst {max_length} flyter.")},
    )
    valid_from = serializers.DateTimeField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateTimeField(required=False, allow_null=True, default=None)
    documented_by = StaffField(required=False, allow_null=True, default=None)
    child_view = serializers.CharField(
        max_length=5000, required=False, default="", allow_blank=True
    )
    replaces = serializers.UUIDField(required=False, allow_null=True, default=None)


class GuardianAnswerSerializer(StrictSerializer):
    guardian = serializers.UUIDField()
    decision = serializers.ChoiceField(choices=ANSWERS)
    method = serializers.ChoiceField(choices=Method.choices)
    documented_by = StaffField(required=False, allow_null=True, default=None)


class WithdrawSerializer(StrictSerializer):
    method = serializers.ChoiceField(choices=Method.choices)


class HealthObjectionSerializer(serializers.ModelSerializer):
    # Recorded without a service: by the youth on *Min side*.
    recorded_by = StaffRefSerializer(
        on_min_side=lambda objection: objection.service_id is None,
        help_text="Staff who recorded it; null where the youth did on Min side (no service).",
    )
    service = serializers.UUIDField(source="service_id", allow_null=True)

    class Meta:
        model = HealthObjection
        fields = ["id", "objected_at", "recorded_by", "service", "withdrawn_at"]


class HealthObjectionInputSerializer(StrictSerializer):
    service = serializers.UUIDField()
