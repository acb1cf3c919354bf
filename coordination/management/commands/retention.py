"""``manage.py retention [--dry-run]``: run the retention rules now, or list what they would
delete, by rule and model, as counts (never content)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coordination.retention import purge
from coordination.retention.rules import ACCOUNT_RULES, RULES


class Command(BaseCommand):
    help = "Delete what the retention rules say is due (or, with --dry-run, list it as counts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be deleted, by rule and model, and change nothing.",
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        report = purge.purge(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"rule\tmodel\t{verb}\trows")
        for line in report.lines():
            self.stdout.write(line)
        if not report.counts:
            self.stdout.write(
                f"nothing due ({', '.join(rule.key for rule in (*RULES, *ACCOUNT_RULES))})"
            )
        if report.failed:
            self.stderr.write(f"{report.failed} batch(es) failed; their rows stay")
            raise SystemExit(1)
