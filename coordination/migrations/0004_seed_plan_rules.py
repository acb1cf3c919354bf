"""Seed the plan rules (IP-MEASURE, IP-COORDINATOR) and the new text of IP-REVIEW."""

from django.db import migrations


def seed(apps, schema_editor):
    from coordination.deadlines.seeded import seeded_rules

    DeadlineRule = apps.get_model("coordination", "DeadlineRule")
    for rule in seeded_rules():
        if rule["code"] not in ("IP-REVIEW", "IP-MEASURE", "IP-COORDINATOR"):
            continue
        fields = {k: v for k, v in rule.items() if k not in ("code", "enabled")}
        DeadlineRule.objects.update_or_create(code=rule["code"], defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("coordination", "0003_plans")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
