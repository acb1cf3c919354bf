"""The legal bases Samordna seeds into ``consent``: a small set, each with its source.

A legal basis is a duty or permission of the *holder* of information to disclose specific
information when the law's conditions are met; it is never a standing right of the recipient to
read (domain.md §7). In Samordna it is used only through a disclosure (``cases.disclosures``): a
named staff member of the holding service gives chosen items, or a written report, to a named
recipient with the reason the conditions are met. The flows below say which kind of service may
disclose which categories to which kind; the kinds are ``ServiceKind`` values, the party kinds
consent compares (``CONSENT_PARTY_KIND_FIELD``).

Age limits (``subject_under_age``): barnevernsloven § 13-2 and helsepersonelloven § 33 are duties
to tell child welfare about a *child*, under 18 (barnevernsloven § 1-3: a child is a person under
18); a disclosure on them about a youth of 18 or more is refused.

What the youth and the guardians see on *Min side* (``shown_on_own_page``):

- barnevernsloven § 13-2 and helsepersonelloven § 33: neither the disclosure nor the recipient's
  reads of the disclosed items are shown, to the youth or to the guardians. The report is about
  whether the child is at risk, often at home; the holder has no duty to tell the parents, and
  telling them through Samordna could put the child at the very risk reported. The youth's right
  of access (GDPR art. 15) may be limited where the law makes the information confidential
  (GDPR art. 23 with personopplysningsloven § 16 first paragraph; barnevernsloven § 13-1 on the
  confidentiality of child welfare). Child welfare, which then holds the case, informs the parties
  as its own case-handling rules require (barnevernsloven chapter 12 with forvaltningsloven).
- opplæringslova § 9-4: shown to the youth, and to the guardians of a minor. Nothing in § 9-4
  keeps the facts from the pupil; the youth is to be told where information about them came from
  (GDPR art. 14), and the school involves the parents of a pupil under 18 (domain.md §3).

Opplæringslova (2023) § 9-4 gives OT the facts it needs to keep track of its target group (who
left school or is about to), not the school's records: the school may disclose EDUCATION items
only, chosen one by one, and OT reads nothing else of the school's by it.

Seeded by migration 0009_seed_legal_bases and brought to these rules by 0013_legal_bases_disclose.
"""

from __future__ import annotations

# Public bodies other than health services that the duty in barnevernsloven § 13-2 binds.
PUBLIC_BODIES = ("NAV", "OT", "SCHOOL", "OTHER")

SEEDED = [
    {
        "code": "bvl-13-2",
        "name": "Opplysningsplikt til barnevernet",
        "law_and_section": "Barnevernsloven (2021) § 13-2",
        "description": (
            "Offentlige myndigheter skal uten hinder av taushetsplikt av eget tiltak gi "
            "opplysninger til barneverntjenesten når det er grunn til å tro at et barn (under "
            "18 år) blir eller vil bli mishandlet, utsatt for alvorlig omsorgssvikt eller har "
            "alvorlige atferdsvansker. Plikten er avsenderens: bare opplysningene som trengs, "
            "valgt av en navngitt ansatt, og aldri lesetilgang for barnevernet."
        ),
        "source_url": "https://lovdata.no/lov/2021-06-18-97/%C2%A713-2",
        "subject_under_age": 18,
        "shown_on_own_page": False,
        "flows": [
            (from_kind, "CHILD_WELFARE", category)
            for from_kind in PUBLIC_BODIES
            for category in ("GENERAL", "EDUCATION", "WORK_AND_WELFARE", "FAMILY_AND_ECONOMY")
        ],
    },
    {
        "code": "hpl-33",
        "name": "Helsepersonells opplysningsplikt til barnevernet",
        "law_and_section": "Helsepersonelloven § 33",
        "description": (
            "Helsepersonell skal uten hinder av taushetsplikt gi opplysninger til "
            "barneverntjenesten når det er grunn til å tro at et barn (under 18 år) blir "
            "mishandlet, utsatt for alvorlig omsorgssvikt eller har alvorlige atferdsvansker. "
            "Plikten er helsepersonellets: bare opplysningene som trengs, og aldri lesetilgang "
            "for barnevernet."
        ),
        "source_url": "https://lovdata.no/lov/1999-07-02-64/%C2%A733",
        "subject_under_age": 18,
        "shown_on_own_page": False,
        "flows": [
            ("HEALTH", "CHILD_WELFARE", category)
            for category in ("GENERAL", "HEALTH", "FAMILY_AND_ECONOMY")
        ],
    },
    {
        "code": "oppl-9-4",
        "name": "Oppfølgingstjenestens oversikt over målgruppen",
        "law_and_section": "Opplæringslova (2023) § 9-4",
        "description": (
            "Fylkeskommunen skal ha en oppfølgingstjeneste som holder oversikt over ungdom i "
            "målgruppen som ikke er i opplæring eller arbeid. Skolen gir oppfølgingstjenesten "
            "opplysningene den trenger om elever som avbryter eller står i fare for å avbryte "
            "(utdanningsopplysninger), ikke skolens journal."
        ),
        "source_url": "https://lovdata.no/lov/2023-06-09-30/%C2%A79-4",
        "subject_under_age": None,
        "shown_on_own_page": True,
        "flows": [("SCHOOL", "OT", "EDUCATION")],
    },
]
