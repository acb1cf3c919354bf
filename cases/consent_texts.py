"""Consents in plain words, in one place: the templates a staff member starts from when recording
a consent (one per purpose, and the one a referral needs), edited to what the youth, or the
guardians, agreed to; and a consent's flows told as sentences ("OT Skien deler utdanning med NAV
Skien") rather than one line per scope, for the staff pages and *Min side* alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import ServiceKind
from consent.categories import Category
from consent.models import Decision

# What recording a consent on the youth page is for: cooperation between the services chosen.
COOPERATION = "SAMARBEID"
# A consent recorded to send a referral: the sender shares what the referral carries.
REFERRAL = "HENVISNING"

# The categories in a sentence ("deler utdanning og helse med …").
WORDS = {
    Category.GENERAL: gettext_lazy("generelle opplysninger"),
    Category.EDUCATION: gettext_lazy("utdanning"),
    Category.WORK_AND_WELFARE: gettext_lazy("arbeid og velferd"),
    Category.HEALTH: gettext_lazy("helse"),
    Category.CHILD_WELFARE: gettext_lazy("barnevern"),
    Category.FAMILY_AND_ECONOMY: gettext_lazy("familie og økonomi"),
}


def listed(words: Sequence[Any]) -> str:
    """ "a", "a og b", "a, b og c"."""
    texts = [str(w) for w in words]
    if len(texts) <= 1:
        return "".join(texts)
    return f"{', '.join(texts[:-1])} {_('og')} {texts[-1]}"


def categories_in_words(categories: Iterable[str]) -> str:
    """The categories beyond the general ones, in the order of ``Category``, as words."""
    chosen = set(categories) - {Category.GENERAL}
    return listed([WORDS[Category(c)] for c in Category.values if c in chosen])


@dataclass(frozen=True)
class Text:
    purpose: str
    agreed_text: str


def referral_text(*, from_name: str, to_name: str, categories: Iterable[str]) -> Text:
    """What a youth agrees to when the sender may pass what a referral carries to its receiver."""
    what = categories_in_words(categories) or str(WORDS[Category.GENERAL])
    return Text(
        purpose=_("Henvisning fra %(from)s til %(to)s") % {"from": from_name, "to": to_name},
        agreed_text=_(
            "Jeg samtykker i at %(from)s deler opplysninger om %(what)s med %(to)s, slik at "
            "%(to)s kan vurdere å følge meg opp. Opplysningene brukes bare til det. Jeg kan "
            "trekke samtykket tilbake når som helst, og da deles ikke mer."
        )
        % {"from": from_name, "to": to_name, "what": what},
    )


@dataclass(frozen=True)
class Template:
    """A purpose a consent is commonly recorded for: what it is for, the text the youth (or the
    guardians) is asked to agree to, the categories it covers and the kinds of service it is
    usually shared with. The staff member edits the texts to what was agreed and chooses the
    flows; the template only starts them."""

    code: str
    title: Any
    purpose: Any
    agreed_text: Any
    categories: tuple[str, ...]
    kinds: tuple[str, ...]


_WITHDRAW = gettext_lazy(
    "Jeg kan trekke samtykket tilbake når som helst, og da deles ikke mer fra da av."
)

# The purposes consents between the services are given for (domain.md §§ 2-7): OT and NAV on
# education and work, the school's follow-up with OT, health and child welfare (special
# categories, shared only as far as the youth agrees). The individual plan has its own consent,
# recorded with the plan.
TEMPLATES: tuple[Template, ...] = (
    Template(
        code="utdanning-arbeid",
        title=gettext_lazy("Utdanning og arbeid (OT og NAV)"),
        purpose=gettext_lazy(
            "Samarbeid om skole, utdanning og arbeid, så ungdommen får ett samlet tilbud og "
            "slipper å fortelle det samme flere ganger."
        ),
        agreed_text=gettext_lazy(
            "Jeg samtykker i at tjenestene som er nevnt i samtykket, deler opplysninger om "
            "utdanning og om arbeid og oppfølging fra NAV med hverandre, slik samtykket sier "
            "hvem som deler med hvem. Opplysningene brukes bare til å samarbeide om skole og "
            "arbeid for meg."
        ),
        categories=(Category.EDUCATION, Category.WORK_AND_WELFARE),
        kinds=(ServiceKind.OT, ServiceKind.NAV),
    ),
    Template(
        code="skole",
        title=gettext_lazy("Oppfølging i skolen (skole og OT)"),
        purpose=gettext_lazy(
            "Oppfølging av skolegangen, så skolen og oppfølgingstjenesten kan hjelpe ungdommen "
            "med å fullføre eller komme tilbake til opplæring."
        ),
        agreed_text=gettext_lazy(
            "Jeg samtykker i at tjenestene som er nevnt i samtykket, deler opplysninger om "
            "skolegangen min (fravær, karakterer, tilrettelegging og planer for opplæringen) "
            "med hverandre, slik samtykket sier hvem som deler med hvem. Opplysningene brukes "
            "bare til å følge meg opp i skolen."
        ),
        categories=(Category.EDUCATION,),
        kinds=(ServiceKind.SCHOOL, ServiceKind.OT),
    ),
    Template(
        code="helse",
        title=gettext_lazy("Helse"),
        purpose=gettext_lazy(
            "Samarbeid med helsetjenesten om det helsen betyr for skole, arbeid og oppfølging."
        ),
        agreed_text=gettext_lazy(
            "Jeg samtykker i at tjenestene som er nevnt i samtykket, deler de "
            "helseopplysningene som trengs for å tilpasse skole, arbeid og oppfølging, slik "
            "samtykket sier hvem som deler med hvem. Helsetjenesten avgjør selv hva som er "
            "nødvendig å dele, og ingenting annet deles."
        ),
        categories=(Category.HEALTH,),
        kinds=(ServiceKind.HEALTH, ServiceKind.NAV, ServiceKind.OT),
    ),
    Template(
        code="barnevern",
        title=gettext_lazy("Barnevern og familie"),
        purpose=gettext_lazy(
            "Samarbeid med barnevernet om tiltak for ungdommen og familien, også ettervern."
        ),
        agreed_text=gettext_lazy(
            "Jeg samtykker i at tjenestene som er nevnt i samtykket, deler opplysninger om "
            "barnevernstiltak og om familie og økonomi med hverandre, slik samtykket sier hvem "
            "som deler med hvem. Opplysningene brukes bare til å samarbeide om hjelpen til meg "
            "og familien."
        ),
        categories=(Category.CHILD_WELFARE, Category.FAMILY_AND_ECONOMY),
        kinds=(ServiceKind.CHILD_WELFARE, ServiceKind.NAV, ServiceKind.OT),
    ),
)


def template(code: str) -> Template | None:
    return next((t for t in TEMPLATES if t.code == code), None)


def template_text(chosen: Template) -> Text:
    """The template's texts as they start the form: the purpose, and the text with what
    withdrawing means."""
    return Text(
        purpose=str(chosen.purpose),
        agreed_text=f"{chosen.agreed_text} {_WITHDRAW}",
    )


@dataclass(frozen=True)
class Flow:
    """One direction of a consent: the sender, the receiver and what, in words."""

    source: str
    target: str
    what: str


def _party(party: Any, kind: str, *, named: bool) -> str:
    """A service by its name, or only by its kind where its name would tell where the youth is
    (``cases.portal.reveals_whereabouts``)."""
    if party is not None and named:
        return str(party.name)
    return str(ServiceKind(party.kind if party is not None else kind).label)


def flows(consent: Any, *, named: bool = True) -> list[Flow]:
    """The consent's scopes (with their parties loaded) as one flow per sender and receiver, in
    the order of the names: one way each, as recorded."""
    grouped: dict[tuple[str, str], set[str]] = {}
    for scope in consent.scopes.all():
        source = _party(scope.from_party, scope.from_kind, named=named)
        target = _party(scope.to_party, scope.to_kind, named=named)
        grouped.setdefault((source, target), set()).add(scope.category)
    return [
        Flow(source, target, categories_in_words(cats) or str(WORDS[Category.GENERAL]))
        for (source, target), cats in sorted(grouped.items())
    ]


def _day(moment: Any) -> str:
    return str(formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT"))


def flow_sentences(consent: Any, *, now: Any = None, named: bool = True) -> list[str]:
    """A consent's flows as sentences in the tense of its state, one per sender and receiver:
    "OT Skien deler utdanning med NAV Skien"; "… kunne dele … til 3. mars 2027" once it ended
    (withdrawn or expired); "… deler … fra <dag>" before it starts; "… får ikke dele …" for a
    refusal; "… når foresatte har sagt ja" while the guardians' answers are missing. ``named``:
    services by name, or by kind where a name would tell where the youth is followed."""
    now = now or timezone.now()
    ended = consent.withdrawn_at or (
        consent.valid_until if consent.valid_until and consent.valid_until <= now else None
    )
    day = ""
    if consent.decision == Decision.REFUSED:
        text = _("%(source)s får ikke dele %(what)s med %(target)s")
    elif consent.decision == Decision.PENDING:
        text = _("%(source)s deler %(what)s med %(target)s når foresatte har sagt ja")
    elif ended is not None:
        text = _("%(source)s kunne dele %(what)s med %(target)s til %(day)s")
        day = _day(ended)
    elif consent.valid_from > now:
        text = _("%(source)s deler %(what)s med %(target)s fra %(day)s")
        day = _day(consent.valid_from)
    else:
        text = _("%(source)s deler %(what)s med %(target)s")
    return [
        text % {"source": f.source, "target": f.target, "what": f.what, "day": day}
        for f in flows(consent, named=named)
    ]


def withdrawal_sentences(consent: Any, *, named: bool = True) -> list[str]:
    """What withdrawing the consent stops, per flow: "NAV Skien får ikke lenger se utdanning
    fra OT Skien"."""
    return [
        _("%(target)s får ikke lenger se %(what)s fra %(source)s")
        % {"source": f.source, "target": f.target, "what": f.what}
        for f in flows(consent, named=named)
    ]
