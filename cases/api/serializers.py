"""Serializers for the registry. Input serializers validate shape; the services validate rules."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases import identity
from cases.api.base import StaffField, StaffRefSerializer, StrictSerializer, staff_ref
from cases.caseload import CaseloadYouth, OpenPeriod
from cases.models import (
    FollowUpPeriod,
    Guardian,
    GuardianRelation,
    OtRegistrationReason,
    Service,
    StaffMembership,
    Youth,
    municipality_number_validator,
    phone_validator,
)
from cases.validators import validate_national_id

VERSION_HELP = _("Versjonen du leste. Er den utdatert, svarer API-et 409 med gjeldende versjon.")


def registration_reason_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=OtRegistrationReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Tilmeldingsårsak: påkrevd når oppfølgingstjenesten registrerer, ellers tom."),
    )


class ServiceRefSerializer(serializers.ModelSerializer):
    """A service as named in other rows. Built by hand (like ``StaffRefSerializer``): it is in
    every list row; the declared fields stay for validation and the schema."""

    class Meta:
        model = Service
        fields = ["id", "kind", "name"]

    def to_representation(self, service: Any) -> dict[str, Any]:
        if isinstance(service, dict):  # plan documents carry services as dicts
            return dict(super().to_representation(service))
        return service_ref(service)


def service_ref(service: Any) -> dict[str, Any]:
    return {"id": str(service.pk), "kind": service.kind, "name": service.name}


class YouthRefSerializer(serializers.Serializer):
    """A youth as named in other rows. Built by hand (like ``ServiceRefSerializer``): it is in
    every referral and handover row."""

    id = serializers.UUIDField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    birth_date = serializers.DateField(read_only=True)

    def to_representation(self, youth: Any) -> dict[str, Any]:
        return youth_ref(youth)


def youth_ref(youth: Any) -> dict[str, Any]:
    return {
        "id": str(youth.pk),
        "first_name": youth.first_name,
        "last_name": youth.last_name,
        "birth_date": youth.birth_date.isoformat(),
    }


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = [
            "id",
            "kind",
            "name",
            "municipality_number",
            "county_number",
            "notification_email",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    service = ServiceRefSerializer()

    class Meta:
        model = StaffMembership
        fields = ["id", "service", "role", "created_at"]


class PeriodSummarySerializer(serializers.ModelSerializer):
    """An open period in a caseload row; built by hand, as the rows it sits in."""

    service = ServiceRefSerializer()
    responsible = StaffRefSerializer(allow_null=True)

    class Meta:
        model = FollowUpPeriod
        fields = ["id", "service", "responsible", "started_on"]

    def to_representation(self, period: OpenPeriod) -> dict[str, Any]:
        return open_period_row(period)


def open_period_row(period: OpenPeriod) -> dict[str, Any]:
    return {
        "id": str(period.pk),
        "service": service_ref(period.service),
        "responsible": staff_ref(period.responsible) if period.responsible is not None else None,
        "started_on": period.started_on.isoformat(),
    }


class PeriodSerializer(serializers.ModelSerializer):
    youth = serializers.UUIDField(source="youth_id")
    service = ServiceRefSerializer()
    responsible = StaffRefSerializer(allow_null=True)

    class Meta:
        model = FollowUpPeriod
        fields = [
            "id",
            "youth",
            "service",
            "responsible",
            "started_on",
            "reason",
            "registration_reason",
            "ended_on",
            "end_reason",
            "version",
            "created_at",
        ]


class GuardianSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guardian
        fields = ["id", "full_name", "relation", "has_parental_responsibility", "email", "phone"]


class GuardianInputSerializer(StrictSerializer):
    full_name = serializers.CharField(max_length=200)
    relation = serializers.ChoiceField(choices=GuardianRelation.choices)
    has_parental_responsibility = serializers.BooleanField()
    email = serializers.EmailField(max_length=254, required=False, default="")
    phone = serializers.CharField(
        max_length=16, required=False, default="", validators=[phone_validator]
    )


class YouthListSerializer(serializers.ModelSerializer):
    age = serializers.SerializerMethodField()
    follow_up = PeriodSummarySerializer(source="open_periods", many=True)

    class Meta:
        model = Youth
        fields = [
            "id",
            "first_name",
            "last_name",
            "birth_date",
            "age",
            "municipality_number",
            "follow_up",
        ]

    def get_age(self, youth: CaseloadYouth) -> int:
        return youth.age_on(self.context.get("today") or timezone.localdate())

    def to_representation(self, youth: CaseloadYouth) -> dict[str, Any]:
        """By hand: the caseload's rows (DRF's generic walk over the fields was a third of the
        request at 50 rows). The tests hold it equal to the generic form."""
        return {
            "id": str(youth.pk),
            "first_name": youth.first_name,
            "last_name": youth.last_name,
            "birth_date": youth.birth_date.isoformat(),
            "age": self.get_age(youth),
            "municipality_number": youth.municipality_number,
            "follow_up": [open_period_row(period) for period in youth.open_periods],
        }


class YouthDetailSerializer(serializers.ModelSerializer):
    age = serializers.SerializerMethodField()
    guardians = GuardianSerializer(many=True)
    periods = PeriodSerializer(source="all_periods", many=True)

    class Meta:
        model = Youth
        fields = [
            "id",
            "national_id",
            "national_id_kind",
            "first_name",
            "last_name",
            "birth_date",
            "age",
            "municipality_number",
            "email",
            "phone",
            "guardians",
            "periods",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_age(self, youth: Youth) -> int:
        return youth.age


class NationalIdField(serializers.CharField):
    """An identity number, given back in its stored form: typed with spaces or a dash, it is the
    same number (``identity.normalise``) when registering and when looking up."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 13)
        kwargs.setdefault("validators", [validate_national_id])
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        return identity.normalise(super().to_internal_value(data))


class YouthRegisterSerializer(StrictSerializer):
    national_id = NationalIdField()
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    municipality_number = serializers.CharField(
        max_length=4, validators=[municipality_number_validator]
    )
    email = serializers.EmailField(max_length=254, required=False, default="")
    phone = serializers.CharField(
        max_length=16, required=False, default="", validators=[phone_validator]
    )
    service = serializers.UUIDField(help_text=_("Tjenesten din som registrerer ungdommen."))
    reason = serializers.CharField(max_length=500)
    registration_reason = registration_reason_field()
    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    responsible = StaffField(required=False, allow_null=True, default=None)


class YouthUpdateSerializer(StrictSerializer):
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    municipality_number = serializers.CharField(
        max_length=4, required=False, validators=[municipality_number_validator]
    )
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=16, required=False, allow_blank=True, validators=[phone_validator]
    )
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class LookupSerializer(StrictSerializer):
    national_id = NationalIdField()


class PeriodOpenSerializer(StrictSerializer):
    youth = serializers.UUIDField()
    service = serializers.UUIDField()
    reason = serializers.CharField(max_length=500)
    registration_reason = registration_reason_field()
    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    responsible = StaffField(required=False, allow_null=True, default=None)


class PeriodCloseSerializer(StrictSerializer):
    end_reason = serializers.CharField(max_length=500)
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class PeriodReassignSerializer(StrictSerializer):
    responsible = StaffField()
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


def today_context() -> dict[str, Any]:
    return {"today": timezone.localdate()}
