"""API for the youth's part in the plan, on the staff side: the comments on an activity (read
and write), the youth's requests to change it and the advisor's answer, and the consents a
service asks the youth for on *Min side*. Reads go through the access policy and are written to
the access log, and so are what a write answers with."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, consent_texts, selectors
from cases.api.base import StaffRefSerializer, StrictSerializer, active_service, log_answer
from cases.api.base import validated as _validated
from cases.middleware import viewer_of
from cases.models import (
    ActivityChangeRequest,
    ActivityComment,
    ChangeRequestOutcome,
    ConsentRequest,
)
from cases.services import consent_requests, youth_plan
from consent.categories import Category


class CommentSerializer(serializers.ModelSerializer):
    written_by = StaffRefSerializer(
        on_min_side=lambda comment: comment.by_youth,
        help_text="Staff who wrote the comment; null where the youth wrote it (by_youth).",
    )

    class Meta:
        model = ActivityComment
        fields = ["id", "activity", "written_at", "written_by", "by_youth", "corrects", "text"]


class CommentInputSerializer(StrictSerializer):
    text = serializers.CharField(max_length=4000)
    corrects = serializers.UUIDField(required=False, allow_null=True, default=None)


class ChangeRequestSerializer(serializers.ModelSerializer):
    answered_by = StaffRefSerializer(allow_null=True)

    class Meta:
        model = ActivityChangeRequest
        fields = [
            "id",
            "activity",
            "text",
            "activity_version",
            "requested_at",
            "outcome",
            "answer",
            "answered_at",
            "answered_by",
        ]


class ChangeRequestAnswerSerializer(StrictSerializer):
    outcome = serializers.ChoiceField(choices=ChangeRequestOutcome.choices)
    answer = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ConsentRequestSerializer(serializers.ModelSerializer):
    sentences = serializers.SerializerMethodField()

    class Meta:
        model = ConsentRequest
        fields = [
            "id",
            "youth",
            "from_service",
            "to_service",
            "categories",
            "template_code",
            "purpose",
            "agreed_text",
            "sentences",
            "requested_at",
            "state",
            "answered_at",
            "consent",
        ]

    def get_sentences(self, request: ConsentRequest) -> list[str]:
        return consent_requests.sentences(request)


class ConsentRequestInputSerializer(StrictSerializer):
    template = serializers.ChoiceField(choices=[t.code for t in consent_texts.TEMPLATES])
    from_service = serializers.UUIDField(help_text="The caller's service, which shares.")
    to_service = serializers.UUIDField(help_text="A service that follows the youth.")
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices),
        required=False,
        default=list,
        help_text="Without: the template's categories.",
    )
    purpose = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    agreed_text = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, default=""
    )


def _activity_item(activity: Any) -> dict[str, Any]:
    return selectors.item("activity", activity, activity.category)


class ActivityYouthPlanMixin:
    """Comments and the youth's requests to change, mixed into the activities viewset."""

    request: Any

    @extend_schema(
        methods=["get"], responses=CommentSerializer(many=True), operation_id="activities_comments"
    )
    @extend_schema(
        methods=["post"],
        request=CommentInputSerializer,
        responses={201: CommentSerializer},
        operation_id="activities_comments_add",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        activity = selectors.activity_for_user(
            viewer=viewer, activity_id=pk, purpose="activity-comments"
        )
        if request.method == "POST":
            data = _validated(CommentInputSerializer, request.data)
            corrects = None
            if data["corrects"] is not None:
                corrects = ActivityComment.objects.filter(
                    pk=data["corrects"], activity=activity
                ).first()
                if corrects is None:
                    raise Http404
            comment = youth_plan.activity_comment_add(
                actor=request.user, activity=activity, text=data["text"], corrects=corrects
            )
            log_answer(
                request,
                "activity-comment",
                activity.youth_id,
                [_activity_item(activity)],
                through=[activity.plan.period.service_id],
            )
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        with transaction.atomic():
            comments = list(
                ActivityComment.objects.filter(activity=activity)
                .select_related("written_by")
                .order_by("written_at")
            )
            access.log_items(
                viewer, "activity-comments", activity.youth_id, [_activity_item(activity)]
            )
        return Response(CommentSerializer(comments, many=True).data)

    @extend_schema(responses=ChangeRequestSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="change-requests", pagination_class=None)
    def change_requests(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        activity = selectors.activity_for_user(
            viewer=viewer, activity_id=pk, purpose="activity-change-requests"
        )
        with transaction.atomic():
            rows = list(
                ActivityChangeRequest.objects.filter(activity=activity)
                .select_related("answered_by")
                .order_by("-requested_at")
            )
            access.log_items(
                viewer, "activity-change-requests", activity.youth_id, [_activity_item(activity)]
            )
        return Response(ChangeRequestSerializer(rows, many=True).data)

    @extend_schema(request=ChangeRequestAnswerSerializer, responses=ChangeRequestSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"change-requests/(?P<request_id>[0-9a-f-]{36})/answer",
        url_name="change-request-answer",
    )
    def change_request_answer(self, request: Request, pk: str, request_id: str) -> Response:
        activity = selectors.activity_for_user(
            viewer=viewer_of(request), activity_id=pk, purpose="activity-change-answer"
        )
        asked = ActivityChangeRequest.objects.filter(pk=request_id, activity=activity).first()
        if asked is None:
            raise Http404
        data = _validated(ChangeRequestAnswerSerializer, request.data)
        answered = youth_plan.change_request_answer(actor=request.user, request=asked, **data)
        log_answer(
            request,
            "activity-change-answer",
            activity.youth_id,
            [_activity_item(activity)],
            through=[activity.plan.period.service_id],
        )
        return Response(ChangeRequestSerializer(answered).data)


def _consent_request_items(asked: ConsentRequest) -> list[dict[str, Any]]:
    """A request as access-log items: one per category it asks to share, the service's own."""
    return [
        {"type": "consent-request", "id": str(asked.pk), "category": category, "basis": "own"}
        for category in asked.categories
    ]


class YouthConsentRequestsMixin:
    """Consents asked for on *Min side*, mixed into the youths viewset: the requests of the
    caller's services (as the sharing service), and a new one."""

    request: Any

    @extend_schema(
        methods=["get"],
        responses=ConsentRequestSerializer(many=True),
        operation_id="youths_consent_requests",
    )
    @extend_schema(
        methods=["post"],
        request=ConsentRequestInputSerializer,
        responses={201: ConsentRequestSerializer},
        operation_id="youths_consent_requests_add",
    )
    @action(
        detail=True, methods=["get", "post"], url_path="consent-requests", pagination_class=None
    )
    def consent_requests(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        youth = access.youth_for_user(viewer, pk, purpose="youth-consent-requests")
        if request.method == "POST":
            data = _validated(ConsentRequestInputSerializer, request.data)
            from_service = access.service_for_user(viewer, data["from_service"])
            to_service = active_service(data["to_service"])
            asked = consent_requests.consent_request_prepare(
                actor=request.user,
                youth=youth,
                template_code=data["template"],
                from_service=from_service,
                to_service=to_service,
                categories=data["categories"],
                purpose=data["purpose"],
                agreed_text=data["agreed_text"],
            )
            log_answer(
                request,
                "consent-request-prepare",
                youth.pk,
                _consent_request_items(asked),
                through=[from_service.pk],
            )
            return Response(ConsentRequestSerializer(asked).data, status=status.HTTP_201_CREATED)
        with transaction.atomic():
            # The screen, as for every row held through a service: a protected youth's
            # requests only from the services in which the viewer is cleared for the youth.
            rows = list(
                ConsentRequest.objects.filter(
                    access.screened(viewer, service="from_service_id"),
                    youth=youth,
                    from_service_id__in=sorted(viewer.reach),
                ).select_related("from_service", "to_service")
            )
            access.log_reads(
                viewer,
                "youth-consent-requests",
                [
                    access.Read(
                        youth_id=youth.pk,
                        following_service_ids=[r.from_service_id for r in rows],
                        items=[item for r in rows for item in _consent_request_items(r)],
                    )
                ],
            )
        return Response(ConsentRequestSerializer(rows, many=True).data)
