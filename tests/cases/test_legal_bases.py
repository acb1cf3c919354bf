"""Samordna's seeded legal bases, seeded by a cases migration into consent's tables."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps

from cases.legal_bases import SEEDED
from consent.models import LegalBasis, LegalBasisFlow

seed_migration = importlib.import_module("cases.migrations.0009_seed_legal_bases")
disclose_migration = importlib.import_module("cases.migrations.0013_legal_bases_disclose")


def stored_flows(code: str) -> set[tuple[str, str, str]]:
    return set(
        LegalBasisFlow.objects.filter(basis=code).values_list("from_kind", "to_kind", "category")
    )


def test_every_seeded_legal_basis_is_stored_with_its_flows(db: Any) -> None:
    stored = {basis.code: basis for basis in LegalBasis.objects.all()}

    for entry in SEEDED:
        basis = stored[str(entry["code"])]
        assert (basis.name, basis.law_and_section, basis.source_url, basis.is_active) == (
            entry["name"],
            entry["law_and_section"],
            entry["source_url"],
            True,
        )
        assert stored_flows(basis.code) == set(entry["flows"])


def test_seeding_again_makes_a_missing_basis_and_leaves_existing_ones_as_they_are(
    db: Any,
) -> None:
    LegalBasis.objects.filter(code="hpl-33").update(is_active=False, description="Endret")
    LegalBasisFlow.objects.filter(basis="hpl-33", category="FAMILY_AND_ECONOMY").delete()
    LegalBasis.objects.filter(code="oppl-9-4").delete()

    seed_migration.seed_legal_bases(apps, None)

    changed = LegalBasis.objects.get(code="hpl-33")
    assert (changed.is_active, changed.description) == (False, "Endret")
    assert stored_flows("hpl-33") == {
        ("HEALTH", "CHILD_WELFARE", "GENERAL"),
        ("HEALTH", "CHILD_WELFARE", "HEALTH"),
    }
    assert LegalBasis.objects.get(code="oppl-9-4").is_active
    assert stored_flows("oppl-9-4") == {("SCHOOL", "OT", "EDUCATION")}


def test_bvl_13_2_and_hpl_33_apply_to_children_under_18_and_stay_off_min_side(db: Any) -> None:
    stored = {b.code: (b.subject_under_age, b.shown_on_own_page) for b in LegalBasis.objects.all()}

    assert stored == {
        "bvl-13-2": (18, False),
        "hpl-33": (18, False),
        "oppl-9-4": (None, True),
    }


def test_oppl_9_4_lets_the_school_disclose_education_to_ot_only(db: Any) -> None:
    assert stored_flows("oppl-9-4") == {("SCHOOL", "OT", "EDUCATION")}


def test_the_migration_turns_standing_flows_into_disclosure_routes(db: Any) -> None:
    """A basis stored with the old reading flows (child welfare reading NAV) is brought to the
    rules of ``cases.legal_bases``."""
    LegalBasis.objects.filter(code="bvl-13-2").update(
        subject_under_age=None, shown_on_own_page=True
    )
    LegalBasisFlow.objects.filter(basis="oppl-9-4").delete()
    LegalBasisFlow.objects.create(
        basis_id="oppl-9-4", from_kind="SCHOOL", to_kind="OT", category="HEALTH"
    )

    disclose_migration.disclose_only(apps, None)

    bvl = LegalBasis.objects.get(code="bvl-13-2")
    assert (bvl.subject_under_age, bvl.shown_on_own_page) == (18, False)
    assert stored_flows("oppl-9-4") == {("SCHOOL", "OT", "EDUCATION")}
