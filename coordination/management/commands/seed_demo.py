"""manage.py seed_demo: fill an empty database with the Skien demo municipality and its plans.

The command lives in the project app, which knows every layer: ``cases.demo`` makes the
services, staff and youths, ``coordination.demo`` the plans on top."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from cases import demo
from cases.models import Service
from coordination import demo as plan_demo
from coordination.deadlines import ledger


class Command(BaseCommand):
    help = "Lag demodata: Skien kommune med tjenester, ansatte og om lag 300 ungdommer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--youths", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if there is data already."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demodata lages ikke i produksjon (DJANGO_ENV=production).")
        if Service.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Databasen har data fra før; hopper over demodata.")
                plan_demo.print_logins(self.stdout.write)
                return
            raise CommandError("Databasen har data fra før. Demodata lages bare i en tom database.")

        def progress(iterator: Any) -> Any:
            return tqdm(
                iterator, total=options["youths"], desc="Ungdommer", unit="", file=self.stderr
            )

        with transaction.atomic():
            counts = demo.seed(
                youths=options["youths"], seed_value=options["seed"], progress=progress
            )
            counts.update(plan_demo.seed_plans(seed_value=options["seed"]))
            counts.update(plan_demo.seed_portal())
            counts.update(demo.seed_protected(seed_value=options["seed"]))
            # Each youth's deadlines derived once, from all its facts.
            while ledger.derive_changed():
                pass
        self.stdout.write(
            self.style.SUCCESS(
                f"Laget {counts['youths']} ungdommer, {counts['periods']} oppfølgingsperioder, "
                f"{counts['guardians']} foresatte og {counts['plans']} planer; "
                f"{counts['protected']} ungdommer med beskyttet identitet ser bare "
                f"{demo.CLEARED_USERNAME}."
            )
        )
        plan_demo.print_logins(self.stdout.write)
