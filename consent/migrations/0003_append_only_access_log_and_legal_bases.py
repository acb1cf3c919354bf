"""The access log refuses UPDATE and DELETE on PostgreSQL; the seeded legal bases."""

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


def seed_legal_bases(apps, schema_editor):
    from consent.legal_bases import SEEDED

    LegalBasis = apps.get_model("consent", "LegalBasis")
    LegalBasisFlow = apps.get_model("consent", "LegalBasisFlow")
    for entry in SEEDED:
        fields = {k: v for k, v in entry.items() if k not in {"code", "flows"}}
        basis, _ = LegalBasis.objects.update_or_create(code=entry["code"], defaults=fields)
        for from_kind, to_kind, category in entry["flows"]:
            LegalBasisFlow.objects.get_or_create(
                basis=basis, from_kind=from_kind, to_kind=to_kind, category=category
            )


class Migration(migrations.Migration):
    dependencies = [("consent", "0002_sharing")]

    operations = [
        migrations.RunPython(make_append_only, drop_append_only),
        migrations.RunPython(seed_legal_bases, migrations.RunPython.noop),
    ]
