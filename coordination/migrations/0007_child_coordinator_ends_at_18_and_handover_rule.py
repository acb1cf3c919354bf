"""The child coordinator's end (at 18 or decided) and the CHILD-COORDINATOR-18 rule; the
UG-2023 rule's text says when the youth enters the guarantee and what meets it."""

from django.db import migrations, models


def seed(apps, schema_editor):
    from coordination.deadlines.seeded import seeded_rules

    DeadlineRule = apps.get_model("coordination", "DeadlineRule")
    for rule in seeded_rules():
        if rule["code"] not in ("UG-2023", "CHILD-COORDINATOR-18"):
            continue
        fields = {k: v for k, v in rule.items() if k not in ("code", "enabled")}
        DeadlineRule.objects.update_or_create(code=rule["code"], defaults=fields)


def ended_before_were_decided(apps, schema_editor):
    ChildCoordinator = apps.get_model("coordination", "ChildCoordinator")
    ChildCoordinator.objects.filter(ended_at__isnull=False, end_reason="").update(
        end_reason="DECIDED"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0006_source_url_as_uri"),
    ]

    operations = [
        migrations.AddField(
            model_name="childcoordinator",
            name="end_reason",
            field=models.CharField(
                blank=True,
                choices=[("DECIDED", "Avsluttet av kommunen"), ("AGE_18", "Barnet fylte 18 år")],
                max_length=10,
                verbose_name="hvorfor avsluttet",
            ),
        ),
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
                ],
                max_length=20,
                verbose_name="gjelder",
            ),
        ),
        migrations.RunPython(ended_before_were_decided, migrations.RunPython.noop),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
