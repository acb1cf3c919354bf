"""Seed Samordna's legal bases (``cases/legal_bases.py``) into consent's tables.

Each seeded basis that does not exist yet is made with its flows; one that exists (seeded before,
when consent's own migration 0003 seeded them) is left exactly as it is, with whatever an admin
changed on it.
"""

from django.db import migrations


def seed_legal_bases(apps, schema_editor):
    from cases.legal_bases import SEEDED

    LegalBasis = apps.get_model("consent", "LegalBasis")
    LegalBasisFlow = apps.get_model("consent", "LegalBasisFlow")
    for entry in SEEDED:
        if LegalBasis.objects.filter(code=entry["code"]).exists():
            continue
        # Only the fields the table has at this point (later migrations add the rest).
        known = {field.name for field in LegalBasis._meta.get_fields()}
        fields = {k: v for k, v in entry.items() if k in known and k not in {"code", "flows"}}
        basis = LegalBasis.objects.create(code=entry["code"], **fields)
        LegalBasisFlow.objects.bulk_create(
            LegalBasisFlow(basis=basis, from_kind=from_kind, to_kind=to_kind, category=category)
            for from_kind, to_kind, category in entry["flows"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_period_index_in_name_order"),
        ("consent", "0007_audit_entry_moves_to_core"),
    ]

    operations = [migrations.RunPython(seed_legal_bases, migrations.RunPython.noop)]
