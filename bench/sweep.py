"""The reminder sweep: claim and render digests for N due reminders, in-process.

``prepare`` makes exactly N reminders due (``PER_DIGEST`` for each recipient in turn: pending,
unclaimed, due an hour ago) and moves every other pending reminder a month ahead, so each run
sweeps the same rows. ``sweep`` then does what the worker does, minus SMTP: ``claim_due`` in
batches and ``deliver`` per claim (lock, render the digest's text and HTML, build the MIME
message, mark the rows sent) with Django's in-memory e-mail backend, emptied after each digest.
The result is reminders per second over the whole sweep, and EXPLAIN ANALYZE of the claim query
at the start of the sweep.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class SweepResult:
    reminders: int
    digests: int
    deadline_rows: int
    seconds: float
    per_second: float


# Reminders per recipient in the sweep, so digests have about one shape at every size (the first
# reminders by id fell to ~470 recipients at 100,000 youths but to 12 at 1,000,000): each
# recipient's first 21 in key order, then their next 21 if that was not yet enough.
PER_DIGEST = 21


def prepare(due: int) -> int:
    """Make ``due`` reminders pending and due now, in rounds of ``PER_DIGEST`` per recipient
    (recipients in key order, each one's first by id); push the rest ahead."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE coordination_reminder SET send_after = now() + interval '30 days' "
            "WHERE status = 'PENDING'"
        )
        cursor.execute(
            """
            UPDATE coordination_reminder r
            SET status = 'PENDING', send_after = now() - interval '1 hour', claim_token = NULL,
                claimed_at = NULL, sent_at = NULL, message_id = '', attempts = 0, last_error = ''
            FROM (
                SELECT id FROM (
                    SELECT id, recipient_key,
                           row_number() OVER (PARTITION BY recipient_key ORDER BY id) AS nth
                    FROM coordination_reminder
                ) numbered
                ORDER BY (nth - 1) / %s, recipient_key, nth
                LIMIT %s
            ) chosen
            WHERE r.id = chosen.id
            """,
            [PER_DIGEST, due],
        )
        made = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE coordination_reminder")
    return made


def explain_claim(out: Path) -> None:
    """EXPLAIN ANALYZE of the claim query as ``claim_due`` runs it (rolled back)."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from coordination.reminders.delivery import _due

    query = (
        _due(timezone.now())
        .select_for_update(skip_locked=True)
        .order_by("send_after", "id")
        .values_list("id", "recipient_key")[: settings.REMINDER_BATCH_SIZE]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        statement = connection.ops.compose_sql(sql, params)  # type: ignore[attr-defined]  # PostgreSQL's
        transaction.set_rollback(True)
    (out / "explain-sweep.txt").write_text(f"{statement}\n\n{plan}\n")


def sweep() -> tuple[int, int]:
    """Claim and deliver until nothing is due; returns (reminders, digests)."""
    from django.core import mail
    from django.test.utils import override_settings

    from coordination.reminders import delivery

    sent = digests = 0
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        while claims := delivery.claim_due():
            for claim in claims:
                sent += delivery.deliver(claim.token)
                digests += 1
                mail.outbox.clear()  # rendered and built, then dropped: memory stays flat
    return sent, digests


def run(due: int, out: Path) -> SweepResult:
    from django.db import connection

    prepare(due)
    explain_claim(out)
    started = time.perf_counter()
    sent, digests = sweep()
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'coordination_deadline'"
        )
        deadline_rows = int(cursor.fetchone()[0])
    if sent != due:
        raise SystemExit(f"sweep: sent {sent} reminders, expected {due}")
    return SweepResult(sent, digests, deadline_rows, round(seconds, 2), round(sent / seconds))
