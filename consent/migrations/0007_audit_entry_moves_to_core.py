"""The audit trail moves to ``core`` with its rows: removed from this app's state only.

The table stays; ``core``'s first migration takes it over and renames it, after every migration
here that touched it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("consent", "0006_legal_basis_source_url_as_uri")]
    run_before = [("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
        ),
    ]
