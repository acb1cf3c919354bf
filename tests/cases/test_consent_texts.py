"""Consents in plain words: the templates per purpose, and one sentence per flow in the tense of
the consent's state, as the staff pages and *Min side* tell them."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from django.utils import translation

from cases import consent_texts
from cases.models import ServiceKind
from consent.categories import Category
from consent.models import Decision

NOW = datetime.datetime(2027, 1, 10, 12, 0, tzinfo=datetime.UTC)
OT = SimpleNamespace(name="OT Skien", kind=ServiceKind.OT)
NAV = SimpleNamespace(name="NAV Skien", kind=ServiceKind.NAV)


def _scope(source: Any, target: Any, category: str) -> SimpleNamespace:
    return SimpleNamespace(
        from_party=source, to_party=target, from_kind="", to_kind="", category=category
    )


def _consent(*scopes: Any, **state: Any) -> SimpleNamespace:
    fields = {
        "decision": Decision.GIVEN,
        "withdrawn_at": None,
        "valid_from": NOW - datetime.timedelta(days=5),
        "valid_until": None,
        **state,
    }
    return SimpleNamespace(scopes=SimpleNamespace(all=lambda: list(scopes)), **fields)


ONE_WAY = (
    _scope(OT, NAV, Category.GENERAL),
    _scope(OT, NAV, Category.EDUCATION),
    _scope(OT, NAV, Category.HEALTH),
)


def test_each_template_covers_named_categories_and_starts_both_texts() -> None:
    codes = [t.code for t in consent_texts.TEMPLATES]
    assert len(codes) == len(set(codes)) >= 4
    for chosen in consent_texts.TEMPLATES:
        assert chosen.categories and set(chosen.categories) <= set(Category.values)
        assert Category.GENERAL not in chosen.categories  # general travels with every flow
        assert set(chosen.kinds) <= set(ServiceKind.values)
        assert consent_texts.template(chosen.code) is chosen
        text = consent_texts.template_text(chosen)
        assert text.purpose == str(chosen.purpose)
        assert text.agreed_text.startswith(str(chosen.agreed_text))
        assert "trekke samtykket tilbake" in text.agreed_text
    assert consent_texts.template("finnes-ikke") is None
    assert consent_texts.template("") is None


def test_the_templates_are_plain_norwegian_and_translated() -> None:
    work = consent_texts.template("utdanning-arbeid")
    assert work is not None
    assert work.categories == (Category.EDUCATION, Category.WORK_AND_WELFARE)
    with translation.override("nb"):
        norwegian = consent_texts.template_text(work)
    with translation.override("en"):
        english = consent_texts.template_text(work)
        titles = [str(t.title) for t in consent_texts.TEMPLATES]
    assert "utdanning" in norwegian.agreed_text
    assert english.purpose != norwegian.purpose and "education" in english.agreed_text
    assert "Education and work (OT and NAV)" in titles


def test_a_consent_reads_one_sentence_per_direction_without_the_general_facts() -> None:
    back = _scope(NAV, OT, Category.WORK_AND_WELFARE)
    with translation.override("nb"):
        assert consent_texts.flow_sentences(_consent(*ONE_WAY), now=NOW) == [
            "OT Skien deler utdanning og helse med NAV Skien"
        ]
        assert consent_texts.flow_sentences(_consent(*ONE_WAY, back), now=NOW) == [
            "NAV Skien deler arbeid og velferd med OT Skien",
            "OT Skien deler utdanning og helse med NAV Skien",
        ]
        general = _consent(_scope(OT, NAV, Category.GENERAL))
        assert consent_texts.flow_sentences(general, now=NOW) == [
            "OT Skien deler generelle opplysninger med NAV Skien"
        ]


def test_the_sentence_takes_the_tense_of_the_consents_state() -> None:
    ended = datetime.datetime(2027, 1, 3, 10, 0, tzinfo=datetime.UTC)
    later = datetime.datetime(2027, 2, 1, 10, 0, tzinfo=datetime.UTC)
    cases = [
        ({"withdrawn_at": ended}, "OT Skien kunne dele utdanning og helse med NAV Skien til "),
        ({"valid_until": ended}, "OT Skien kunne dele utdanning og helse med NAV Skien til "),
        ({"valid_from": later}, "OT Skien deler utdanning og helse med NAV Skien fra "),
        ({"decision": Decision.REFUSED}, "OT Skien får ikke dele utdanning og helse med NAV"),
        ({"decision": Decision.PENDING}, "OT Skien deler utdanning og helse med NAV Skien når"),
    ]
    with translation.override("nb"):
        for state, start in cases:
            [sentence] = consent_texts.flow_sentences(_consent(*ONE_WAY, **state), now=NOW)
            assert sentence.startswith(start), (state, sentence)
        [withdrawn] = consent_texts.flow_sentences(_consent(*ONE_WAY, withdrawn_at=ended), now=NOW)
        assert withdrawn.endswith("til 3. januar 2027")
    with translation.override("en"):
        [english] = consent_texts.flow_sentences(_consent(*ONE_WAY), now=NOW)
        assert english == "OT Skien shares education and health with NAV Skien"


def test_services_by_kind_where_a_name_would_tell_where_the_youth_is() -> None:
    with translation.override("nb"):
        assert consent_texts.flow_sentences(_consent(*ONE_WAY), now=NOW, named=False) == [
            "Oppfølgingstjenesten deler utdanning og helse med NAV-kontor"
        ]
        assert consent_texts.withdrawal_sentences(_consent(*ONE_WAY)) == [
            "NAV Skien får ikke lenger se utdanning og helse fra OT Skien"
        ]
