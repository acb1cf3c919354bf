"""Celery tasks. Schedules are declared in settings.CELERY_BEAT_SCHEDULE.

The database is the truth and the broker only wakes us: every task re-reads what it needs, so a
task delivered twice, late or never changes nothing that the next run does not repair.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from consent import chain, partitions
from coordination import access_log
from coordination.deadlines import compliance, ledger
from coordination.plans import grants
from coordination.reminders import delivery
from coordination.retention import purge

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sessions_clear_expired() -> int:
    """Delete expired log-in sessions so stale sessions of staff cannot be reused."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminders_dispatch() -> int:
    """Claim due reminders and queue one send per recipient. If queueing fails (broker down),
    the claims lapse after the lease and the next run takes them again."""
    claims = delivery.claim_due()
    queued = 0
    for claim in claims:
        try:
            reminders_send.delay(str(claim.token))
            queued += 1
        except Exception:  # the broker is down: the claim lapses and is retried
            logger.warning("reminder claim not queued; retried after the lease", exc_info=True)
    return queued


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
)
def reminders_send(self: Any, token: str) -> int:
    """Send one recipient's claimed reminders as one digest (or one notice, by e-mail or SMS);
    retry with back-off on failure (an SMS gateway out of reach raises an ``OSError``)."""
    try:
        return delivery.deliver(token)
    except (smtplib.SMTPException, OSError) as exc:
        delivery.record_failure(token, exc)
        logger.warning("reminder digest not sent (%s); retrying", type(exc).__name__)
        raise self.retry(exc=exc, countdown=delivery.retry_delay(self.request.retries)) from None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deadlines_derive_changed() -> int:
    """Derive the deadlines of youths whose facts changed outside a request (a shell, a task)
    or whose derivation after a request failed."""
    return ledger.derive_changed()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deadlines_sweep() -> dict[str, int]:
    """Nightly: re-derive every followed youth's deadlines from the facts (repairs anything a
    write missed, moves passed deadlines to missed), take the compliance figures, and remove
    plan grants whose holder no longer qualifies (a consent that ran out, a job that ended)."""
    return {
        **ledger.sweep(),
        **compliance.snapshot_all(),
        "grants_removed": grants.prune_all(reason="nightly"),
    }


@shared_task(acks_late=True, reject_on_worker_lost=True)
def access_log_seal() -> int:
    """Every minute: link the access log's new rows into its hash chain. A run that finds
    another sealer at work leaves the rows to it."""
    return chain.seal().rows


@shared_task(acks_late=True, reject_on_worker_lost=True)
def access_log_digest() -> int:
    """Hourly: store the access log's digest of each day that has ended and e-mail it to the
    privacy officers; a digest that cannot be sent is not stored, and the next run tries again."""
    try:
        return access_log.digest_and_send()
    except (smtplib.SMTPException, OSError):
        logger.warning("access-log digest not sent; the next run tries again", exc_info=True)
        return 0


@shared_task(acks_late=True, reject_on_worker_lost=True)
def retention_purge() -> dict[str, int]:
    """Nightly: delete what the retention rules say is due, in batches, and record the counts
    (docs/retention.md). A batch that fails is left whole for the next run."""
    report = purge.purge()
    return {"rows": sum(report.counts.values()), "batches": report.batches, "failed": report.failed}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def access_log_partitions() -> int:
    """Daily: make the access log's partitions of this month and the months ahead
    (``ACCESS_LOG_PARTITIONS_AHEAD``), so a month's rows never arrive before its partition."""
    return len(partitions.ensure())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def access_log_drop_expired() -> int:
    """Nightly: drop the access log's months past ``ACCESS_LOG_RETENTION_YEARS``, each recorded
    for the chain's verification. A drop that cannot take its lock in time waits for the next
    night."""
    return sum(dropped.rows for dropped in partitions.drop_expired())
