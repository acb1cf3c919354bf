"""Bring the seeded legal bases to what the law says: routes for disclosures, not reading.

Before, their flows let the recipient read the holder's items at any age. Each seeded basis now
gets the description, age limit, *Min side* rule and flows of ``cases/legal_bases.py``: the flows
only say what the holder may disclose to whom. A basis an admin added is left as it is (it opens
no reading any more either). Backwards, the fields stay and the flows are left as they are.
"""

from django.db import migrations


def disclose_only(apps, schema_editor):
    from cases.legal_bases import SEEDED

    LegalBasis = apps.get_model("consent", "LegalBasis")
    LegalBasisFlow = apps.get_model("consent", "LegalBasisFlow")
    for entry in SEEDED:
        fields = {k: v for k, v in entry.items() if k not in {"code", "flows"}}
        basis, _created = LegalBasis.objects.update_or_create(code=entry["code"], defaults=fields)
        LegalBasisFlow.objects.filter(basis=basis).delete()
        LegalBasisFlow.objects.bulk_create(
            LegalBasisFlow(basis=basis, from_kind=from_kind, to_kind=to_kind, category=category)
            for from_kind, to_kind, category in entry["flows"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_health_objections"),
        ("consent", "0009_disclosures"),
    ]

    operations = [migrations.RunPython(disclose_only, migrations.RunPython.noop)]
