"""API for a request for access made on paper: the privacy officer produces the youth's copy
of everything held about them (GDPR art. 15), as JSON; the pages offer the PDF too."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from cases.api.base import StrictSerializer, validated
from cases.api.serializers import NationalIdField
from cases.middleware import viewer_of
from coordination.export import downloads, requests


class AccessRequestSerializer(StrictSerializer):
    national_id = NationalIdField(
        help_text=_("Ungdommens fødselsnummer eller D-nummer (bare i kroppen, aldri i adressen).")
    )


class AccessRequestView(APIView):
    """The copy of a youth the services where I am privacy officer follow or followed, for a
    request made on paper: the same JSON as the youth downloads on *Min side*. The production
    is written to the access log and the audit trail."""

    @extend_schema(
        request=AccessRequestSerializer,
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=_(
                    "Kopien: «about» (hvem den er laget for og av, hva den utelater) og "
                    "«sections» (radene per slag opplysning)."
                ),
            )
        },
    )
    def post(self, request: Request) -> HttpResponse:
        # Anyone else is refused (403); the attempt on a registered youth is in the access log.
        viewer = viewer_of(request)
        data = validated(AccessRequestSerializer, request.data)
        answer = requests.access_request_answer(
            viewer=viewer, national_id=data["national_id"], file_format="json"
        )
        if answer is None:
            raise NotFound
        copy, body = answer
        return downloads.attachment(copy, "json", body)
