"""Identity numbers encrypted at rest, with a keyed blind index (``cases.identity_crypto``).

Youths get the sealed number and its index (unique), guardians room for a number of their own;
every youth's number is sealed in batches, the clear value is emptied in the same UPDATE, and
the clear column is dropped. Going back opens the values into the clear column again (with the
keys that sealed them).
"""

from django.db import migrations, models

BATCH = 2000
# cases.models.registry.YOUTH_NATIONAL_ID: the sealed values are bound to this name.
YOUTH_NATIONAL_ID = "cases_youth.national_id"


def _batches(youths, fields):
    last = None
    while True:
        rows = youths.order_by("pk").only("pk", *fields)
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _update(schema_editor, model, assignments, rows):
    """One UPDATE per row, sent together (psycopg pipelines executemany)."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(column)} = %s" for column in assignments)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(model._meta.db_table)} SET {columns} WHERE {quote('id')} = %s",
            [
                (*values, model._meta.pk.get_db_prep_value(pk, connection))
                for pk, values in rows
            ],
        )


def seal_numbers(apps, schema_editor):
    from cases import identity_crypto

    youth = apps.get_model("cases", "Youth")
    youths = youth.objects.using(schema_editor.connection.alias)
    for batch in _batches(youths, ["national_id"]):
        rows = [
            (
                row.pk,
                (
                    identity_crypto.seal(row.national_id, column=YOUTH_NATIONAL_ID, row=row.pk),
                    identity_crypto.blind_index(row.national_id),
                    None,
                ),
            )
            for row in batch
        ]
        _update(
            schema_editor, youth, ["national_id_sealed", "national_id_index", "national_id"], rows
        )


def open_numbers(apps, schema_editor):
    from cases import identity_crypto

    youth = apps.get_model("cases", "Youth")
    youths = youth.objects.using(schema_editor.connection.alias)
    for batch in _batches(youths, ["national_id_sealed"]):
        rows = [
            (
                row.pk,
                (
                    identity_crypto.open_sealed(
                        row.national_id_sealed, column=YOUTH_NATIONAL_ID, row=row.pk
                    ),
                ),
            )
            for row in batch
        ]
        _update(schema_editor, youth, ["national_id"], rows)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0014_protected_identities'),
    ]

    operations = [
        migrations.AddField(
            model_name='youth',
            name='national_id_sealed',
            field=models.CharField(default='', editable=False, max_length=80, verbose_name='fødselsnummer / D-nummer, kryptert'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='youth',
            name='national_id_index',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='fødselsnummer / D-nummer, søkenøkkel'),
            preserve_default=False,
        ),
        # Nullable and no longer unique, so each row's clear value is emptied as it is sealed.
        migrations.AlterField(
            model_name='youth',
            name='national_id',
            field=models.CharField(max_length=11, null=True, verbose_name='fødselsnummer / D-nummer'),
        ),
        migrations.RunPython(seal_numbers, open_numbers),
        migrations.RemoveField(
            model_name='youth',
            name='national_id',
        ),
        migrations.AlterField(
            model_name='youth',
            name='national_id_index',
            field=models.CharField(editable=False, error_messages={'unique': 'En ungdom med dette identitetsnummeret er allerede registrert.'}, max_length=64, unique=True, verbose_name='fødselsnummer / D-nummer, søkenøkkel'),
        ),
        migrations.AddField(
            model_name='guardian',
            name='national_id_sealed',
            field=models.CharField(blank=True, default='', editable=False, max_length=80, verbose_name='fødselsnummer / D-nummer, kryptert'),
        ),
        migrations.AddField(
            model_name='guardian',
            name='national_id_index',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='fødselsnummer / D-nummer, søkenøkkel'),
        ),
        migrations.AddIndex(
            model_name='guardian',
            index=models.Index(condition=models.Q(('national_id_index', ''), _negated=True), fields=['national_id_index'], name='guardian_national_id'),
        ),
    ]
