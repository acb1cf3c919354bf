"""API for disclosures: a holder gives chosen entries (or a written report) to another service
on a legal basis; both sides list them. Reads are written to the access log with the basis."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, selectors, services
from cases.api import disclosure_serializers as s
from cases.api.base import UUID_PATTERN, active_service, validated
from cases.middleware import viewer_of
from consent.models import Disclosure


@extend_schema_view(list=extend_schema(parameters=[s.DisclosureQuerySerializer]))
class DisclosureViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Disclosures the caller's services made (``side=sent``) or received (``side=received``)."""

    lookup_value_regex = UUID_PATTERN
    queryset = Disclosure.objects.none()
    serializer_class = s.DisclosureSerializer

    def list(self, request: Request) -> Response:
        query = validated(s.DisclosureQuerySerializer, request.query_params)
        viewer = viewer_of(request)
        with transaction.atomic():
            page = self.paginate_queryset(
                selectors.disclosure_list(viewer=viewer, side=query.get("side"))
            )
            rows = list(page or [])
            entries = selectors.disclosed_entries(rows)
            access.log_disclosures(viewer, "disclosures", rows)
        data = s.DisclosureSerializer(rows, many=True, context={"entries": entries}).data
        return self.get_paginated_response(data)

    @extend_schema(request=s.DisclosureInputSerializer, responses={201: s.DisclosureSerializer})
    def create(self, request: Request) -> Response:
        data = validated(s.DisclosureInputSerializer, request.data)
        viewer = viewer_of(request)
        youth = access.youth_for_user(viewer, data.pop("youth"), purpose="disclosure")
        from_service = access.service_for_user(viewer, data.pop("from_service"))
        to_service = active_service(data.pop("to_service"))
        disclosure = services.disclosure_make(
            actor=request.user,
            youth=youth,
            from_service=from_service,
            to_service=to_service,
            entry_ids=data.pop("entries"),
            **data,
        )
        created = selectors.disclosure_list(viewer=viewer).get(pk=disclosure.pk)
        entries = selectors.disclosed_entries([created])
        return Response(
            s.DisclosureSerializer(created, context={"entries": entries}).data,
            status=status.HTTP_201_CREATED,
        )
