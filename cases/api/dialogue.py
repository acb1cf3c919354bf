"""API for dialogue: a youth's threads, one thread read (marked read), a message posted or
corrected. Every read is written to the access log in the read's transaction, and so is what a
write answers with; a refused attempt is written before any transaction opens."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, selectors, services
from cases.api import dialogue_serializers as s
from cases.api.base import UUID_PATTERN, log_answer, log_youth_read, validated
from cases.middleware import viewer_of
from cases.models import Message, Thread


class YouthThreadsMixin:
    """The threads about one youth, mixed into the youths viewset."""

    request: Any

    @extend_schema(
        methods=["get"], responses=s.ThreadSerializer(many=True), operation_id="youths_threads"
    )
    @extend_schema(
        methods=["post"],
        request=s.ThreadInputSerializer,
        responses={201: s.ThreadSerializer},
        operation_id="youths_threads_start",
    )
    @action(detail=True, methods=["get", "post"])
    def threads(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        youth = access.youth_for_user(viewer, pk, purpose="youth-threads")
        if request.method == "POST":
            data = validated(s.ThreadInputSerializer, request.data)
            service = access.service_for_user(viewer, data.pop("service"))
            thread = services.thread_start(actor=request.user, youth=youth, service=service, **data)
            log_answer(
                request,
                "thread-start",
                youth.pk,
                [
                    {
                        "type": "thread",
                        "id": str(thread.pk),
                        "category": thread.category,
                        "basis": "own",
                    }
                ],
                through=[thread.service_id],
            )
            thread.unread = 0  # type: ignore[attr-defined]  # its one message is the caller's
            return Response(s.ThreadSerializer(thread).data, status=status.HTTP_201_CREATED)
        with transaction.atomic():
            page = self.paginate_queryset(selectors.thread_list(viewer=viewer, youth=youth))  # type: ignore[attr-defined]
            log_youth_read(
                request,
                "youth-threads",
                youth,
                [item for t in page for item in selectors.thread_items(t)],
            )
        return self.get_paginated_response(s.ThreadSerializer(page, many=True).data)  # type: ignore[attr-defined]


def _log_thread(request: Request, purpose: str, thread: Thread, messages: Any) -> None:
    access.log_reads(
        viewer_of(request),
        purpose,
        [
            access.Read(
                youth_id=thread.youth_id,
                following_service_ids=[thread.service_id],
                items=selectors.thread_items(thread, messages),
            )
        ],
    )


class ThreadViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One thread: read (through the policy, marked read by the reader), answered."""

    lookup_value_regex = UUID_PATTERN
    queryset = Thread.objects.none()
    serializer_class = s.ThreadDetailSerializer

    def retrieve(self, request: Request, pk: str) -> Response:
        thread = selectors.thread_for_user(viewer=viewer_of(request), thread_id=pk)
        with transaction.atomic():
            services.thread_read(actor=request.user, thread=thread)
            thread.unread = 0  # type: ignore[attr-defined]  # all read now
            thread.shown_messages = list(selectors.messages_of(thread))  # type: ignore[attr-defined]
            _log_thread(request, "thread", thread, thread.shown_messages)  # type: ignore[attr-defined]
        return Response(s.ThreadDetailSerializer(thread).data)

    @extend_schema(request=s.MessageInputSerializer, responses={201: s.MessageSerializer})
    @action(detail=True, methods=["post"])
    def messages(self, request: Request, pk: str) -> Response:
        thread = selectors.thread_for_user(
            viewer=viewer_of(request), thread_id=pk, purpose="message-post"
        )
        data = validated(s.MessageInputSerializer, request.data)
        message = services.message_post(actor=request.user, thread=thread, **data)
        log_answer(
            request,
            "message-post",
            thread.youth_id,
            selectors.thread_items(thread, [message]),
            through=[thread.service_id],
        )
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class MessageViewSet(viewsets.GenericViewSet):
    """One message: corrected by its author with a new message that names it."""

    lookup_value_regex = UUID_PATTERN
    queryset = Message.objects.none()
    serializer_class = s.MessageSerializer

    @extend_schema(request=s.CorrectionInputSerializer, responses={201: s.MessageSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str) -> Response:
        message = selectors.message_for_user(
            viewer=viewer_of(request), message_id=pk, purpose="message-correct"
        )
        data = validated(s.CorrectionInputSerializer, request.data)
        correction = services.message_correct(actor=request.user, message=message, **data)
        thread = message.thread
        log_answer(
            request,
            "message-correct",
            thread.youth_id,
            selectors.thread_items(thread, [correction]),
            through=[thread.service_id],
        )
        return Response(s.MessageSerializer(correction).data, status=status.HTTP_201_CREATED)
