"""Sent rows give their claim token up, so the claims' index needs no status condition (a
prepared statement's generic plan cannot match a parameter to one)."""

from typing import Any

from django.db import migrations, models


def release_tokens_of_finished_rows(apps: Any, schema_editor: Any) -> None:
    Reminder = apps.get_model("coordination", "Reminder")
    Reminder.objects.filter(claim_token__isnull=False).exclude(status="PENDING").update(
        claim_token=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0004_seed_plan_rules"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="reminder", name="reminder_by_claim"),
        migrations.RunPython(release_tokens_of_finished_rows, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(
                condition=models.Q(("claim_token__isnull", False)),
                fields=["claim_token"],
                name="reminder_by_claim",
            ),
        ),
    ]
