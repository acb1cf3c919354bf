"""The seeded deadline rules (domain.md §5 and the other deadlines), each with its source.

Parameters hold the law's numbers (from ``coordination.deadlines.rules``); a deployment may
switch a rule off or adjust its parameters in the admin. Local-policy day counts are settings.
"""

from __future__ import annotations

from coordination.deadlines.rules import PARAMETERS

SEEDED = [
    {
        "code": "UG-2023",
        "name": "Ungdomsgarantien: fast kontaktperson",
        "description": (
            "Ungdom fra 16 år til dagen før 30-årsdagen med § 14 a-vedtak om situasjonsbestemt "
            "eller spesielt tilpasset innsats skal ha en fast kontaktperson og tett oppfølging "
            "så lenge det trengs. Fristen løper fra ungdommen kommer inn i garantien: vedtaket, "
            "16-årsdagen eller 1.7.2023, det som kommer sist. Innfridd når NAV-perioden har en "
            "ansvarlig kontaktperson; det står seg selv om en annen tar over senere. Loven gir "
            "ikke antall dager: fristen er lokal praksis (DEADLINE_UG_CONTACT_PERSON_DAYS)."
        ),
        "source": "NAV, veilarbvedtaksstotte `harUngdomsgaranti`; regjeringen.no (fra 1.7.2023)",
        "source_url": "https://www.regjeringen.no/no/tema/arbeidsliv/id930/",
    },
    {
        "code": "UG-PLAN-1M",
        "name": "Ungdomsgarantien: godkjent aktivitetsplan innen én måned",
        "description": (
            "Ungdom 20–24 år med situasjonsbestemt innsats skal ha en godkjent aktivitetsplan "
            "innen én kalendermåned etter § 14 a-vedtaket (samme dato neste måned; siste dag i "
            "måneden der datoen ikke finnes)."
        ),
        "source": "NAVs ungdomsgaranti 2013–2016 (Prop. 1 S (2012–2013))",
        "source_url": "https://www.regjeringen.no/no/dokumenter/prop-1-s-20122013/id703405/",
    },
    {
        "code": "UG-90",
        "name": "Ungdomsgarantien: 90 % med godkjent plan",
        "description": (
            "Av ungdom under 30 år med spesielt tilpasset innsats skal minst 90 % ha en godkjent "
            "aktivitetsplan til enhver tid. Et måltall per NAV-kontor, ikke en frist per person: "
            "under målet varsles lederne."
        ),
        "source": "NAVs ungdomsgaranti 2013–2016 (Prop. 1 S (2012–2013)); 20–29 år i 2015",
        "source_url": "https://www.regjeringen.no/no/dokumenter/prop-1-s-20122013/id703405/",
    },
    {
        "code": "UG-U20",
        "name": "Ungdomsgarantien under 20 år: tilbud om arbeidsrettet tiltak",
        "description": (
            "Ungdom under 20 år uten skoleplass eller arbeid, henvist fra oppfølgingstjenesten, "
            "skal få tilbud om et arbeidsrettet tiltak i samarbeid med OT. Fristen er lokal "
            "praksis (DEADLINE_UG_U20_OFFER_DAYS)."
        ),
        "source": "NAV 2015, ungdomsgarantien for ungdom under 20 år",
        "source_url": "",
    },
    {
        "code": "UI-8W",
        "name": "Forsterket ungdomsinnsats etter 8 uker",
        "description": (
            "Arbeidssøkere under 30 år som ikke har fått et tilbud etter 8 uker (56 dager) "
            "fra registrering skal få et forsterket tilbud (et tiltak)."
        ),
        "source": "Forsterket ungdomsinnsats, 2017",
        "source_url": "",
    },
    {
        "code": "ACTIVITY",
        "name": "Frist for aktivitet",
        "description": "Fristen på en aktivitet i aktivitetsplanen. Innfridd når den er fullført.",
        "source": "Aktivitetsplanen (navikt/veilarbaktivitet)",
        "source_url": "",
    },
    {
        "code": "REFERRAL-RESPONSE",
        "name": "Svarfrist for henvisning",
        "description": (
            "Mottakeren svarer på en henvisning innen svarfristen (lokal praksis: "
            "REFERRAL_RESPONSE_WORKING_DAYS virkedager)."
        ),
        "source": "Lokal praksis",
        "source_url": "",
    },
    {
        "code": "IP-REVIEW",
        "name": "Evaluering av individuell plan",
        "description": (
            "Evalueringsdatoene i en plan som er tatt i bruk (individuell plan eller "
            "stafettlogg). En evaluering innfrir datoen som var satt og setter neste dato. "
            "Påminnelser går til koordinatoren."
        ),
        "source": "Forskrift om individuell plan ved ytelse av velferdstjenester (fra 2022)",
        "source_url": "",
    },
    {
        "code": "IP-MEASURE",
        "name": "Frist for tiltak i plan",
        "description": (
            "Sluttdatoen på et tiltak i en plan som er tatt i bruk. Innfridd når tiltaket er "
            "gjennomført; påminnelser går til den som er ansvarlig for tiltaket."
        ),
        "source": "Forskrift om individuell plan ved ytelse av velferdstjenester (fra 2022)",
        "source_url": "",
    },
    {
        "code": "IP-COORDINATOR",
        "name": "Plan uten koordinator",
        "description": (
            "En plan i bruk skal ha én aktiv koordinator. Mangler den (koordinatoren har "
            "sluttet eller er tatt ut), varsles lederne i alle tjenestene som deltar, til noen "
            "har tatt over."
        ),
        "source": "Forskrift om individuell plan ved ytelse av velferdstjenester; "
        "helse- og omsorgstjenesteloven § 7-2",
        "source_url": "",
    },
    {
        "code": "CHILD-COORDINATOR-18",
        "name": "Barnekoordinator: overgang til koordinator for voksne",
        "description": (
            "Retten til barnekoordinator gjelder barn under 18 år: rollen avsluttes av seg selv "
            "på 18-årsdagen. Før det tilbyr barnekoordinatoren planen til en koordinator for "
            "voksne (koordinatorstafett i planen). Fristen er lokal praksis: "
            "DEADLINE_CHILD_COORDINATOR_HANDOVER_MONTHS kalendermåneder før 18-årsdagen. "
            "Innfridd når koordinatorrollen er tilbudt en annen (et avslått eller trukket "
            "tilbud teller ikke)."
        ),
        "source": "Pasient- og brukerrettighetsloven § 2-5 c; helse- og omsorgstjenesteloven "
        "§§ 7-2 og 7-2 a (fra 1.8.2022)",
        "source_url": "https://lovdata.no/lov/1999-07-02-63/%C2%A72-5c",
    },
    {
        "code": "CONSENT-EXPIRY",
        "name": "Samtykke utløper",
        "description": "Et samtykke med sluttdato: forny det før det faller bort.",
        "source": "Personopplysningsloven / GDPR art. 7",
        "source_url": "",
    },
    {
        "code": "RECONSENT-18",
        "name": "Nytt samtykke fra ungdommen",
        "description": (
            "Samtykke fra foresatte slutter å gjelde for en kategori når ungdommen samtykker "
            "selv for den (kommunens alder for deling, 15 eller 16 år; 16 år i "
            "helsespørsmål): be ungdommen selv om samtykke i god tid før den dagen."
        ),
        "source": "Pasient- og brukerrettighetsloven § 4-3; vergemålsloven § 9",
        "source_url": "https://lovdata.no/lov/1999-07-02-63/%C2%A74-3",
    },
    {
        "code": "ANSWER-BY",
        "name": "Svar på melding",
        "description": (
            "En melding merket «trenger svar innen» en dag. Innfridd når den andre parten "
            "svarer i samtalen: tjenesten når ungdommen spør, ungdommen når tjenesten spør, en "
            "annen tjeneste når en tjeneste spør i en samtale mellom tjenestene. Fristen er "
            "tjenestens som eier samtalen, og faller bort når tjenesten ikke lenger følger "
            "ungdommen opp. Påminnelser går til kontaktpersonen når ungdommen spør, til den "
            "som spurte når svaret skal komme utenfra tjenesten, og til tjenestens "
            "varslingsadresse når en annen tjeneste spør."
        ),
        "source": "Lokal praksis",
        "source_url": "",
    },
]


def seeded_rules() -> list[dict[str, object]]:
    return [{**rule, "parameters": PARAMETERS.get(str(rule["code"]), {})} for rule in SEEDED]
