"""manage.py verify_access_log: walk the access log's hash chain and report the first broken link.

Exit status: 0 the chain holds, 1 it does not (every problem is printed, the first broken link
first), 2 the arguments are wrong. Seals first, so the check covers every row written up to a
minute or so ago; ``--no-seal`` checks only what is sealed (a read-only copy, a restored dump).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent import chain

SHOWN = 50  # problems printed; the count says how many there are


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


class Command(BaseCommand):
    help = (
        "Kontroller innsynsloggens hash-kjede og dagssummene. "
        "Verify the access log's hash chain and its daily digests."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            type=_day,
            metavar="YYYY-MM-DD",
            help="start at the digest of the day before (default: the chain's first link)",
        )
        parser.add_argument(
            "--digest",
            action="append",
            default=[],
            metavar="DAY:ROW:HASH",
            help="a digest as e-mailed to the privacy officers (repeatable)",
        )
        parser.add_argument(
            "--no-seal", action="store_true", help="check only the rows sealed already"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        given = []
        for text in options["digest"]:
            try:
                given.append(chain.GivenDigest.parse(text))
            except ValueError:
                raise CommandError(
                    f"Ugyldig dagssum «{text}»: skriv den som i e-posten, DAG:RAD:HASH. "
                    f"Invalid digest {text!r}: give it as the e-mail does, DAY:ROW:HASH.",
                    returncode=2,
                ) from None
        report = chain.verify(
            since=options["since"], given=given, seal_first=not options["no_seal"]
        )
        rows = f"{report.first_id}–{report.last_id}" if report.links else "–"
        self.stdout.write(
            f"Kontrollerte {report.links} lenker (rad {rows}) og {report.digests} dagssummer; "
            f"{report.pending} rader venter på forsegling.\n"
            f"Checked {report.links} links (rows {rows}) from {report.anchor} and "
            f"{report.digests} digests; {report.pending} rows wait to be sealed."
        )
        if report.intact:
            self.stdout.write(self.style.SUCCESS("Kjeden holder. / The chain holds."))
            return
        for n, problem in enumerate(report.problems[:SHOWN]):
            self.stdout.write(("first broken link: " if n == 0 else "") + str(problem))
        raise CommandError(
            f"Kjeden er brutt: {len(report.problems)} funn, det første ved rad "
            f"{report.problems[0].entry_id}. The chain is broken: {len(report.problems)} "
            f"problem(s), the first at row {report.problems[0].entry_id}.",
            returncode=1,
        )
