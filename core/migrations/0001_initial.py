"""The audit trail, taken over with its rows from ``consent``, which held it before.

``consent``'s migrations made the table (``consent_auditentry``); its migration 0007, which runs
before this one, removed the model from its state. This migration adds the model to the state on
that table, then renames the table and its indexes. A fresh database ends the same way.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.AUDIT_SUBJECT_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='tidspunkt')),
                        ('action', models.CharField(max_length=100, verbose_name='handling')),
                        ('target_type', models.CharField(blank=True, max_length=100, verbose_name='objekttype')),
                        ('target_id', models.CharField(blank=True, max_length=64, verbose_name='objekt-id')),
                        ('data', models.JSONField(blank=True, default=dict, verbose_name='data')),
                        ('actor', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='utført av')),
                        ('subject', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUDIT_SUBJECT_MODEL, verbose_name='gjelder')),
                    ],
                    options={
                        'verbose_name': 'revisjonslogg',
                        'verbose_name_plural': 'revisjonslogg',
                        'ordering': ['-at', '-id'],
                        'db_table': 'consent_auditentry',
                        'indexes': [models.Index(fields=['subject', '-at'], name='consent_audit_subject_at'), models.Index(fields=['actor', '-at'], name='consent_audit_actor_at')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='auditentry', table=None),
        migrations.RenameIndex(model_name='auditentry', new_name='core_audit_subject_at', old_name='consent_audit_subject_at'),
        migrations.RenameIndex(model_name='auditentry', new_name='core_audit_actor_at', old_name='consent_audit_actor_at'),
    ]
