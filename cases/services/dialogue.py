"""Dialogue: start a thread, post a message, correct one, mark a thread read. The rules are in
``cases.dialogue``; who sees a thread is the access policy's."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access, dialogue
from cases.events import fact_changed
from cases.models import (
    FollowUpPeriod,
    Message,
    MessageRead,
    PortalAccount,
    Service,
    Thread,
    ThreadKind,
    Youth,
    kind_category,
)
from cases.selectors import dialogue as selectors
from cases.services.common import field_error
from cases.services.registry import check_cleared
from core.audit import audit_record
from core.errors import ApplicationError


def is_youth(user: Any, youth_id: Any) -> bool:
    """Whether the user is the youth's own log-in to *Min side* (not a guardian's)."""
    if getattr(user, "pk", None) is None:
        return False
    return PortalAccount.objects.filter(
        user_id=user.pk, youth_id=youth_id, guardian__isnull=True
    ).exists()


def _following(youth_id: Any) -> dict[Any, set[Any]]:
    """The services that follow the youth now, each with its contact persons (one query)."""
    found: dict[Any, set[Any]] = {}
    for service_id, responsible_id in FollowUpPeriod.objects.filter(
        youth_id=youth_id, ended_on__isnull=True
    ).values_list("service_id", "responsible_id"):
        contacts = found.setdefault(service_id, set())
        if responsible_id is not None:
            contacts.add(responsible_id)
    return found


def _check_answer_by(answer_by: datetime.date | None) -> None:
    if not dialogue.answer_by_valid(answer_by, timezone.localdate()):
        raise field_error("answer_by", _("Svarfristen kan ikke være tilbake i tid."), "past")


def _message(
    *,
    actor: Any,
    thread: Thread,
    text: str,
    by_youth: bool,
    answer_by: datetime.date | None = None,
    corrects: Message | None = None,
) -> Message:
    _check_answer_by(answer_by)
    message = Message(
        thread=thread,
        author=actor,
        by_youth=by_youth,
        text=text.strip(),
        answer_by=answer_by,
        corrects=corrects,
    )
    message.full_clean()
    message.save(force_insert=True)
    thread.last_message_at = message.created_at
    thread.save(update_fields=["last_message_at"])
    audit_record(
        actor=actor,
        action="message.corrected" if corrects else "message.posted",
        subject=thread.youth,
        target=message,
        data={
            "thread": str(thread.pk),
            "corrects": str(corrects.pk) if corrects else None,
            "answer_by": str(answer_by) if answer_by else None,
        },
    )
    # An answer asked for, or given, is a deadline's fact (``ANSWER-BY``); and the message is
    # news for the notices that something waits (``coordination.reminders.notices``).
    fact_changed(thread.youth_id, "message.posted", ref=message.pk)
    return message


def _sees(actor: Any, thread: Thread) -> bool:
    viewer = access.viewer_for(actor)
    return selectors.visible_threads(viewer, Thread.objects.filter(pk=thread.pk)).exists()


def may_post(*, actor: Any, thread: Thread) -> bool:
    """Whether the actor may post in the thread (``dialogue.may_post`` on the facts): what
    ``message_post`` checks, and what a page asks before it offers the answer form."""
    return _may_post(actor, thread, is_youth(actor, thread.youth_id))


def _may_post(actor: Any, thread: Thread, youth: bool) -> bool:
    following = _following(thread.youth_id)
    return dialogue.may_post(
        thread.kind,
        user_id=actor.pk,
        follows=thread.service_id in following,
        contacts=following.get(thread.service_id, set()),
        sees=not youth and thread.kind == ThreadKind.STAFF and _sees(actor, thread),
        is_youth=youth,
    )


def _check_may_post(actor: Any, thread: Thread) -> bool:
    """Whether the actor may post in the thread, refused if not; True for the youth."""
    youth = is_youth(actor, thread.youth_id)
    if not _may_post(actor, thread, youth):
        raise ApplicationError(_("Du kan ikke skrive i denne samtalen."), code="may_not_post")
    return youth


def thread_start(
    *,
    actor: Any,
    youth: Youth,
    service: Service,
    kind: str,
    subject: str,
    text: str,
    category: str | None = None,
    answer_by: datetime.date | None = None,
) -> Thread:
    """Start a thread about the youth, held by ``service``, with its first message.

    A thread with the youth is in the service's own category; a thread between services in
    ``category`` (the service's own when none is given). Staff start one only through a
    service in which they are cleared for the youth's protected identity (``check_cleared``,
    as for following the youth); a refusal is logged as a refused attempt."""
    youth_self = is_youth(actor, youth.pk)
    viewer = access.viewer_for(actor)
    if not youth_self:
        check_cleared(viewer, youth, service.pk, field="service", purpose="thread-start")
    return _thread_start(
        actor=actor,
        viewer=viewer,
        youth_self=youth_self,
        youth=youth,
        service=service,
        kind=kind,
        subject=subject,
        text=text,
        category=category,
        answer_by=answer_by,
    )


@transaction.atomic
def _thread_start(
    *,
    actor: Any,
    viewer: access.Viewer,
    youth_self: bool,
    youth: Youth,
    service: Service,
    kind: str,
    subject: str,
    text: str,
    category: str | None,
    answer_by: datetime.date | None,
) -> Thread:
    following = _following(youth.pk)
    if not dialogue.may_start(
        kind,
        user_id=actor.pk,
        service_id=service.pk,
        works_in=viewer.reach,
        following=following,
        contacts=following.get(service.pk, set()),
        is_youth=youth_self,
    ):
        raise field_error(
            "service",
            _("Du kan ikke starte en samtale med denne tjenesten om ungdommen."),
            "may_not_start",
        )
    if kind == ThreadKind.YOUTH or not category:
        category = kind_category(service.kind)
    thread = Thread(
        youth=youth,
        service=service,
        kind=kind,
        category=category,
        subject=subject.strip(),
        started_by=actor,
    )
    thread.full_clean()
    thread.save(force_insert=True)
    audit_record(
        actor=actor,
        action="thread.started",
        subject=youth,
        target=thread,
        data={"kind": kind, "category": category, "service": str(service.pk)},
    )
    _message(actor=actor, thread=thread, text=text, by_youth=youth_self, answer_by=answer_by)
    return thread


@transaction.atomic
def message_post(
    *, actor: Any, thread: Thread, text: str, answer_by: datetime.date | None = None
) -> Message:
    """A new message in the thread, by someone who may post in it (``cases.dialogue``)."""
    locked = Thread.objects.select_for_update().select_related("youth").get(pk=thread.pk)
    youth_self = _check_may_post(actor, locked)
    return _message(actor=actor, thread=locked, text=text, by_youth=youth_self, answer_by=answer_by)


@transaction.atomic
def message_correct(*, actor: Any, message: Message, text: str) -> Message:
    """A correction of one of the actor's own messages: a new message naming it. The message
    corrected stays as it was, shown as corrected."""
    locked = Thread.objects.select_for_update().select_related("youth").get(pk=message.thread_id)
    if message.author_id != actor.pk:
        raise field_error("corrects", _("Du kan bare rette dine egne meldinger."), "not_author")
    youth_self = _check_may_post(actor, locked)
    return _message(actor=actor, thread=locked, text=text, by_youth=youth_self, corrects=message)


@transaction.atomic
def thread_read(*, actor: Any, thread: Thread) -> int:
    """Mark the thread's messages by others as read by the actor (*lest*, with when); returns
    how many were new to them. Two queries when there is nothing new."""
    unread = list(
        Message.objects.filter(thread_id=thread.pk)
        .exclude(author_id=actor.pk)
        .exclude(reads__reader_id=actor.pk)
        .values_list("pk", flat=True)
    )
    if not unread:
        return 0
    now = timezone.now()
    MessageRead.objects.bulk_create(
        [MessageRead(message_id=pk, reader=actor, read_at=now) for pk in unread],
        ignore_conflicts=True,
    )
    audit_record(
        actor=actor,
        action="thread.read",
        subject=thread.youth,
        target=thread,
        data={"messages": len(unread)},
    )
    return len(unread)
