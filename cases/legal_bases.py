"""The legal bases Samordna seeds into ``consent``: a small set, each with its source.

Admins can add more. The kinds in the flows are ``ServiceKind`` values, the party kinds consent
compares (``CONSENT_PARTY_KIND_FIELD``). Seeded by migration 0009_seed_legal_bases.
"""

from __future__ import annotations

SEEDED = [
    {
        "code": "bvl-13-2",
        "name": "Opplysningsplikt til barnevernet",
        "law_and_section": "Barnevernsloven (2021) § 13-2",
        "description": (
            "Offentlige myndigheter skal av eget tiltak gi opplysninger til barneverntjenesten "
            "når det er grunn til å tro at et barn blir eller vil bli mishandlet, utsatt for "
            "alvorlig omsorgssvikt eller har alvorlige atferdsvansker. Gjelder uten samtykke."
        ),
        "source_url": "https://lovdata.no/lov/2021-06-18-97/%C2%A713-2",
        "flows": [
            (from_kind, "CHILD_WELFARE", category)
            for from_kind in ("NAV", "OT", "SCHOOL", "OTHER")
            for category in ("EDUCATION", "WORK_AND_WELFARE", "FAMILY_AND_ECONOMY")
        ],
    },
    {
        "code": "hpl-33",
        "name": "Helsepersonells opplysningsplikt til barnevernet",
        "law_and_section": "Helsepersonelloven § 33",
        "description": (
            "Helsepersonell skal uten hinder av taushetsplikt gi opplysninger til "
            "barneverntjenesten ved grunn til å tro at et barn blir mishandlet eller utsatt for "
            "alvorlig omsorgssvikt."
        ),
        "source_url": "https://lovdata.no/lov/1999-07-02-64/%C2%A733",
        "flows": [
            ("HEALTH", "CHILD_WELFARE", "HEALTH"),
            ("HEALTH", "CHILD_WELFARE", "FAMILY_AND_ECONOMY"),
        ],
    },
    {
        "code": "oppl-9-4",
        "name": "Oppfølgingstjenestens oversikt over målgruppen",
        "law_and_section": "Opplæringslova (2023) § 9-4",
        "description": (
            "Fylkeskommunen skal ha en oppfølgingstjeneste som holder oversikt over ungdom i "
            "målgruppen som ikke er i opplæring eller arbeid. Skolen melder fra til "
            "oppfølgingstjenesten om elever som avbryter eller står i fare for å avbryte."
        ),
        "source_url": "https://lovdata.no/lov/2023-06-09-30/%C2%A79-4",
        "flows": [("SCHOOL", "OT", "EDUCATION")],
    },
]
