"""The API for a service's staff, for its managers (and staff administrator): the members now,
invitations (send, list the waiting ones, revoke), a member's new role and a membership's end.
The rules and the audit are in ``cases.services.staff``; a service, membership or invitation the
caller does not manage answers 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.base import StaffRefSerializer, StrictSerializer, validated
from cases.api.serializers import ServiceRefSerializer
from cases.middleware import viewer_of
from cases.models import Service, StaffInvitation, StaffMembership, StaffRole
from cases.services import staff as staff_services


class StaffMemberSerializer(serializers.Serializer):
    """A membership of the service: who, in which role, since when (and until when)."""

    id = serializers.UUIDField(read_only=True)
    user = StaffRefSerializer(read_only=True)
    role = serializers.ChoiceField(choices=StaffRole.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    ended_at = serializers.DateTimeField(read_only=True, allow_null=True)


class InvitationSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    service = ServiceRefSerializer(read_only=True)
    email = serializers.EmailField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=StaffRole.choices, read_only=True)
    invited_by = StaffRefSerializer(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    state = serializers.SerializerMethodField()

    def get_state(self, invitation: StaffInvitation) -> str:
        return invitation.state_at(timezone.now())


class InviteSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254, help_text=_("Jobbadressen."))
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=StaffRole.choices)


class RoleSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=StaffRole.choices)


def _managed_service(request: Request, pk: Any) -> Service:
    service = Service.objects.filter(pk=pk, is_active=True).first()
    if service is None or not staff_services.manages_staff(viewer_of(request), service.pk):
        raise Http404
    return service


def _managed(request: Request, model: Any, pk: Any) -> Any:
    row = model.objects.filter(pk=pk).only("pk", "service_id").first()
    if row is None or not staff_services.manages_staff(viewer_of(request), row.service_id):
        raise Http404
    return row


class ServiceStaffView(GenericAPIView):
    """The service's members now, by name (every role a person holds is its own row)."""

    queryset = StaffMembership.objects.none()
    serializer_class = StaffMemberSerializer
    pagination_class = None

    @extend_schema(responses=StaffMemberSerializer(many=True))
    def get(self, request: Request, pk: str) -> Response:
        service = _managed_service(request, pk)
        members = (
            StaffMembership.objects.filter(service=service, ended_at__isnull=True)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__username", "role")
        )
        return Response(StaffMemberSerializer(members, many=True).data)


class ServiceInvitationsView(GenericAPIView):
    """The service's invitations waiting for an answer (expired ones too, until revoked); a
    POST sends one by e-mail. The link's secret is sent to the address only, never answered."""

    queryset = StaffInvitation.objects.none()
    serializer_class = InvitationSerializer
    pagination_class = None

    @extend_schema(responses=InvitationSerializer(many=True))
    def get(self, request: Request, pk: str) -> Response:
        service = _managed_service(request, pk)
        pending = (
            StaffInvitation.objects.filter(
                service=service, accepted_at__isnull=True, revoked_at__isnull=True
            )
            .select_related("service", "invited_by")
            .order_by("-created_at")
        )
        return Response(InvitationSerializer(pending, many=True).data)

    @extend_schema(request=InviteSerializer, responses={201: InvitationSerializer})
    def post(self, request: Request, pk: str) -> Response:
        service = _managed_service(request, pk)
        data = validated(InviteSerializer, request.data)
        sent = staff_services.invitation_send(actor=request.user, service=service, **data)
        return Response(InvitationSerializer(sent.invitation).data, status=status.HTTP_201_CREATED)


class InvitationRevokeView(GenericAPIView):
    """Take back an invitation that has not been used."""

    queryset = StaffInvitation.objects.none()
    serializer_class = InvitationSerializer

    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request: Request, pk: str) -> Response:
        _managed(request, StaffInvitation, pk)
        invitation = staff_services.invitation_revoke(actor=request.user, invitation_id=pk)
        return Response(InvitationSerializer(invitation).data)


class MembershipRoleView(GenericAPIView):
    """Give a member another role: the answer is the new membership (the old one has ended;
    409 when it had ended already)."""

    queryset = StaffMembership.objects.none()
    serializer_class = StaffMemberSerializer

    @extend_schema(request=RoleSerializer, responses=StaffMemberSerializer)
    def post(self, request: Request, pk: str) -> Response:
        _managed(request, StaffMembership, pk)
        data = validated(RoleSerializer, request.data)
        membership = staff_services.membership_role_change(
            actor=request.user, membership_id=pk, role=data["role"]
        )
        return Response(StaffMemberSerializer(membership).data)


class MembershipEndView(GenericAPIView):
    """End a membership from now (not the service's last manager's); the person's API tokens
    are revoked when it was their last."""

    queryset = StaffMembership.objects.none()
    serializer_class = StaffMemberSerializer

    @extend_schema(request=None, responses=StaffMemberSerializer)
    def post(self, request: Request, pk: str) -> Response:
        _managed(request, StaffMembership, pk)
        membership = staff_services.membership_end_as_manager(actor=request.user, membership_id=pk)
        return Response(StaffMemberSerializer(membership).data)
