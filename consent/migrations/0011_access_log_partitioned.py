"""The access log partitioned by month of ``at`` (UTC) on PostgreSQL, and the record of the
months dropped past the retention period (``consent/partitions.py``).

The rows move into the new table as they are, ids and all, and ids go on from the same number.
The primary key becomes (id, at), as PostgreSQL requires of a partitioned table's unique keys;
ids still come from one sequence, so they stay unique. The three (…, -at) indexes and the
triggers of migrations 0003 (no UPDATE or DELETE) and 0010 (no TRUNCATE) are made again on the
partitioned table: the row triggers reach every partition by themselves, the TRUNCATE trigger
is made on each partition as it is made (``consent_access_log_add_month``).

Partitions are made for every month from the first that holds a row to three months ahead
(or to the last that holds a row, if later: a clock that ran ahead); the beat task
``access_log_partitions`` keeps making the months ahead. There is no DEFAULT partition: a row
for a month without a partition is refused (the write fails, and the read it records with it),
never parked where the next month's ``CREATE TABLE … PARTITION OF`` would have to scan it, and
fail, under a lock on the whole log.

On SQLite (the embedded default) the log stays a plain table.
"""

import django.utils.timezone
from django.db import migrations, models

ADD_MONTH = """
CREATE OR REPLACE FUNCTION consent_access_log_add_month(month date) RETURNS boolean AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    name text := 'consent_accesslogentry_p' || to_char(first, 'YYYY_MM');
BEGIN
    -- Two callers at once: the second waits, then finds the month made.
    PERFORM pg_advisory_xact_lock(hashtext('consent_accesslogentry partitions'));
    IF to_regclass(name) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format(
        'CREATE TABLE %I PARTITION OF consent_accesslogentry FOR VALUES FROM (%L) TO (%L)',
        name, first::text || ' 00:00:00+00', (first + interval '1 month')::date::text || ' 00:00:00+00'
    );
    -- Statement triggers are not cloned to partitions: each refuses TRUNCATE by itself.
    EXECUTE format(
        'CREATE TRIGGER consent_access_log_no_truncate BEFORE TRUNCATE ON %I'
        ' FOR EACH STATEMENT EXECUTE FUNCTION consent_append_only()',
        name
    );
    RETURN true;
END;
$$ LANGUAGE plpgsql;
"""

PARTITION = """
LOCK TABLE consent_accesslogentry IN ACCESS EXCLUSIVE MODE;
ALTER TABLE consent_accesslogentry RENAME TO consent_accesslogentry_plain;
CREATE TABLE consent_accesslogentry (LIKE consent_accesslogentry_plain INCLUDING DEFAULTS)
    PARTITION BY RANGE (at);
DO $$
DECLARE
    next_id bigint := nextval(pg_get_serial_sequence('consent_accesslogentry_plain', 'id'));
    month date;
    last date := greatest(
        date_trunc('month', now() AT TIME ZONE 'UTC')::date + interval '3 months',
        (SELECT date_trunc('month', max(at) AT TIME ZONE 'UTC')::date
         FROM consent_accesslogentry_plain)
    );
BEGIN
    IF (SELECT is_identity FROM information_schema.columns WHERE table_schema = current_schema()
        AND table_name = 'consent_accesslogentry_plain' AND column_name = 'id') = 'YES' THEN
        ALTER TABLE consent_accesslogentry_plain ALTER COLUMN id DROP IDENTITY;
    ELSE
        ALTER TABLE consent_accesslogentry_plain ALTER COLUMN id DROP DEFAULT;
        DROP SEQUENCE IF EXISTS consent_accesslogentry_id_seq;
    END IF;
    CREATE SEQUENCE consent_accesslogentry_id_seq OWNED BY consent_accesslogentry.id;
    PERFORM setval('consent_accesslogentry_id_seq', next_id, false);
    ALTER TABLE consent_accesslogentry
        ALTER COLUMN id SET DEFAULT nextval('consent_accesslogentry_id_seq');
    month := least(
        coalesce(
            (SELECT date_trunc('month', min(at) AT TIME ZONE 'UTC')::date
             FROM consent_accesslogentry_plain),
            last
        ),
        date_trunc('month', now() AT TIME ZONE 'UTC')::date
    );
    WHILE month <= last LOOP
        PERFORM consent_access_log_add_month(month);
        month := month + interval '1 month';
    END LOOP;
END $$;
INSERT INTO consent_accesslogentry SELECT * FROM consent_accesslogentry_plain;
DROP TABLE consent_accesslogentry_plain;
ALTER TABLE consent_accesslogentry ADD CONSTRAINT consent_accesslogentry_pkey PRIMARY KEY (id, at);
CREATE INDEX consent_access_subject_at ON consent_accesslogentry (subject_id, at DESC);
CREATE INDEX consent_access_party_at ON consent_accesslogentry (party_id, at DESC);
CREATE INDEX consent_access_actor_at ON consent_accesslogentry (actor_id, at DESC);
CREATE TRIGGER consent_access_log_append_only
    BEFORE UPDATE OR DELETE ON consent_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION consent_access_log_append_only();
CREATE TRIGGER consent_access_log_no_truncate
    BEFORE TRUNCATE ON consent_accesslogentry
    FOR EACH STATEMENT EXECUTE FUNCTION consent_append_only();
"""

