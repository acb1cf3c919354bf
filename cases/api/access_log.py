"""API for the access log of the caller's services' staff: for privacy officers only."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied

from cases import selectors
from cases.api import access_log_serializers as s
from cases.api.base import validated
from cases.models import StaffRole
from consent.models import AccessLogEntry


@extend_schema_view(list=extend_schema(parameters=[s.AccessLogQuerySerializer]))
class AccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The access log of the caller's services' staff: for privacy officers only."""

    queryset = AccessLogEntry.objects.none()
    serializer_class = s.AccessLogSerializer

    def get_queryset(self) -> Any:
        user: Any = self.request.user
        if not user.memberships.filter(
            role=StaffRole.PRIVACY_OFFICER, ended_at__isnull=True
        ).exists():
            raise PermissionDenied
        query = validated(s.AccessLogQuerySerializer, self.request.query_params)
        entries = selectors.access_log_for_privacy_officer(user=user)
        filters = {
            "subject_id": query.get("youth"),
            "party_id": query.get("service"),
            "actor__username": query.get("actor"),
            "granted": query.get("granted"),
            "at__gte": query.get("after"),
            "at__lt": query.get("before"),
        }
        return entries.filter(**{k: v for k, v in filters.items() if v is not None})
