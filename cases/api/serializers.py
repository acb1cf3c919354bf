"""Serializers for the registry. Input serializers validate shape; the services validate rules."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases import identity
from cases.api.base import RowSerializer, StaffField, StaffRefSerializer, StrictSerializer
from cases.models import (
    AddressProtection,
    FollowUpPeriod,
    Guardian,
    GuardianRelation,
    OtRegistrationReason,
    Service,
    ServiceKind,
    StaffMembership,
    Youth,
    municipality_number_validator,
    phone_validator,
)
from cases.models.registry import age_on
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


class ServiceRefSerializer(RowSerializer):
    """A service as other rows name it: a service, or a row's values of one (a list row from
    ``values()``, a plan document). Declared field by field, as the other serializers of list
    rows: a ModelSerializer reads its model's fields anew for every response."""

    id = serializers.UUIDField(read_only=True)
    kind = serializers.ChoiceField(choices=ServiceKind.choices, read_only=True)
    name = serializers.CharField(read_only=True)


class YouthRefSerializer(RowSerializer):
    """A youth as other rows name them."""

    id = serializers.UUIDField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    birth_date = serializers.DateField(read_only=True)


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
        fields = [
            "id",
            "service",
            "role",
            "created_at",
            "cleared_strengt_fortrolig",
            "cleared_fortrolig",
            "cleared_shielded",
        ]


class PeriodSummarySerializer(RowSerializer):
    """An open period in a caseload row (``cases.caseload``)."""

    id = serializers.UUIDField(read_only=True)
    service = ServiceRefSerializer()
    responsible = StaffRefSerializer(allow_null=True)
    started_on = serializers.DateField(read_only=True)


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


class NationalIdField(serializers.CharField):
    """An identity number, given back in its stored form: typed with spaces or a dash, it is the
    same number (``identity.normalise``) when registering and when looking up."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 13)
        kwargs.setdefault("validators", [validate_national_id])
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        return identity.normalise(super().to_internal_value(data))


class GuardianSerializer(serializers.ModelSerializer):
    national_id = serializers.CharField(
        read_only=True,
        help_text=_("Foresattes fødselsnummer / D-nummer; tomt når det ikke er kjent."),
    )

    class Meta:
        model = Guardian
        fields = [
            "id",
            "full_name",
            "relation",
            "has_parental_responsibility",
            "email",
            "phone",
            "national_id",
        ]


class GuardianInputSerializer(StrictSerializer):
    full_name = serializers.CharField(max_length=200)
    relation = serializers.ChoiceField(choices=GuardianRelation.choices)
    has_parental_responsibility = serializers.BooleanField()
    email = serializers.EmailField(max_length=254, required=False, default="")
    phone = serializers.CharField(
        max_length=16, required=False, default="", validators=[phone_validator]
    )
    national_id = NationalIdField(required=False)


class YouthListSerializer(RowSerializer):
    """A caseload row (``cases.caseload``): the youth, their age on the day, and the open periods
    that follow them."""

    id = serializers.UUIDField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    birth_date = serializers.DateField(read_only=True)
    age = serializers.SerializerMethodField()
    municipality_number = serializers.CharField(read_only=True)
    follow_up = PeriodSummarySerializer(source="open_periods", many=True)

    def get_age(self, youth: dict[str, Any]) -> int:
        return age_on(youth["birth_date"], self.context.get("today") or timezone.localdate())


class YouthDetailSerializer(serializers.ModelSerializer):
    national_id = serializers.CharField(read_only=True)
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
            "address_protection",
            "shielded",
            "guardians",
            "periods",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_age(self, youth: Youth) -> int:
        return youth.age

    def to_representation(self, youth: Youth) -> dict[str, Any]:
        """Kode 6 and 19: no municipality or contact details, to anyone (they are empty)."""
        data = super().to_representation(youth)
        if youth.contact_withheld:
            data.update(WITHHELD_CONTACT)
        return data


# What a youth with a strengt fortrolig address (kode 6 or 19) shows of where they live and how
# to reach them: nothing.
WITHHELD_CONTACT = {"municipality_number": "", "email": "", "phone": ""}


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


class YouthProtectionSerializer(StrictSerializer):
    address_protection = serializers.ChoiceField(choices=AddressProtection.choices)
    shielded = serializers.BooleanField()
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class ClearancesSerializer(StrictSerializer):
    user = StaffField(help_text=_("Brukernavnet til den ansatte i tjenesten."))
    cleared_strengt_fortrolig = serializers.BooleanField(required=False)
    cleared_fortrolig = serializers.BooleanField(required=False)
    cleared_shielded = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if len(attrs) == 1:
            raise serializers.ValidationError(
                _("Oppgi minst én tilgang som skal gis eller tas bort.")
            )
        return attrs


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
