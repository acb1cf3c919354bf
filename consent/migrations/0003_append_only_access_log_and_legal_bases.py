"""The access log refuses UPDATE and DELETE on PostgreSQL.

Which legal bases exist is the project's own data, seeded by the project's migrations. (They were
seeded here once; the project's seed leaves the rows seeded here as they are.)
"""

from django.db import migrations

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION consent_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'consent_accesslogentry is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consent_access_log_append_only
    BEFORE UPDATE OR DELETE ON consent_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION consent_access_log_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS consent_access_log_append_only ON consent_accesslogentry;
DROP FUNCTION IF EXISTS consent_access_log_append_only();
"""


def make_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("consent", "0002_sharing")]

    operations = [
        migrations.RunPython(make_append_only, drop_append_only),
    ]
