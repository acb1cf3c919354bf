"""The ANSWER-BY rule: a message that needs an answer by a day is a deadline (a message is a
deadline's subject)."""

from django.db import migrations, models


def seed(apps, schema_editor):
    from coordination.deadlines.seeded import seeded_rules

    DeadlineRule = apps.get_model("coordination", "DeadlineRule")
    for rule in seeded_rules():
        if rule["code"] != "ANSWER-BY":
            continue
        fields = {k: v for k, v in rule.items() if k not in ("code", "enabled")}
        DeadlineRule.objects.update_or_create(code=rule["code"], defaults=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0009_notices"),
    ]

    operations = [
        migrations.AlterField(
            model_name="deadline",
            name="subject_type",
            field=models.CharField(
                choices=[
                    ("decision", "§ 14 a-vedtak"),
                    ("period", "oppfølgingsperiode"),
                    ("activity", "aktivitet"),
                    ("referral", "henvisning"),
                    ("consent", "samtykke"),
                    ("plan", "plan"),
                    ("review", "evaluering av plan"),
                    ("measure", "tiltak i plan"),
                    ("participant", "deltaker i plan"),
                    ("child_coordinator", "barnekoordinator"),
                    ("message", "melding"),
                ],
                max_length=20,
                verbose_name="gjelder",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
