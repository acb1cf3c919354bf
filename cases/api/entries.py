"""API for the follow-up log (*oppfølgingslogg*): a youth's entries, and one entry read, edited
or deleted. Every read is written to the access log in the same transaction as the read, and
so is what a write answers with; a refused attempt is written before any transaction opens."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, selectors, services
from cases.api import entry_serializers as s
from cases.api.base import UUID_PATTERN, log_answer, log_youth_read, validated
from cases.middleware import viewer_of
from cases.models import FollowUpEntry


class YouthEntriesMixin:
    """The follow-up log of one youth, mixed into the youths viewset."""

    request: Any

    @extend_schema(
        methods=["get"], responses=s.EntrySerializer(many=True), operation_id="youths_entries"
    )
    @extend_schema(
        methods=["post"],
        request=s.EntryInputSerializer,
        responses={201: s.EntrySerializer},
        operation_id="youths_entries_add",
    )
    @action(detail=True, methods=["get", "post"])
    def entries(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        youth = access.youth_for_user(viewer, pk, purpose="youth-entries")
        if request.method == "POST":
            data = validated(s.EntryInputSerializer, request.data)
            service = access.service_for_user(viewer, data.pop("service"))
            corrects = data.pop("corrects")
            if corrects is not None:
                corrects = selectors.entry_for_user(
                    viewer=viewer, entry_id=corrects, purpose="entry-correct"
                )
            entry = services.entry_log(
                actor=request.user, youth=youth, service=service, corrects=corrects, **data
            )
            log_answer(
                request,
                "entry-log",
                youth.pk,
                [selectors.written_entry_item(entry)],
                through=[entry.service_id],
            )
            return Response(s.EntrySerializer(entry).data, status=status.HTTP_201_CREATED)
        with transaction.atomic():
            page = self.paginate_queryset(selectors.entry_list(viewer=viewer, youth=youth))  # type: ignore[attr-defined]
            log_youth_read(request, "youth-entries", youth, [selectors.entry_item(e) for e in page])
        return self.get_paginated_response(s.EntrySerializer(page, many=True).data)  # type: ignore[attr-defined]


class EntryViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One follow-up entry: read (through the policy), edit (author, 24 hours), delete."""

    lookup_value_regex = UUID_PATTERN
    queryset = FollowUpEntry.objects.none()
    serializer_class = s.EntrySerializer

    def retrieve(self, request: Request, pk: str) -> Response:
        entry = selectors.entry_for_user(viewer=viewer_of(request), entry_id=pk)
        with transaction.atomic():
            access.log_reads(
                viewer_of(request),
                "entry",
                [
                    access.Read(
                        youth_id=entry.youth_id,
                        following_service_ids=[entry.service_id],
                        items=[selectors.entry_item(entry)],
                    )
                ],
            )
        return Response(s.EntrySerializer(entry).data)

    @extend_schema(request=s.EntryEditSerializer, responses=s.EntrySerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        entry = selectors.entry_for_user(
            viewer=viewer_of(request), entry_id=pk, purpose="entry-edit"
        )
        data = validated(s.EntryEditSerializer, request.data)
        entry = services.entry_edit(actor=request.user, entry=entry, **data)
        log_answer(
            request,
            "entry-edit",
            entry.youth_id,
            [selectors.written_entry_item(entry)],
            through=[entry.service_id],
        )
        return Response(s.EntrySerializer(entry).data)

    # Not named ``delete``: DRF hands an HTTP method to the view method of the same name, so
    # DELETE on the entry would have reached this action without the documented POST.
    @extend_schema(request=s.ReasonSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="delete", url_name="delete")
    def delete_entry(self, request: Request, pk: str) -> Response:
        entry = selectors.entry_for_user(
            viewer=viewer_of(request), entry_id=pk, purpose="entry-delete"
        )
        data = validated(s.ReasonSerializer, request.data)
        services.entry_delete(actor=request.user, entry=entry, reason=data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)
