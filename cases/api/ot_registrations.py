"""OT's registrations by reason code: for staff of that OT service, counts only."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access, dates, selectors
from cases.api.base import StrictSerializer, validated
from cases.api.serializers import ServiceRefSerializer
from cases.middleware import viewer_of
from cases.models import ServiceKind
from core.errors import ApplicationError

REPORT_DATE_WINDOWS = {"start": dates.PERIOD, "end": dates.PERIOD}


class OtRegistrationsQuerySerializer(StrictSerializer):
    service = serializers.UUIDField(help_text=_("Oppfølgingstjenesten din."))
    start = serializers.DateField(required=False, help_text=_("Standard: ett år før sluttdato."))
    end = serializers.DateField(required=False, help_text=_("Standard: i dag."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        try:
            dates.check_date_windows(
                {name: attrs.get(name) for name in REPORT_DATE_WINDOWS},
                REPORT_DATE_WINDOWS,
                today=today,
            )
        except ApplicationError as exc:
            raise serializers.ValidationError(
                {name: [str(message)] for name, message in exc.fields.items()}, code=exc.code
            ) from None
        attrs.setdefault("end", today)
        attrs.setdefault("start", attrs["end"] - datetime.timedelta(days=365))
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError(
                {"start": [_("Startdato må være før sluttdato.")]}, code="invalid_range"
            )
        return attrs


class ReasonCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    registered = serializers.IntegerField(help_text=_("Perioder som begynte i tidsrommet."))
    open = serializers.IntegerField(help_text=_("Av dem: følges fortsatt opp."))


class OtRegistrationsSerializer(serializers.Serializer):
    service = ServiceRefSerializer()
    start = serializers.DateField()
    end = serializers.DateField()
    registered = serializers.IntegerField()
    reasons = ReasonCountSerializer(many=True)


class OtRegistrationsReportView(APIView):
    """The OT service's registrations in a period, by registration reason code (domain.md §3).
    Only staff of that OT service; aggregates only, so no youth is named or logged as read."""

    @extend_schema(parameters=[OtRegistrationsQuerySerializer], responses=OtRegistrationsSerializer)
    def get(self, request: Request) -> Response:
        query = validated(OtRegistrationsQuerySerializer, request.query_params)
        viewer = viewer_of(request)
        service = access.service_for_user(viewer, query["service"])
        if service.kind != ServiceKind.OT:
            message = _("Rapporten gjelder oppfølgingstjenesten.")
            raise ApplicationError(message, code="not_ot", fields={"service": message})
        reasons = selectors.ot_registrations_by_reason(
            viewer, service_id=service.pk, start=query["start"], end=query["end"]
        )
        return Response(
            {
                "service": ServiceRefSerializer(service).data,
                "start": query["start"].isoformat(),
                "end": query["end"].isoformat(),
                "registered": sum(reason.registered for reason in reasons),
                "reasons": [
                    {
                        "code": reason.code,
                        "label": reason.label,
                        "registered": reason.registered,
                        "open": reason.open,
                    }
                    for reason in reasons
                ],
            }
        )
