"""API for a youth's timeline across services, filtered by the access policy and written to the
access log as it is read."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, selectors, timeline
from cases.api import timeline_serializers as s
from cases.api.base import validated
from cases.middleware import viewer_of


class YouthTimelineMixin:
    """The timeline of one youth, mixed into the youths viewset."""

    request: Any

    @extend_schema(
        parameters=[s.TimelineQuerySerializer],
        responses=inline_serializer(
            "TimelinePage",
            {
                "next": serializers.CharField(
                    allow_null=True, help_text=_("Peker til neste side (cursor), eller null.")
                ),
                "results": s.TimelineItemSerializer(many=True),
            },
        ),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)  # the gate and the access log share it
        allowed = access.allowed_or_404(viewer, pk, purpose="youth-timeline")
        query = validated(s.TimelineQuerySerializer, request.query_params)
        try:
            cursor = timeline.decode_cursor(query["cursor"]) if "cursor" in query else None
        except timeline.InvalidCursor:
            raise serializers.ValidationError({"cursor": [_("Ugyldig peker.")]}) from None
        items, next_key, mine = selectors.timeline_read(
            viewer=viewer,
            allowed=allowed,
            purpose="youth-timeline",
            cursor=cursor,
            limit=query["page_size"],
        )
        return Response(
            {
                "next": timeline.encode_cursor(next_key) if next_key else None,
                # One serializer for the page: its fields are built once, not per item.
                "results": s.TimelineItemSerializer(
                    [selectors.timeline_fields(item, mine) for item in items], many=True
                ).data,
            }
        )
