"""Seed the deadline rules."""

from django.db import migrations


def seed(apps, schema_editor):
    from coordination.deadlines.seeded import seeded_rules

    DeadlineRule = apps.get_model("coordination", "DeadlineRule")
    for rule in seeded_rules():
        fields = {k: v for k, v in rule.items() if k != "code"}
        DeadlineRule.objects.update_or_create(code=rule["code"], defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_deadlines_reminders")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
