"""Choice labels read once per language (``cases.labels``) say what ``get_FOO_display`` says."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from cases import labels
from cases.models import EntryKind, FollowUpEntry, Referral, ReferralState
from consent.models import Consent, Decision


def display(obj: Any, field_name: str) -> Any:
    return labels.display_value(type(obj), field_name, getattr(obj, field_name))


def test_a_label_is_the_display_of_the_value_in_the_active_language() -> None:
    entry = FollowUpEntry(kind=EntryKind.HOME_VISIT)
    referral = Referral(state=ReferralState.DECLINED)
    consent = Consent(decision=Decision.REFUSED)
    for language in ("nb", "en", "nb"):  # back again: the cache is per language
        with translation.override(language):
            assert display(entry, "kind") == entry.get_kind_display()
            assert display(referral, "state") == referral.get_state_display()
            assert display(consent, "decision") == consent.get_decision_display()
    with translation.override("nb"):
        assert display(entry, "kind") == "Hjemmebesøk"
    with translation.override("en"):
        assert display(entry, "kind") == "Home visit"


def test_a_value_outside_the_choices_shows_as_itself() -> None:
    assert display(FollowUpEntry(kind="UNKNOWN"), "kind") == "UNKNOWN"
