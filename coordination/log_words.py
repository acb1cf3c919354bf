"""The access log in words: for the youth (what a look showed and on which basis, for *Min side*
and the youth's copy of everything held about them), and for the privacy officer (what a staff
member was doing, in which role, on which basis)."""

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
    "thread": gettext_lazy("samtale"),
    "message": gettext_lazy("melding"),
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


# --- The access log in the privacy officer's words ------------------------------------------

# What a staff member was doing (the access log's ``purpose``), the exact codes first. A code
# not listed is named by its family (the part before the first "-"), so a new purpose reads as
# its kind of record rather than as a code.
PURPOSE_WORDS = {
    "caseload": gettext_lazy("Ungdomslisten"),
    "caseload-lookup": gettext_lazy("Oppslag på fødselsnummer i ungdomslisten"),
    "youth": gettext_lazy("Ungdommens opplysninger"),
    "youth-page": gettext_lazy("Ungdommens side"),
    "youth-timeline": gettext_lazy("Ungdommens tidslinje"),
    "youth-lookup": gettext_lazy("Oppslag på fødselsnummer"),
    "youth-register": gettext_lazy("Registrering av ungdom"),
    "youth-plans": gettext_lazy("Ungdommens planer"),
    "youth-activity-plan": gettext_lazy("Ungdommens aktivitetsplan"),
    "youth-threads": gettext_lazy("Ungdommens samtaler"),
    "day-deadlines": gettext_lazy("Min dag: frister"),
    "day-referrals": gettext_lazy("Min dag: nye henvisninger"),
    "day-plans": gettext_lazy("Min dag: planer"),
    "day-escalated": gettext_lazy("Min dag: tjenestens forfalte frister"),
    "deadlines-mine": gettext_lazy("Mine frister"),
    "deadlines-service": gettext_lazy("Tjenestens frister"),
    "referrals-inbox": gettext_lazy("Innboks for henvisninger"),
    "referrals-outbox": gettext_lazy("Sendte henvisninger"),
    "access-request": gettext_lazy("Innsynskrav (kopi til ungdommen)"),
    "access-log-search": gettext_lazy("Søk i tilgangsloggen"),
}
PURPOSE_FAMILY_WORDS = {
    "youth": gettext_lazy("Ungdommens opplysninger"),
    "caseload": gettext_lazy("Ungdomslisten"),
    "day": gettext_lazy("Min dag"),
    "deadline": gettext_lazy("Frister"),
    "deadlines": gettext_lazy("Frister"),
    "entry": gettext_lazy("Oppfølgingslogg"),
    "thread": gettext_lazy("Samtaler"),
    "message": gettext_lazy("Samtaler"),
    "consent": gettext_lazy("Samtykke"),
    "referral": gettext_lazy("Henvisning"),
    "referrals": gettext_lazy("Henvisninger"),
    "handover": gettext_lazy("Stafett"),
    "handovers": gettext_lazy("Stafett"),
    "period": gettext_lazy("Oppfølgingsperiode"),
    "activity": gettext_lazy("Aktivitetsplan"),
    "plan": gettext_lazy("Individuell plan"),
    "child": gettext_lazy("Barnekoordinator"),
    "disclosure": gettext_lazy("Utlevering"),
    "disclosures": gettext_lazy("Utleveringer"),
    "health": gettext_lazy("Innsigelse om helse"),
    "portal": gettext_lazy("Min side"),
    "admin": gettext_lazy("Administrasjon"),
    "access": gettext_lazy("Innsyn"),
    "compliance": gettext_lazy("Ungdomsgarantien"),
}

# The basis of a look in the privacy officer's words.
STAFF_BASIS_WORDS = {
    "own": gettext_lazy("egen tjeneste følger opp"),
    "general": gettext_lazy("generelle opplysninger"),
    "referral": gettext_lazy("henvisning"),
    "access-request": gettext_lazy("innsynskrav (personvernforordningen art. 15)"),
    "privacy-officer": gettext_lazy("personvernombudets oppfølging av loggen"),
}


def purpose_words(code: str) -> str:
    """What a staff member was doing, in words: ``"deadlines-service"`` → "Tjenestens
    frister"."""
    if code in PURPOSE_WORDS:
        return str(PURPOSE_WORDS[code])
    family = code.split("-", 1)[0]
    if family in PURPOSE_FAMILY_WORDS:
        return str(PURPOSE_FAMILY_WORDS[family])
    return _("Annet oppslag")


def staff_basis_words(code: str, laws: Mapping[str, str]) -> str:
    """One basis of a look in the privacy officer's words (``own``, ``consent:<id>``,
    ``legal:<code>``, ...); ``laws`` names each legal basis by its law and section."""
    if code in STAFF_BASIS_WORDS:
        return str(STAFF_BASIS_WORDS[code])
    kind, _sep, rest = code.partition(":")
    if kind == "consent":
        return _("samtykke")
    if kind == "legal":
        return _("hjemmel i lov: %s") % laws.get(rest, rest)
    return _("annet grunnlag")


def staff_what_words(items: Iterable[Mapping[str, Any]]) -> str:
    """What a look showed, by the kinds of its items, for the privacy officer; a look at no
    item showed which services follow the youth."""
    shown = list(items)
    return what_words(shown) if shown else _("hvem som følger opp ungdommen")
