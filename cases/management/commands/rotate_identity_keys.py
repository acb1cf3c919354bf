"""Move stored identity numbers to the current keys.

    python manage.py rotate_identity_keys [--batch-size 1000]

A number sealed under another key than the first of ``SAMORDNA_IDENTITY_KEYS`` is sealed anew
under it, and an index made under another key than the first of
``SAMORDNA_IDENTITY_INDEX_KEY`` is made anew (youths and guardians alike). Rows already under
both current keys are skipped, so the command can be stopped and run again. Each batch is one
transaction holding its rows locked. How keys are rotated: docs/identity-numbers.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q

from cases import identity_crypto
from cases.models import Guardian, Youth
from cases.models.registry import GUARDIAN_NATIONAL_ID, YOUTH_NATIONAL_ID

COLUMNS: list[tuple[type[models.Model], str]] = [
    (Youth, YOUTH_NATIONAL_ID),
    (Guardian, GUARDIAN_NATIONAL_ID),
]


@dataclass
class Rotated:
    moved: int = 0
    current: int = 0


def _store(model: type[models.Model], rows: list[tuple[Any, str, str]]) -> None:
    """Write (pk, sealed, index) rows: one UPDATE each, sent together (psycopg pipelines
    executemany), where the ORM's bulk_update builds a CASE over the whole batch."""
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    # Only the model's own names, quoted, go into the statement; the values are parameters.
    update = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(  # noqa: S608
        quote(model._meta.db_table),
        quote("national_id_sealed"),
        quote("national_id_index"),
        quote(str(pk.column)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            update,
            [(sealed, index, pk.get_db_prep_value(key, connection)) for key, sealed, index in rows],
        )


def rotate(model: type[models.Model], column: str, *, batch_size: int) -> Rotated:
    """Seal and index ``model``'s numbers under the current keys, a batch at a time (keyset by
    primary key). A pass over the whole table by design: no index serves "not under key X"."""
    sealing, indexing = identity_crypto.current_key_ids()
    manager: Any = model._default_manager
    with_number = manager.exclude(national_id_sealed="")
    stale = ~Q(national_id_sealed__startswith=f"{sealing}:") | ~Q(
        national_id_index__startswith=f"{indexing}:"
    )
    result = Rotated(current=with_number.exclude(stale).count())
    fields = ["national_id_sealed", "national_id_index"]
    last = None
    while True:
        with transaction.atomic():
            rows = with_number.filter(stale).order_by("pk").only("pk", *fields)
            if last is not None:
                rows = rows.filter(pk__gt=last)
            batch = list(rows.select_for_update()[:batch_size])
            if not batch:
                return result
            moved = []
            for row in batch:
                sealed = row.national_id_sealed
                try:
                    number = identity_crypto.open_sealed(sealed, column=column, row=row.pk)
                except identity_crypto.SealedValueError as exc:
                    raise CommandError(f"{model._meta.label} {row.pk}: {exc}") from None
                if identity_crypto.key_id(sealed) != sealing:
                    sealed = identity_crypto.seal(number, column=column, row=row.pk)
                moved.append((row.pk, sealed, identity_crypto.blind_index(number)))
            try:
                with transaction.atomic():
                    _store(model, moved)
            except IntegrityError:
                raise CommandError(
                    f"{model._meta.label}: two rows hold the same identity number under different "
                    "index keys; merge them before moving the index (docs/identity-numbers.md)."
                ) from None
        result.moved += len(batch)
        last = batch[-1].pk


class Command(BaseCommand):
    help = (
        "Seal identity numbers under the current key and index them under the current index "
        "key, in batches; rows already current are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        sealing, indexing = identity_crypto.current_key_ids()
        self.stdout.write(f"Current keys: encryption {sealing!r}, index {indexing!r}.")
        for model, column in COLUMNS:
            result = rotate(model, column, batch_size=batch_size)
            self.stdout.write(
                f"{model._meta.label}: {result.moved} moved to the current keys, "
                f"{result.current} already under them."
            )