# Back to one plain table (ids and rows kept; dropped months stay dropped).
UNPARTITION = """
LOCK TABLE consent_accesslogentry IN ACCESS EXCLUSIVE MODE;
ALTER TABLE consent_accesslogentry RENAME TO consent_accesslogentry_partitioned;
ALTER TABLE consent_accesslogentry_partitioned RENAME CONSTRAINT consent_accesslogentry_pkey
    TO consent_accesslogentry_partitioned_pkey;
ALTER INDEX consent_access_subject_at RENAME TO consent_access_subject_at_partitioned;
ALTER INDEX consent_access_party_at RENAME TO consent_access_party_at_partitioned;
ALTER INDEX consent_access_actor_at RENAME TO consent_access_actor_at_partitioned;
CREATE TABLE consent_accesslogentry
    (LIKE consent_accesslogentry_partitioned INCLUDING DEFAULTS);
ALTER TABLE consent_accesslogentry ALTER COLUMN id DROP DEFAULT;
INSERT INTO consent_accesslogentry SELECT * FROM consent_accesslogentry_partitioned;
DO $$
DECLARE
    next_id bigint := nextval('consent_accesslogentry_id_seq');
BEGIN
    DROP TABLE consent_accesslogentry_partitioned;
    ALTER TABLE consent_accesslogentry ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
    PERFORM setval(pg_get_serial_sequence('consent_accesslogentry', 'id'), next_id, false);
END $$;
ALTER TABLE consent_accesslogentry ADD CONSTRAINT consent_accesslogentry_pkey PRIMARY KEY (id);
CREATE INDEX consent_access_subject_at ON consent_accesslogentry (subject_id, at DESC);
CREATE INDEX consent_access_party_at ON consent_accesslogentry (party_id, at DESC);
CREATE INDEX consent_access_actor_at ON consent_accesslogentry (actor_id, at DESC);
CREATE TRIGGER consent_access_log_append_only
    BEFORE UPDATE OR DELETE ON consent_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION consent_access_log_append_only();
CREATE TRIGGER consent_access_log_no_truncate
    BEFORE TRUNCATE ON consent_accesslogentry
    FOR EACH STATEMENT EXECUTE FUNCTION consent_append_only();
DROP FUNCTION consent_access_log_add_month(date);
"""

# The record of dropped months is insert-only; a link of the chain may be deleted only behind
# the latest recorded drop's boundary (the drop deletes them with the months' rows).
GUARDS = """
CREATE TRIGGER consent_access_log_drop_append_only
    BEFORE UPDATE OR DELETE ON consent_accesslogdrop
    FOR EACH ROW EXECUTE FUNCTION consent_append_only();
CREATE TRIGGER consent_access_log_drop_no_truncate
    BEFORE TRUNCATE ON consent_accesslogdrop
    FOR EACH STATEMENT EXECUTE FUNCTION consent_append_only();
CREATE OR REPLACE FUNCTION consent_access_log_seal_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.entry_id < (
        SELECT max(boundary_id) FROM consent_accesslogdrop
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER consent_access_log_seal_append_only ON consent_accesslogseal;
CREATE TRIGGER consent_access_log_seal_append_only
    BEFORE UPDATE OR DELETE ON consent_accesslogseal
    FOR EACH ROW EXECUTE FUNCTION consent_access_log_seal_guard();
"""
UNGUARD = """
DROP TRIGGER consent_access_log_seal_append_only ON consent_accesslogseal;
CREATE TRIGGER consent_access_log_seal_append_only
    BEFORE UPDATE OR DELETE ON consent_accesslogseal
    FOR EACH ROW EXECUTE FUNCTION consent_append_only();
DROP FUNCTION consent_access_log_seal_guard();
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD_MONTH, params=None)
        schema_editor.execute(PARTITION, params=None)
        schema_editor.execute(GUARDS, params=None)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD, params=None)
        schema_editor.execute(UNPARTITION, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("consent", "0010_access_log_chain"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccessLogDrop",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(unique=True, verbose_name="måned")),
                ("rows", models.PositiveBigIntegerField(verbose_name="rader")),
                ("boundary_id", models.BigIntegerField(null=True, verbose_name="siste lenke før de beholdte radene")),
                ("boundary_hash", models.BinaryField(max_length=32, null=True, verbose_name="hash ved grensen")),
                ("stragglers", models.JSONField(default=list, verbose_name="lenker etter grensen")),
                ("kept_from", models.DateTimeField(verbose_name="oppbevares fra")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="slettet")),
            ],
            options={
                "verbose_name": "slettet måned av innsynsloggen",
                "verbose_name_plural": "slettede måneder av innsynsloggen",
                "ordering": ["month"],
            },
        ),
        migrations.RunPython(partition, unpartition),
    ]
