"""Serializers for dialogue: threads and messages."""

from __future__ import annotations

from rest_framework import serializers

from cases.api.base import StaffRefSerializer, StrictSerializer
from cases.api.serializers import ServiceRefSerializer
from cases.models import Message, Thread, ThreadKind
from consent.categories import Category


class ThreadSerializer(serializers.ModelSerializer):
    youth = serializers.UUIDField(source="youth_id")
    service = ServiceRefSerializer()
    unread = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Thread
        fields = [
            "id",
            "youth",
            "service",
            "kind",
            "category",
            "subject",
            "created_at",
            "last_message_at",
            "unread",
        ]


class MessageSerializer(serializers.ModelSerializer):
    thread = serializers.UUIDField(source="thread_id")
    author = StaffRefSerializer(
        on_min_side=lambda message: message.by_youth,
        help_text="Staff who wrote the message; null where the youth wrote it (by_youth).",
    )
    corrects = serializers.UUIDField(source="corrects_id", allow_null=True)
    read_at = serializers.DateTimeField(
        read_only=True, allow_null=True, required=False, help_text="Lest av en annen deltaker."
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "thread",
            "author",
            "by_youth",
            "text",
            "corrects",
            "answer_by",
            "created_at",
            "read_at",
        ]


class ThreadDetailSerializer(ThreadSerializer):
    messages = MessageSerializer(many=True, source="shown_messages")

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "messages"]


class ThreadInputSerializer(StrictSerializer):
    service = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ThreadKind.choices)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    subject = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=5000)
    answer_by = serializers.DateField(required=False, allow_null=True, default=None)


class MessageInputSerializer(StrictSerializer):
    text = serializers.CharField(max_length=5000)
    answer_by = serializers.DateField(required=False, allow_null=True, default=None)


class CorrectionInputSerializer(StrictSerializer):
    text = serializers.CharField(max_length=5000)
