"""Dialogue pages: a thread read and answered by staff (through the access policy, the read
logged and marked read), a thread started by staff from the youth page, a message corrected by
its author, and on *Min side* the youth's threads with their contact persons."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import access, portal, selectors, services
from cases.middleware import viewer_of
from cases.models import Service, Thread, ThreadKind
from cases.services.dialogue import is_youth
from coordination.pages.base import methods, posted, run, staff_required
from coordination.pages.forms import (
    CorrectionForm,
    MessageForm,
    PortalThreadForm,
    StaffThreadForm,
)


@staff_required
@methods("get", "post")
def thread_page(request: HttpRequest, thread_id: uuid.UUID) -> HttpResponse:
    """One thread: its messages with *lest*, marked read by the reader, and the answer form for
    those who may post in it."""
    viewer = viewer_of(request)
    # Read before the transaction: a refused attempt's access-log row outlives the 404.
    thread = selectors.thread_for_user(viewer=viewer, thread_id=thread_id)
    form = MessageForm(posted(request))
    if request.method == "POST" and form.is_valid():
        sent = run(
            form,
            lambda: services.message_post(actor=request.user, thread=thread, **form.cleaned_data),
        )
        if sent is not None:
            return redirect(reverse("pages:thread", args=[thread.pk]) + "#answer")
    with transaction.atomic():
        services.thread_read(actor=request.user, thread=thread)
        messages = list(selectors.messages_of(thread))
        access.log_reads(
            viewer,
            "thread",
            [
                access.Read(
                    youth_id=thread.youth_id,
                    following_service_ids=[thread.service_id],
                    items=selectors.thread_items(thread, messages),
                )
            ],
        )
    may_post = services.may_post(actor=request.user, thread=thread)
    return render(
        request,
        "pages/thread.html",
        {
            "thread": thread,
            "youth": thread.youth,
            "thread_messages": _with_corrections(messages),
            "form": form,
            "may_post": may_post,
            "may_correct": may_post,
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


@staff_required
@methods("get", "post")
def thread_new(request: HttpRequest, youth_id: uuid.UUID) -> HttpResponse:
    """Start a thread about the youth, held by one of the viewer's services that follows the
    youth: with the youth (a contact person) or between the services, in a category (the
    service's own by default). Who may start which is the service's rule (``may_start``)."""
    viewer = viewer_of(request)
    youth = access.youth_for_user(viewer, youth_id, purpose="thread-new")
    following = [service_id for service_id, _kind in access.following_services(viewer, youth.pk)]
    form = StaffThreadForm(
        posted(request), services=Service.objects.filter(pk__in=following).order_by("name")
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        thread = run(
            form,
            lambda: services.thread_start(
                actor=request.user,
                youth=youth,
                service=data["service"],
                kind=data["kind"],
                category=data["category"] or None,
                subject=data["subject"],
                text=data["text"],
                answer_by=data["answer_by"],
            ),
        )
        if thread is not None:
            return redirect("pages:thread", thread_id=thread.pk)
    access.log_items(viewer, "thread-new", youth.pk, [])
    return render(
        request,
        "pages/form_page.html",
        {
            "form": form,
            "heading": _("Ny samtale om %s") % youth.full_name,
            "submit_label": _("Send"),
            "back_url": reverse("pages:youth", args=[youth.pk]) + "#threads",
            "back_label": youth.full_name,
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
@methods("get", "post")
def message_correct(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    """Correct one's own message: the correction is a new message in the thread naming the one
    it corrects, which stays as it was (``message_correct``). The message corrected is shown,
    and that read logged."""
    viewer = viewer_of(request)
    message = selectors.message_for_user(
        viewer=viewer, message_id=message_id, purpose="message-correct"
    )
    thread = message.thread
    form = CorrectionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        sent = run(
            form,
            lambda: services.message_correct(
                actor=request.user, message=message, text=form.cleaned_data["text"]
            ),
        )
        if sent is not None:
            return redirect(reverse("pages:thread", args=[thread.pk]) + f"#message-{sent.pk}")
    seen = selectors.thread_for_user(viewer=viewer, thread_id=thread.pk)
    access.log_reads(
        viewer,
        "message-correct",
        [
            access.Read(
                youth_id=thread.youth_id,
                following_service_ids=[thread.service_id],
                items=selectors.thread_items(seen, [message]),
            )
        ],
    )
    return render(
        request,
        "pages/message_correct.html",
        {"thread": thread, "youth": thread.youth, "message": message, "form": form},
        status=400 if form.is_bound else 200,
    )


def _with_corrections(messages: list[Any]) -> list[Any]:
    """The messages, each corrected one marked with the message that corrects it."""
    by_id = {m.pk: m for m in messages}
    for message in messages:
        message.corrected_by = None
    for message in messages:
        if message.corrects_id in by_id:
            by_id[message.corrects_id].corrected_by = message
    return messages


# --- Min side -------------------------------------------------------------------------------


def _portal_thread(account: Any, thread_id: Any) -> Thread:
    hidden = portal.withheld(account, timezone.localdate())
    try:
        return portal.threads(account, hidden).get(pk=thread_id)
    except (Thread.DoesNotExist, ValueError):
        raise Http404 from None


@login_required
@methods("get", "post")
def portal_thread(request: HttpRequest, youth_id: uuid.UUID, thread_id: uuid.UUID) -> HttpResponse:
    """A thread with a contact person on *Min side*: the youth reads (marked read) and answers;
    a guardian reads where the page shows the thread, and writes nothing."""
    account = portal.account_for(request.user, youth_id, purpose="portal-thread")
    thread = _portal_thread(account, thread_id)
    youth_self = not account.is_guardian
    form = MessageForm(posted(request))
    if request.method == "POST":
        if not youth_self:
            raise Http404
        if form.is_valid():
            sent = run(
                form,
                lambda: services.message_post(
                    actor=request.user, thread=thread, **form.cleaned_data
                ),
            )
            if sent is not None:
                url = reverse("portal:thread", args=[youth_id, thread.pk])
                return redirect(url + "#answer")
    if youth_self:
        services.thread_read(actor=request.user, thread=thread)
    return render(
        request,
        "portal/thread.html",
        {
            "account": account,
            "youth": account.youth,
            "thread": thread,
            "thread_messages": _with_corrections(list(selectors.messages_of(thread))),
            "form": form,
            "may_post": youth_self,
        },
        status=400 if form.errors else 200,
    )


@login_required
@methods("post")
def portal_thread_new(request: HttpRequest, youth_id: uuid.UUID) -> HttpResponse:
    """The youth writes to the contact person of a service that follows them: a new thread."""
    account = portal.account_for(request.user, youth_id, purpose="portal-thread")
    if account.is_guardian or not is_youth(request.user, account.youth_id):
        raise Http404
    form = PortalThreadForm(request.POST, periods=portal.contact_services(account.youth))
    if form.is_valid():
        data = form.cleaned_data
        thread = run(
            form,
            lambda: services.thread_start(
                actor=request.user,
                youth=account.youth,
                service=form.services[data["service"]],
                kind=ThreadKind.YOUTH,
                subject=data["subject"],
                text=data["text"],
            ),
        )
        if thread is not None:
            return redirect("portal:thread", youth_id=youth_id, thread_id=thread.pk)
    return render(
        request,
        "portal/thread_new.html",
        {"account": account, "youth": account.youth, "form": form},
        status=400,
    )
