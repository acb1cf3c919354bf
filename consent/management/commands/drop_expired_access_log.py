"""manage.py drop_expired_access_log: drop the access log's months past the retention period.

Each month entirely older than ``ACCESS_LOG_RETENTION_YEARS`` goes whole, recorded for the hash
chain's verification (``consent/partitions.py``); the nightly task does the same. ``--dry-run``
lists what would go and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from consent import partitions


class Command(BaseCommand):
    help = (
        "Slett innsynsloggens måneder som er eldre enn oppbevaringstiden. "
        "Drop the access log's months past the retention period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be dropped, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        dry_run = options["dry_run"]
        dropped = partitions.drop_expired(now=now, dry_run=dry_run)
        kept = partitions.kept_from(now)
        verb = ("Ville slettet", "Would drop") if dry_run else ("Slettet", "Dropped")
        for month in dropped:
            self.stdout.write(
                f"{verb[0]} {month.month:%Y-%m}: {month.rows} rader, {month.links} lenker. "
                f"{verb[1]} {month.month:%Y-%m}: {month.rows} rows, {month.links} links."
            )
        self.stdout.write(
            f"{len(dropped)} måneder; loggen oppbevares fra {kept:%Y-%m-%d %H:%M} UTC. "
            f"{len(dropped)} months; the log is kept from {kept:%Y-%m-%d %H:%M} UTC."
        )
