"""API tokens stored as digests; DRF's tokens (kept in clear, never expiring) are dropped.

Every old token stops working: its holder gets a new one from ``POST /api/v1/auth/token/``.
"""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


def forget_drf_tokens(apps, schema_editor):
    """The content type of DRF's token model, and with it its permissions."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="authtoken").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('digest', models.CharField(max_length=64, unique=True, verbose_name='SHA-256 av nøkkelen')),
                ('prefix', models.CharField(max_length=8, verbose_name='nøkkelen begynner med')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='opprettet')),
                ('expires_at', models.DateTimeField(verbose_name='utløper')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='trukket tilbake')),
                ('revoked_reason', models.CharField(blank=True, max_length=40, verbose_name='hvorfor trukket tilbake')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL, verbose_name='bruker')),
            ],
            options={
                'verbose_name': 'API-nøkkel',
                'verbose_name_plural': 'API-nøkler',
                'ordering': ['-created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('created_at'))), name='api_token_expires_after_creation')],
            },
        ),
        # Written by rest_framework.authtoken, no longer installed: its keys were in clear.
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
        migrations.RunPython(forget_drf_tokens, migrations.RunPython.noop),
    ]
