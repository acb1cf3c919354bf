"""The youth's copy of everything held about them (GDPR art. 15): every model that holds youth
data is in it, a guardian gets what *Min side* shows them and nothing more, what the law keeps
from the family is in no copy, and the PDF is a readable document made without the network."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any
from zoneinfo import ZoneInfo

import pypdf
import pytest
from django.apps import apps
from django.db.models import Model, Q
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from cases import services
from cases.models import Youth
from consent.categories import Category
from consent.models import AccessLogEntry, Disclosure
from coordination.export.copy import as_json, as_pdf, file_name, youth_copy
from coordination.export.pdf import NoFetching
from coordination.export.sections import LEFT_OUT, SECTIONS
from core.models import AuditEntry
from tests import factories
from tests.coordination.export_helpers import minor_with_everything
from tests.processes import printed_by

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")


def youth_paths(model: type[Model], seen: tuple[type[Model], ...] = ()) -> list[str]:
    """Every chain of foreign keys (and one-to-ones) from ``model`` to ``cases.Youth``."""
    if model is Youth:
        return ["pk"]
    paths = []
    for f in model._meta.get_fields():
        if not (f.is_relation and f.concrete and (f.many_to_one or f.one_to_one)):
            continue
        target = f.related_model
        if target is Youth:
            paths.append(f.name)
        elif isinstance(target, type) and target not in (*seen, model):
            paths += [f"{f.name}__{rest}" for rest in youth_paths(target, (*seen, model))]
    return paths


def holding_youth_data() -> dict[str, list[str]]:
    return {m._meta.label: paths for m in apps.get_models() if (paths := youth_paths(m))}


def rows_about(label: str, youth: Youth) -> set[str]:
    model = apps.get_model(label)
    about = Q()
    for path in youth_paths(model):
        about |= Q(**{path: youth.pk})
    return {str(pk) for pk in model.objects.filter(about).values_list("pk", flat=True)}


def sections_of(copy: Any) -> dict[str, list[dict[str, Any]]]:
    return json.loads(as_json(copy))["sections"]


def ids(rows: list[dict[str, Any]]) -> set[str]:
    return {str(row["id"]) for row in rows}


def test_every_model_holding_youth_data_is_in_the_copy_or_left_out_with_a_reason(
    people: Any,
) -> None:
    held = minor_with_everything(people)
    factories.register_youth(people.nav_advisor, people.nav, first_name="Per")  # someone else
    copy = sections_of(youth_copy(youth=held.youth, produced_by="Sara Berg"))

    holding = holding_youth_data()
    covered = {label for section in SECTIONS for label in section.models}
    assert set(holding) - covered - set(LEFT_OUT) == set(), "a model holds youth data no copy has"
    assert set(LEFT_OUT) <= set(holding) and not covered & set(LEFT_OUT)
    for section in SECTIONS:
        for label in section.models:
            held_rows = rows_about(label, held.youth)
            assert held_rows, f"the test's youth has no {label}: add one to the fixture"
            assert ids(copy[section.key]) == held_rows, (section.key, label)


def test_the_youths_copy_has_deleted_entries_without_their_text_and_corrections_linked(
    people: Any,
) -> None:
    held = minor_with_everything(people)
    entries = {
        row["id"]: row
        for row in sections_of(youth_copy(youth=held.youth, produced_by="x"))["entries"]
    }

    deleted = entries[str(held.deleted.pk)]
    assert deleted["text"] is None
    assert deleted["deletion_reason"] == "Skrevet på feil ungdom" and deleted["deleted_by"]
    assert entries[str(held.correction.pk)]["corrects"] == str(held.nav_entry.pk)
    assert entries[str(held.nav_entry.pk)]["text"] == "Snakket om arbeidstrening"
    audit = sections_of(youth_copy(youth=held.youth, produced_by="x"))["audit"]
    assert not [a for a in audit if "Notat om en annen person" in json.dumps(a, ensure_ascii=False)]


def test_the_youths_copy_has_their_identity_number_and_refused_looks(people: Any) -> None:
    held = minor_with_everything(people)
    copy = sections_of(youth_copy(youth=held.youth, produced_by="x"))

    assert copy["youth"][0]["national_id"] == held.youth.national_id
    log = copy["access_log"]
    assert {row["granted"] for row in log} == {True, False}
    assert all({"who", "role", "purpose", "bases", "service"} <= set(row) for row in log)


def test_a_guardian_of_a_16_year_old_gets_no_health_matters(people: Any) -> None:
    held = minor_with_everything(people, age=16)
    youth_sections = sections_of(youth_copy(youth=held.youth, produced_by="x"))
    copy = youth_copy(youth=held.youth, produced_by="Kari Berg", account=held.parent)
    sections = sections_of(copy)

    assert str(held.health_entry.pk) in ids(youth_sections["entries"])
    assert str(held.health_entry.pk) not in ids(sections["entries"])
    assert str(held.nav_entry.pk) in ids(sections["entries"])
    assert "Helsestasjon for ungdom Skien" not in json.dumps(sections, ensure_ascii=False)
    assert "Helsestasjon for ungdom Skien" in json.dumps(youth_sections, ensure_ascii=False)
    assert all(Category.HEALTH not in row["categories"] for row in sections["access_log"])
    assert sections["child_coordinators"] == []  # the right rests on the child's health
    assert "national_id" not in sections["youth"][0]
    assert "audit" not in sections and "health_objections" not in sections
    assert json.loads(as_json(copy))["about"]["reader"] == "guardian"


@pytest.mark.parametrize(("objects", "sees_health"), [(True, False), (False, True)])
def test_a_guardian_of_a_15_year_old_sees_health_unless_the_youth_objects(
    people: Any, objects: bool, sees_health: bool
) -> None:
    held = minor_with_everything(people, age=15)
    if not objects:
        services.health_objection_withdraw(
            actor=people.health_nurse, youth=held.youth, service=people.health
        )
    sections = sections_of(youth_copy(youth=held.youth, produced_by="x", account=held.parent))

    assert (str(held.health_entry.pk) in ids(sections["entries"])) is sees_health
    assert "health_objections" not in sections  # whether the youth objects is not theirs


def test_a_report_to_child_welfare_is_in_no_copy(people: Any) -> None:
    held = minor_with_everything(people)
    report = services.disclosure_make(
        actor=people.school_counsellor,
        youth=held.youth,
        from_service=people.school,
        to_service=people.child_welfare,
        basis="bvl-13-2",
        reason="Eleven forteller om vold hjemme.",
        report="Bekymringsmelding",
        entry_ids=[held.school_entry.pk],
    )
    assert AccessLogEntry.objects.filter(
        subject=held.youth, bases__contains=["legal:bvl-13-2"]
    ).exists()

    for account in (None, held.parent):
        copy = youth_copy(youth=held.youth, produced_by="x", account=account)
        text = json.dumps(sections_of(copy), ensure_ascii=False)
        assert str(report.pk) not in text
        assert "Bekymringsmelding" not in text and "bvl-13-2" not in text
        assert Disclosure.objects.filter(subject=held.youth).count() == 2
        assert len(sections_of(copy)["disclosures"]) == 1  # the one on opplæringslova § 9-4
    audit = AuditEntry.objects.filter(action="disclosure.made", target_id=str(report.pk))
    assert audit.exists()


def test_a_guardian_of_a_youth_with_a_protected_identity_learns_nothing_of_where(
    people: Any,
) -> None:
    held = minor_with_everything(people)
    Youth.objects.filter(pk=held.youth.pk).update(address_protection="FORTROLIG")
    held.youth.refresh_from_db()
    held.parent.refresh_from_db()
    copy = youth_copy(youth=held.youth, produced_by="x", account=held.parent)
    sections = sections_of(copy)

    for key in (
        "periods",
        "entries",
        "referrals",
        "handovers",
        "plans",
        "activity_plans",
        "deadlines",
    ):
        assert sections[key] == [], key
    assert {row["who"] for row in sections["access_log"]} == {""}
    assert {row["service"] for row in sections["access_log"]} == {None}
    assert {(r["from_service"], r["to_service"]) for r in sections["consent_flows"]} == {
        (None, None)
    }
    assert "municipality_number" not in sections["youth"][0]
    text = json.dumps(sections, ensure_ascii=False)
    assert "NAV Skien" not in text and "OT Skien" not in text
    own = sections_of(youth_copy(youth=held.youth, produced_by="x", account=held.own))
    assert own["periods"] and own["youth"][0]["municipality_number"] == "4003"


def test_the_copy_runs_the_same_queries_however_much_is_held(
    people: Any, count_queries: Any
) -> None:
    held = minor_with_everything(people)
    with count_queries() as small:
        youth_copy(youth=held.youth, produced_by="x")
    for n in range(20):
        services.entry_log(
            actor=people.nav_advisor,
            youth=held.youth,
            service=people.nav,
            occurred_on=held.nav_entry.occurred_on,
            kind="NOTE",
            text=f"Notat {n}",
        )
    more = minor_with_everything(people, name="Ida")
    with count_queries() as large:
        youth_copy(youth=held.youth, produced_by="x")
    with count_queries() as guardian:
        youth_copy(youth=more.youth, produced_by="x", account=more.parent)

    # One query per section (two for reviews with who attended and disclosures with their
    # items, three for consents with their flows and the guardians' answers), and the legal
    # bases twice: which are kept from the youth's page, and their laws by name.
    assert len(small) == len(large) == 39
    # A guardian's: no audit trail, no objections and no notice settings, and whether an
    # objection stands (15).
    assert len(guardian) == 39 - 3 + 1


def test_the_pdf_is_a_readable_document_of_the_copy(people: Any) -> None:
    held = minor_with_everything(people)
    copy = youth_copy(youth=held.youth, produced_by="Sara Berg")
    pdf = as_pdf(copy)

    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "Innsyn: alt Samordna har registrert om Sara Berg",
        "Oppfølgingslogg",
        "Snakket om arbeidstrening",
        "Hvem har sett opplysningene",
        "Skrevet på feil ungdom",
        "Hva som er oppnådd",
    ):
        assert expected in text, expected
    assert "Notat om en annen person" not in text
    assert file_name(copy, "pdf").startswith("samordna-innsyn-20")


def test_the_pdf_fetches_nothing_from_outside() -> None:
    for url in ("https://cdn.example.com/style.css", "file:///etc/passwd"):
        with pytest.raises(FatalURLFetchingError):
            HTML(
                string=f'<link rel="stylesheet" href="{url}"><p>x</p>', url_fetcher=NoFetching()
            ).write_pdf()


def test_weasyprint_is_imported_to_draw_a_pdf_not_with_the_urls() -> None:
    """Every web worker, the Celery worker (its digests reverse URLs) and the management
    commands load the URL configuration, which holds the copy's download: WeasyPrint (over a
    second and about 30 MB to import) comes in only when a PDF is drawn."""
    code = (
        "import sys, django; django.setup(); "
        "from django.urls import get_resolver; get_resolver().url_patterns; "
        "print('weasyprint' in sys.modules); "
        "from coordination.export import copy; copy.as_pdf; "
        "print('weasyprint' in sys.modules)"
    )
    assert printed_by(code) == ["False", "False"]


def test_the_pdf_reads_the_access_log_by_person_and_day_and_lists_by_month() -> None:
    from django.utils import translation

    from coordination.export.sections import _looks_for_people

    def look(who: str, day: int, hour: int, items: int) -> dict[str, Any]:
        return {
            "at": datetime.datetime(2026, 3, day, hour, 15, tzinfo=OSLO),
            "who": who,
            "role": "CASEWORKER",
            "service": "NAV Skien",
            "purpose": "timeline" if items else "caseload",
            "granted": True,
            "items": [{"type": "entry", "id": str(n)} for n in range(items)],
            "bases": ["own"] if items else ["general"],
        }

    rows = [
        look("Ingrid", 10, 11, 2),
        look("Ingrid", 10, 9, 1),
        look("Lars", 10, 9, 1),
        look("Ingrid", 9, 8, 0),
        look("Ingrid", 4, 8, 0),
        look("Ingrid", 4, 9, 0),
        look("Ingrid", 3, 8, 0),
    ]
    with translation.override("nb"):
        lines = _looks_for_people(rows)

    assert [(line["who"], line["at"]) for line in lines] == [
        ("Ingrid", "10.03.2026 09:15–11:15 (2 ganger)"),
        ("Lars", "10.03.2026 09:15"),
        ("Ingrid", "mars 2026: 3., 4., 9. (4 ganger)"),
    ]
    assert lines[0]["purpose"] == "timeline" and lines[0]["items"] == [{"type": "entry"}]
    assert lines[2]["bases"] == ["general"]
