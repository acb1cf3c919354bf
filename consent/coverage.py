"""Is this flow covered right now, and by what? Answered as SQL, so callers can filter with it.

A flow is (subject, from party, to party, category). It is covered by an active consent scope
(given, in force, not withdrawn, not expired, giver still the right one), and by nothing else: a
legal basis lets the holder disclose chosen items (``Disclosure``), it never opens a flow. The
arguments may be plain values or ``OuterRef``s, so the same expressions filter one item or a
whole list in one query.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from consent.models import ConsentScope, Decision


def in_force_scopes(
    *, at: datetime.datetime | None = None, on: datetime.date | None = None
) -> QuerySet[ConsentScope]:
    """Scopes of consents that are given, in force, not withdrawn, not expired, and whose
    giver is still the right one, at ``at`` (default: now) on the local day ``on`` (default:
    ``at``'s)."""
    now = at or timezone.now()
    today = on or timezone.localdate(now)
    return ConsentScope.objects.filter(
        Q(competent_until__isnull=True) | Q(competent_until__gt=today),
        Q(consent__valid_until__isnull=True) | Q(consent__valid_until__gt=now),
        consent__decision=Decision.GIVEN,
        consent__valid_from__lte=now,
        consent__withdrawn_at__isnull=True,
    )


def covering_scopes(
    *,
    subject: Any,
    from_party: Any,
    from_kind: Any,
    to_parties: Any,
    to_kinds: Any,
    category: Any,
    at: datetime.datetime | None = None,
    on: datetime.date | None = None,
) -> QuerySet[ConsentScope]:
    """Consent scopes that cover the flow to any of ``to_parties`` (ids; or any party of
    ``to_kinds``) at ``at`` (default: now). Both may be subqueries. Nothing is cached."""
    return in_force_scopes(at=at, on=on).filter(
        Q(from_party=from_party) | Q(from_party__isnull=True, from_kind=from_kind),
        Q(to_party__in=to_parties) | Q(to_party__isnull=True, to_kind__in=to_kinds),
        subject=subject,
        category=category,
    )


class CoveredFlow(NamedTuple):
    """A flow about ``subject`` that a consent covers: from a party (or, with none, any party
    of ``from_kind``) into a party (or, with none, any party of ``to_kind``)."""

    subject: Any
    from_party: Any
    from_kind: str
    to_party: Any
    to_kind: str
    category: str
    consent_id: Any

    def into(self, parties: Collection[Any], kinds: Collection[str]) -> bool:
        """Whether the flow reaches one of ``parties`` (of ``kinds``): ``covering_scopes``'s
        condition on the receiving end, for a row at hand."""
        if self.to_party is not None:
            return self.to_party in parties
        return self.to_kind in kinds


def covered_flows(
    *,
    subjects: Collection[Any],
    to_parties: Collection[Any],
    to_kinds: Collection[str],
    at: datetime.datetime | None = None,
    on: datetime.date | None = None,
) -> list[CoveredFlow]:
    """Every flow about ``subjects`` into ``to_parties`` (or any party of ``to_kinds``) that a
    consent covers at ``at``, in one query. For subjects each seen by only some of the parties,
    ``CoveredFlow.into`` keeps a subject's own."""
    if not subjects:
        return []
    return [
        CoveredFlow(*row)
        for row in in_force_scopes(at=at, on=on)
        .filter(
            Q(to_party__in=to_parties) | Q(to_party__isnull=True, to_kind__in=to_kinds),
            subject__in=subjects,
        )
        .values_list(
            "subject_id",
            "from_party_id",
            "from_kind",
            "to_party_id",
            "to_kind",
            "category",
            "consent_id",
        )
    ]


def party_kind(party: Any) -> str:
    return str(getattr(party, settings.CONSENT_PARTY_KIND_FIELD))


@dataclass(frozen=True)
class Coverage:
    """What covers a flow: a consent, by id."""

    consent_id: Any

    @property
    def basis(self) -> str:
        return f"consent:{self.consent_id}"


def flow_coverage(
    *, subject: Any, from_party: Any, to_party: Any, category: str
) -> Coverage | None:
    """Check one concrete flow now (one small indexed query)."""
    consent_id = (
        covering_scopes(
            subject=subject,
            from_party=from_party,
            from_kind=party_kind(from_party),
            to_parties=[to_party.pk],
            to_kinds=[party_kind(to_party)],
            category=category,
        )
        .values_list("consent_id", flat=True)
        .first()
    )
    return Coverage(consent_id=consent_id) if consent_id else None
