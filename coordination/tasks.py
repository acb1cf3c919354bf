"""Periodic housekeeping. Schedules are declared in settings.CELERY_BEAT_SCHEDULE."""

from __future__ import annotations

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sessions_clear_expired() -> int:
    """Delete expired log-in sessions so stale sessions of staff cannot be reused."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
