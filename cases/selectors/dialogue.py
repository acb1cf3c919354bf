"""Dialogue: a youth's threads and their messages as the viewer may see them (the access
policy: a thread is its service's record in its category), and what a read of them records in
the access log."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from cases import access, dialogue
from cases.models import Message, MessageRead, StaffMembership, Thread, ThreadKind, Youth


def visible_threads(viewer: access.Viewer, threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """The threads of ``threads`` the viewer may read: the access policy's, and of the threads
    with a youth only their own services' (``dialogue.seen_by``)."""
    return access.visible(viewer, threads).filter(dialogue.seen_by(viewer.reach))


def unread_for(user_id: Any) -> Count:
    """SQL: a thread's messages by others that the user has not read."""
    return Count(
        "messages",
        filter=~Q(messages__author_id=user_id)
        & ~Q(
            Exists(MessageRead.objects.filter(message_id=OuterRef("messages"), reader_id=user_id))
        ),
    )


def thread_list(*, viewer: access.Viewer, youth: Youth) -> QuerySet[Thread]:
    """The youth's threads the viewer may see, the newest message first, each with the number of
    messages the viewer has not read (``unread``). One query."""
    return (
        visible_threads(viewer, Thread.objects.filter(youth=youth))
        .select_related("service")
        .annotate(unread=unread_for(viewer.user.pk))
        .order_by("-last_message_at", "-id")
    )


def thread_for_user(*, viewer: access.Viewer, thread_id: Any, purpose: str = "thread") -> Thread:
    """One thread the viewer may see, else Http404 (a refused attempt logged)."""
    try:
        return (
            visible_threads(viewer, Thread.objects.all())
            .select_related("service", "youth")
            .get(pk=thread_id)
        )
    except (Thread.DoesNotExist, ValueError):
        raise access.refused(viewer, Thread, thread_id, purpose) from None


def message_for_user(
    *, viewer: access.Viewer, message_id: Any, purpose: str = "message"
) -> Message:
    """One message of a thread the viewer may see, else Http404 (a refused attempt logged)."""
    threads = visible_threads(viewer, Thread.objects.all()).values("pk")
    try:
        return Message.objects.select_related("thread__youth", "thread__service").get(
            pk=message_id, thread__in=threads
        )
    except (Message.DoesNotExist, ValueError):
        raise access.refused(
            viewer, Message, message_id, purpose, youth="thread__youth_id"
        ) from None


def messages_of(thread: Thread) -> QuerySet[Message]:
    """A thread's messages, oldest first, each with when someone other than its author first
    read it (``read_at``: *lest*) and the author. One query."""
    first_read = (
        MessageRead.objects.filter(message_id=OuterRef("pk"))
        .exclude(reader_id=OuterRef("author_id"))
        .order_by("read_at")
        .values("read_at")[:1]
    )
    return (
        Message.objects.filter(thread_id=thread.pk)
        .select_related("author")
        .annotate(read_at=Subquery(first_read))
        .order_by("created_at", "id")
    )


def thread_items(thread: Thread, messages: Any = ()) -> list[dict[str, Any]]:
    """The access log's items of a thread seen (as ``visible`` allowed it) and its messages."""
    basis = access.basis_of(thread)
    return [
        {"type": "thread", "id": str(thread.pk), "category": thread.category, "basis": basis},
        *(
            {"type": "message", "id": str(m.pk), "category": thread.category, "basis": basis}
            for m in messages
        ),
    ]


def awaiting_answer(viewer: access.Viewer) -> QuerySet[Message]:
    """Messages to the viewer's services that await an answer, oldest first, of the threads the
    viewer may read (``visible_threads``): in a thread with the youth, the youth's first
    message since the service last wrote; in a thread between services, a message asking for
    an answer by a day (``answer_by``) by someone outside the viewer's services that nobody in
    them has answered since. Each with its thread, the thread's service and the youth. One
    query."""
    threads = visible_threads(viewer, Thread.objects.all()).values("pk")
    later = Message.objects.filter(
        thread_id=OuterRef("thread_id"), created_at__gt=OuterRef("created_at")
    )
    ours = StaffMembership.objects.filter(service_id__in=list(viewer.reach)).values("user_id")
    # The youth's first message since the service last wrote: no staff message after it, and
    # no earlier message of the youth's after the service's last.
    last_written = (
        Message.objects.filter(thread_id=OuterRef(OuterRef("thread_id")), by_youth=False)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    earlier_waiting = Message.objects.filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id")),
        Q(created_at__gt=Subquery(last_written)) | ~Q(Exists(last_written)),
        thread_id=OuterRef("thread_id"),
        by_youth=True,
    )
    youth_waiting = (
        Message.objects.filter(thread__in=threads, thread__kind=ThreadKind.YOUTH, by_youth=True)
        .exclude(Exists(later.filter(by_youth=False)))
        .exclude(Exists(earlier_waiting))
        .values("pk")
    )
    asked_of_us = (
        Q(thread__in=threads, thread__kind=ThreadKind.STAFF, answer_by__isnull=False)
        & ~Q(author_id__in=ours)
        & ~Q(Exists(later.filter(author_id__in=ours)))
    )
    return (
        Message.objects.filter(Q(pk__in=youth_waiting) | asked_of_us)
        .select_related("thread__youth", "thread__service")
        .order_by("created_at", "id")
    )


def message_reads(viewer: access.Viewer, messages: list[Message]) -> list[access.Read]:
    """What a list of messages of many threads shows, one read per youth: each thread and
    message with what let the viewer see the thread (one query for the threads' bases)."""
    if not messages:
        return []
    seen = {
        t.pk: t
        for t in visible_threads(
            viewer, Thread.objects.filter(pk__in={m.thread_id for m in messages})
        )
    }
    by_thread: dict[Any, list[Message]] = {}
    for message in messages:
        if message.thread_id in seen:
            by_thread.setdefault(message.thread_id, []).append(message)
    services: dict[Any, list[Any]] = {}
    items: dict[Any, list[dict[str, Any]]] = {}
    for thread_id, shown in by_thread.items():
        thread = seen[thread_id]
        services.setdefault(thread.youth_id, []).append(thread.service_id)
        items.setdefault(thread.youth_id, []).extend(thread_items(thread, shown))
    return [
        access.Read(youth_id=youth_id, following_service_ids=services[youth_id], items=rows)
        for youth_id, rows in items.items()
    ]
