"""The access log in the youth's words: what a look showed and on which basis, for *Min side*
and the youth's copy of everything held about them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

BASIS_WORDS = {
    "own": gettext_lazy("tjenesten følger deg opp selv"),
    "general": gettext_lazy("generelle opplysninger (hvem som følger deg opp)"),
    "referral": gettext_lazy("henvisning"),
    "access-request": gettext_lazy("innsynskravet ditt (personvernforordningen art. 15)"),
}


# The item types of the access log (``items[].type``), including those of a privacy officer's
# answer to a request for access, which shows every record.
ITEM_WORDS = {
    "entry": gettext_lazy("oppfølgingsnotat"),
    "referral": gettext_lazy("henvisning"),
    "period": gettext_lazy("oppfølgingsperiode"),
    "decision": gettext_lazy("vedtak"),
    "consent": gettext_lazy("samtykke"),
    "disclosure": gettext_lazy("utlevering"),
    "deadline": gettext_lazy("frist"),
    "activity-plan": gettext_lazy("aktivitetsplan"),
    "activity": gettext_lazy("aktivitet"),
    "plan": gettext_lazy("plan"),
    "plan-goal": gettext_lazy("mål i planen"),
    "plan-measure": gettext_lazy("tiltak i planen"),
    "plan-review": gettext_lazy("evaluering av planen"),
    "plan-version": gettext_lazy("planens historikk"),
    "youth": gettext_lazy("personopplysninger"),
    "guardian": gettext_lazy("foresatte"),
    "portal-account": gettext_lazy("innlogging på Min side"),
    "responsibility": gettext_lazy("kontaktperson"),
    "handover": gettext_lazy("stafett"),
    "activity-version": gettext_lazy("aktivitetenes historikk"),
    "plan-participant": gettext_lazy("deltaker i planen"),
    "plan-review-note": gettext_lazy("evaluering av et mål"),
    "plan-coordinator": gettext_lazy("koordinator for planen"),
    "child-coordinator": gettext_lazy("barnekoordinator"),
    "reminder": gettext_lazy("påminnelse om frist"),
    "consent-flow": gettext_lazy("hva et samtykke dekker"),
    "guardian-answer": gettext_lazy("foresattes svar"),
    "health-objection": gettext_lazy("innsigelse om helse"),
    "disclosed-item": gettext_lazy("utlevert opplysning"),
    "access-log": gettext_lazy("innsynsloggen"),
    "audit": gettext_lazy("endringsloggen"),
    "audit-entry": gettext_lazy("endringsloggen"),
}


def basis_words(code: str, laws: Mapping[str, str]) -> str:
    """One basis of a look (``own``, ``consent:<id>``, ``legal:<code>``, ...) in plain words;
    ``laws`` names each legal basis by its law and section."""
    if code in BASIS_WORDS:
        return str(BASIS_WORDS[code])
    kind, _sep, rest = code.partition(":")
    if kind == "consent":
        return _("ditt samtykke")
    if kind == "legal":
        return _("hjemmel i lov: %s") % laws.get(rest, rest)
    return code


def what_words(items: Iterable[Mapping[str, Any]]) -> str:
    """What a look showed, by the kinds of its items; a look at no item showed who follows the
    youth."""
    kinds = {str(item.get("type", "")) for item in items}
    return ", ".join(sorted(str(ITEM_WORDS.get(k, k)) for k in kinds)) or _(
        "hvem som følger deg opp"
    )
