"""Consents in plain words: the text a staff member starts from when recording the consent a
referral needs (edited to what the youth, or the guardians, agreed to), and a consent's flows
told as sentences ("OT Skien deler utdanning med NAV Skien") rather than one
line per scope."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.categories import Category

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


def flow_sentences(scopes: Iterable[Any], *, ended: bool = False) -> list[str]:
    """A consent's scopes (with their parties loaded) as one sentence per sender and receiver,
    e.g. "OT Skien deler utdanning med NAV Skien"; in the past tense for a consent that no
    longer applies ("OT Skien kunne dele …")."""
    flows: dict[tuple[str, str], set[str]] = {}
    for scope in scopes:
        source = scope.from_party.name if scope.from_party else scope.from_kind
        target = scope.to_party.name if scope.to_party else scope.to_kind
        flows.setdefault((source, target), set()).add(scope.category)
    sentence = (
        _("%(source)s kunne dele %(what)s med %(target)s")
        if ended
        else _("%(source)s deler %(what)s med %(target)s")
    )
    return [
        sentence
        % {
            "source": source,
            "target": target,
            "what": categories_in_words(categories) or str(WORDS[Category.GENERAL]),
        }
        for (source, target), categories in sorted(flows.items())
    ]
