"""The one access gate: which youths and records a staff member reaches.

Reach is derived from domain rows, never copied into permission rows: a user reaches a youth when
one of the services they work in (with a caseload role, membership not ended, service active)
has an open follow-up period with that youth. Everything is a lazy queryset filtered with indexed
``Exists`` subqueries, so a closed period or a withdrawn consent takes effect on the very next
query and a list costs one query.

Every function here takes a ``Viewer``: the user with their memberships, loaded once. A request
has one (``request.viewer``, typed by ``cases.middleware.viewer_of``); a service that checks its
actor makes one with ``viewer_for`` at its entry. The viewer's services are values, not a
subquery, so the planner sees them (a caseload page read in name order from the index; fewer
relations to plan in the inbox). A membership ended while a request runs counts from the next
request.

Superusers get no bypass here: the API shows them what their memberships give, like anyone.
Anything not reached answers 404, the same as what does not exist.

Youths with a protected identity (a protected address, or shielded) are reached only through a
service in which the viewer holds the matching clearance (``screen``), as NAV's systems open such
persons only to members of one special group per kind.
"""

from __future__ import annotations

import copy
import datetime
import functools
import operator
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeGuard, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.http import Http404

from cases.models import (
    CASELOAD_ROLES,
    PROTECTED_IDENTITY,
    SENSITIVE_INVOLVEMENT,
    STRENGT_FORTROLIG_GRADES,
    AddressProtection,
    FollowUpEntry,
    FollowUpPeriod,
    Referral,
    Service,
    StaffMembership,
    Youth,
    involvement_category,
    kind_category,
)
from consent.categories import Category
from consent.coverage import covered_flows, covering_scopes
from consent.models import DisclosedItem, Disclosure
from consent.services import Access, access_log_record

M = TypeVar("M", bound=models.Model)


# --- The viewer: the user and their memberships, loaded once -------------------------------


@dataclass(frozen=True, slots=True)
class Membership:
    """A membership that has not ended, as the policy reads it: through which service, in which
    role (the access log records both), whether that service is active (reach), and its kind
    (the pages' navigation)."""

    service_id: uuid.UUID
    role: str
    service_is_active: bool
    service_kind: str
    cleared_strengt_fortrolig: bool = False
    cleared_fortrolig: bool = False
    cleared_shielded: bool = False


# Each clearance of a membership (``StaffMembership.cleared_*``) and the youths it opens (a
# field of ``Youth`` and its values): one per kind, as NAV's groups for strengt fortrolig (kode 6
# and 19), fortrolig (kode 7) and shielded persons. A youth both shielded and with a protected
# address needs both.
PROTECTIONS: tuple[tuple[str, str, tuple[Any, ...]], ...] = (
    ("cleared_strengt_fortrolig", "address_protection", tuple(STRENGT_FORTROLIG_GRADES)),
    ("cleared_fortrolig", "address_protection", (AddressProtection.FORTROLIG,)),
    ("cleared_shielded", "shielded", (True,)),
)


def _protected(field_name: str, values: tuple[Any, ...]) -> Q:
    return Q(**{f"{field_name}__in": values})


@dataclass(frozen=True)
class Viewer:
    """The user with their memberships that have not ended (``viewer_for``), loaded once per
    request or service call and never cached longer."""

    user: AbstractBaseUser | AnonymousUser
    memberships: tuple[Membership, ...]

    @cached_property
    def reach(self) -> tuple[uuid.UUID, ...]:
        """Ids of the services that give the user reach: a caseload role in an active service."""
        return tuple(
            membership.service_id
            for membership in self.memberships
            if membership.role in CASELOAD_ROLES and membership.service_is_active
        )

    @cached_property
    def cleared(self) -> tuple[tuple[uuid.UUID, ...], ...]:
        """For each of ``PROTECTIONS``, the services of ``reach`` in which the user holds that
        clearance (values, like ``reach``)."""
        return tuple(
            tuple(
                sorted(
                    {
                        membership.service_id
                        for membership in self.memberships
                        if getattr(membership, clearance)
                        and membership.service_id in self.reach
                        and membership.role in CASELOAD_ROLES
                    },
                    key=str,
                )
            )
            for clearance, _field, _values in PROTECTIONS
        )

    def membership_for(self, service_ids: Iterable[Any] = ()) -> Membership | None:
        """The membership through which the user sees a youth followed by ``service_ids``."""
        wanted = set(service_ids)
        for membership in self.memberships:
            if membership.service_id in wanted:
                return membership
        return self.memberships[0] if self.memberships else None


def _is_staff(user: AbstractBaseUser | AnonymousUser) -> TypeGuard[AbstractBaseUser]:
    """A signed-in, active user: the only one who can work in a service."""
    return isinstance(user, AbstractBaseUser) and user.is_active


def viewer_for(user: AbstractBaseUser | AnonymousUser) -> Viewer:
    """The user's viewer: one query for the memberships of an active, signed-in user (none
    for anyone else, who then reaches nothing)."""
    if not _is_staff(user):
        return Viewer(user, ())
    memberships = (
        StaffMembership.objects.filter(user_id=user.pk, ended_at__isnull=True)
        .order_by("service__name", "role")
        .values_list(
            "service_id",
            "role",
            "service__is_active",
            "service__kind",
            *(clearance for clearance, _field, _values in PROTECTIONS),
        )
    )
    return Viewer(user, tuple(Membership(*row) for row in memberships))


# --- Reach: which youths, periods, referrals and services ----------------------------------


def works_in(
    viewer: Viewer, service_id: uuid.UUID, *, roles: Collection[str] = CASELOAD_ROLES
) -> bool:
    """Whether one of the viewer's memberships that give reach is in the service, in one of
    ``roles`` (by default any caseload role)."""
    return any(
        membership.service_id == service_id and membership.role in roles
        for membership in viewer.memberships
        if membership.role in CASELOAD_ROLES and membership.service_is_active
    )


def screen(
    services: Sequence[uuid.UUID],
    cleared: Sequence[Sequence[uuid.UUID]],
    *,
    youth: str = "youth_id",
    service: str = "service_id",
) -> Q:
    """Rows about a youth (``youth``) held through one of ``services`` (``service``) that the
    viewer may reach, given the services in which they hold each clearance (``cleared``, as
    ``Viewer.cleared``): none about a youth with a protected identity, unless the row's service
    is one cleared for each protection the youth has.

    Protected youths are few (the partial index ``youth_protected_identity``); the rows not
    cleared for are excluded by a small subquery of their ids, so a list keeps its own plan
    (the caseload still reads its page from the open-period index). A viewer cleared for a
    kind in none of ``services`` excludes that kind in the one subquery; a kind cleared in
    some of them keeps those services' rows."""
    wanted = set(services)
    nowhere = Q()
    somewhere = Q()
    for (_clearance, field_name, values), in_services in zip(PROTECTIONS, cleared, strict=True):
        if wanted <= set(in_services):
            continue
        protected = _protected(field_name, values)
        if not in_services:
            nowhere |= protected
            continue
        ids = Youth.objects.filter(PROTECTED_IDENTITY, protected).values("pk")
        somewhere &= ~Q(**{f"{youth}__in": ids}) | Q(**{f"{service}__in": in_services})
    if nowhere:
        ids = Youth.objects.filter(PROTECTED_IDENTITY, nowhere).values("pk")
        somewhere &= ~Q(**{f"{youth}__in": ids})
    return somewhere


def clears(viewer: Viewer, youth: Youth, service_id: uuid.UUID) -> bool:
    """Whether the viewer, through the service, holds every clearance the youth's protections
    call for (``screen``'s rule for one youth at hand)."""
    protections = {name: getattr(youth, name) for _clearance, name, _values in PROTECTIONS}
    return clears_values(viewer.cleared, protections, service_id)


def clears_values(
    cleared: Sequence[Sequence[uuid.UUID]], youth: Mapping[str, Any], service_id: Any
) -> bool:
    """``clears`` for a youth's values (``address_protection`` and ``shielded``) and the
    services in which a viewer holds each clearance (``Viewer.cleared``)."""
    return all(
        service_id in in_services
        for (_clearance, field_name, values), in_services in zip(PROTECTIONS, cleared, strict=True)
        if youth[field_name] in values
    )


def screened(viewer: Viewer, *, youth: str = "youth_id", service: str = "service_id") -> Q:
    """``screen`` for the viewer's own reach."""
    return screen(viewer.reach, viewer.cleared, youth=youth, service=service)


def periods_in(
    services: Sequence[uuid.UUID],
    narrow: Q | None = None,
    *,
    cleared: Sequence[Sequence[uuid.UUID]],
) -> QuerySet[FollowUpPeriod]:
    """The open follow-up periods of the services ``services`` the viewer may reach (``screen``
    with the viewer's ``cleared``); ``narrow`` narrows them further (the caseload's "mine" or one
    service): a narrower reach, never a wider one."""
    periods = FollowUpPeriod.objects.filter(
        screen(services, cleared), ended_on__isnull=True, service_id__in=services
    )
    return periods.filter(narrow) if narrow is not None else periods


def reaching_periods(viewer: Viewer, narrow: Q | None = None) -> QuerySet[FollowUpPeriod]:
    """The open follow-up periods in the viewer's services: what gives the viewer reach."""
    if not viewer.reach:
        return FollowUpPeriod.objects.none()
    return periods_in(viewer.reach, narrow, cleared=viewer.cleared)


def reachable_youths(viewer: Viewer, narrow: Q | None = None) -> QuerySet[Youth]:
    """Youths with an open follow-up period in one of the viewer's services (one EXISTS over
    ``reaching_periods``)."""
    if not viewer.reach:
        return Youth.objects.none()
    return Youth.objects.filter(
        Exists(reaching_periods(viewer, narrow).filter(youth=OuterRef("pk")))
    )


def youth_for_user(
    viewer: Viewer,
    youth_id: uuid.UUID | str,
    *,
    queryset: QuerySet[Youth] | None = None,
    purpose: str = "youth",
) -> Youth:
    """The youth if the viewer reaches it, else Http404 (unknown and unreachable look the same).

    A refused attempt on a youth that exists is written to the access log. ``queryset`` may add
    prefetches; it must itself come from ``reachable_youths(viewer)``.
    """
    try:
        pk = uuid.UUID(str(youth_id))
    except ValueError:
        raise Http404 from None
    try:
        return (queryset if queryset is not None else reachable_youths(viewer)).get(pk=pk)
    except Youth.DoesNotExist:
        log_denied(viewer, pk, purpose)
        raise Http404 from None


def allowed_or_404(viewer: Viewer, youth_id: uuid.UUID | str, *, purpose: str) -> Allowed:
    """The viewer's allow-list of a youth it reaches (``allowed_for``), else Http404 as
    ``youth_for_user`` answers: the services of the viewer's that follow the youth are what
    gives reach, so the one query for them is the reach check too."""
    try:
        pk = uuid.UUID(str(youth_id))
    except ValueError:
        raise Http404 from None
    allowed = allowed_for(viewer, pk)
    if allowed is None:
        log_denied(viewer, pk, purpose)
        raise Http404
    return allowed


def own_service_periods(viewer: Viewer) -> QuerySet[FollowUpPeriod]:
    """Follow-up periods (open and closed) of the viewer's own services: their own records."""
    if not viewer.reach:
        return FollowUpPeriod.objects.none()
    return FollowUpPeriod.objects.filter(screened(viewer), service_id__in=viewer.reach)


def referrals_for(viewer: Viewer) -> QuerySet[Referral]:
    """Referrals the viewer's services sent or received: both parties see them, and the
    receiver sees the youth's general information through it before following the youth."""
    mine = viewer.reach
    if not mine:
        return Referral.objects.none()
    return Referral.objects.filter(
        Q(screened(viewer, service="from_service_id"), from_service_id__in=mine)
        | Q(screened(viewer, service="to_service_id"), to_service_id__in=mine)
    )


def service_for_user(viewer: Viewer, service_id: uuid.UUID | str) -> Service:
    """One of the viewer's own services, else Http404."""
    if not viewer.reach:
        raise Http404
    try:
        return Service.objects.get(pk=service_id, pk__in=viewer.reach)
    except (Service.DoesNotExist, ValueError):
        raise Http404 from None


def held_by_my_services(
    viewer: Viewer, queryset: QuerySet[M], *, owner: str = "service", also: Q | None = None
) -> QuerySet[M]:
    """Rows a service of the viewer holds about a youth (``youth``) that service follows now.

    ``also`` admits rows a service holds before it follows the youth (the answer deadline of a
    referral in its inbox). Used for the service's own working records, such as deadlines.
    """
    if not viewer.reach:
        return queryset.none()
    follows = FollowUpPeriod.objects.filter(
        youth_id=OuterRef("youth_id"), service_id=OuterRef(f"{owner}_id"), ended_on__isnull=True
    )
    allowed = Q(Exists(follows)) | also if also is not None else Q(Exists(follows))
    return queryset.filter(
        screened(viewer, service=f"{owner}_id"), **{f"{owner}_id__in": viewer.reach}
    ).filter(allowed)


# --- Information: the one rule for who sees which item -------------------------------------


def _following(viewer: Viewer, youth_ref: Any) -> QuerySet[FollowUpPeriod]:
    """Open periods of the viewer's services with the youth ``youth_ref`` (a value or
    OuterRef)."""
    return reaching_periods(viewer).filter(youth_id=youth_ref)


def following_services(viewer: Viewer, youth_id: Any) -> list[tuple[Any, str]]:
    """(id, kind) of the viewer's services that follow the youth now, each only where it clears
    the youth's protected identity (``clears_values``: ``screen``'s rule for the one youth at
    hand, read with the periods): one query (none without services to follow with)."""
    if not viewer.reach:
        return []
    protection = tuple(dict.fromkeys(name for _clearance, name, _values in PROTECTIONS))
    periods = FollowUpPeriod.objects.filter(
        youth_id=youth_id, ended_on__isnull=True, service_id__in=viewer.reach
    ).values_list("service_id", "service__kind", *(f"youth__{name}" for name in protection))
    return [
        (service, kind)
        for service, kind, *values in periods
        if clears_values(viewer.cleared, dict(zip(protection, values, strict=True)), service)
    ]


def visible(
    viewer: Viewer,
    queryset: QuerySet[M],
    *,
    youth: str = "youth",
    owner: str = "service",
    category: str = "category",
    at: datetime.datetime | None = None,
) -> QuerySet[M]:
    """Filter any information queryset to the items the viewer may see, in one SQL query.

    An item (owned by a service, of one category) is visible when one of the viewer's services
    follows the youth (open period) and: that service owns it, or it is GENERAL, or an active
    consent covers owner → that service for its category, or its holder disclosed that very
    item to one of the viewer's services on a legal basis (``Disclosure``). A legal basis opens
    nothing else. Each row is annotated with what allowed it (``access_own``,
    ``access_consent``, ``access_disclosed``) for the access log. Managers see what their
    service sees; superusers nothing more.

    Items of many youths are read this way; one youth's through ``allowed_for`` (the same rule).
    """
    if not viewer.reach:
        return queryset.none()
    youth_id, owner_id = f"{youth}_id", f"{owner}_id"
    nested = _following(viewer, OuterRef(OuterRef(youth_id)))
    owner_kind = f"{owner}__kind"
    consent = covering_scopes(
        subject=OuterRef(youth_id),
        from_party=OuterRef(owner_id),
        from_kind=OuterRef(owner_kind),
        to_parties=nested.values("service_id"),
        to_kinds=nested.values("service__kind"),
        category=OuterRef(category),
        at=at,
    )
    filtered = (
        queryset.filter(Exists(_following(viewer, OuterRef(youth_id))))
        .annotate(
            access_own=Exists(
                _following(viewer, OuterRef(youth_id)).filter(service_id=OuterRef(owner_id))
            ),
            access_consent=Subquery(consent.order_by("consent_id").values("consent_id")[:1]),
            access_disclosed=_disclosed(viewer.reach, queryset.model, OuterRef("pk")),
        )
        .filter(
            Q(access_own=True)
            | Q(**{category: Category.GENERAL})
            | Q(access_consent__isnull=False)
            | Q(access_disclosed__isnull=False)
        )
    )
    return filtered  # type: ignore[return-value]


# The items a holder can disclose, by the type word the access log uses for them.
DISCLOSABLE: dict[type[models.Model], str] = {FollowUpEntry: "entry"}


def _disclosed(parties: Sequence[Any], model: type[models.Model], item: Any) -> Any:
    """The legal basis on which ``item`` (a value or OuterRef) was disclosed to one of
    ``parties``, the first by disclosure; NULL when it was not (always, for a kind of item
    that is never disclosed)."""
    if model not in DISCLOSABLE:
        return Value(None, output_field=models.CharField())
    return Subquery(
        DisclosedItem.objects.filter(
            item_type=DISCLOSABLE[model], item_id=item, to_party_id__in=parties
        )
        .order_by("disclosure_id")
        .values("disclosure__basis_id")[:1]
    )


@dataclass(frozen=True)
class Allowed:
    """``visible``'s rule for one youth as an allow-list: which (owner, category) items the
    viewer's services that follow the youth (``parties``, of ``kinds``) may see. An owner is a
    service id or, for a flow that covers any service of a kind, that kind. Items disclosed to
    one of the viewer's services (``reach``) are found in the same query as the items."""

    youth_id: Any
    parties: tuple[Any, ...]
    kinds: tuple[str, ...]
    by_consent: dict[tuple[Any, str], Any]  # (owner, category) -> the consent's id
    reach: tuple[Any, ...] = ()

    def q(
        self,
        *,
        owner: str = "service",
        category: str = "category",
        of: Callable[[Collection[str]], Q] | None = None,
    ) -> Q:
        """The rule as a condition on rows of this youth (owned by ``owner``, of ``category``):
        own, general, or covered by a consent (disclosures are items, not rows of a kind:
        ``filter`` adds them). ``of`` gives the condition that a row is of one of some
        categories, where that is not a column (``involvement_q``: a service's kind)."""

        def in_column(categories: Collection[str]) -> Q:
            return Q(**{f"{category}__in": sorted(categories)})

        of = of or in_column
        allowed = Q(**{f"{owner}_id__in": self.parties}) | of({Category.GENERAL})
        by_party: dict[Any, set[str]] = {}
        by_kind: dict[str, set[str]] = {}
        for from_owner, item_category in self.by_consent:
            wanted = by_kind if isinstance(from_owner, str) else by_party
            wanted.setdefault(from_owner, set()).add(item_category)
        for party, categories in by_party.items():
            allowed |= Q(**{f"{owner}_id": party}) & of(categories)
        for kind, categories in by_kind.items():
            allowed |= Q(**{f"{owner}__kind": kind}) & of(categories)
        return allowed

    def filter(
        self,
        queryset: QuerySet[M],
        *,
        youth: str = "youth",
        owner: str = "service",
        category: str = "category",
    ) -> QuerySet[M]:
        """The youth's items in ``queryset`` the viewer may see (plain filters), each annotated
        with the legal basis it was disclosed on, if it was (``access_disclosed``)."""
        annotated = queryset.filter(**{f"{youth}_id": self.youth_id}).annotate(
            access_disclosed=_disclosed(self.reach, queryset.model, OuterRef("pk"))
        )
        allowed = self.q(owner=owner, category=category)
        return annotated.filter(allowed | Q(access_disclosed__isnull=False))  # type: ignore[return-value]

    def sees(self, owner_id: Any, owner_kind: str, category: str) -> bool:
        """Whether the viewer may see one item of ``q``'s (its rule for a row at hand)."""
        return (
            category == Category.GENERAL
            or self.basis(owner_id, owner_kind, category, None) != "general"
        )

    def basis(self, owner_id: Any, owner_kind: str, category: str, disclosed: str | None) -> str:
        """What allows an item of ``filter``'s: as ``basis_of`` says for ``visible``'s."""
        if owner_id in self.parties:
            return "own"
        consents = [
            found
            for found in (
                self.by_consent.get((owner_id, category)),
                self.by_consent.get((owner_kind, category)),
            )
            if found is not None
        ]
        if consents:
            return f"consent:{uuid.UUID(str(min(consents)))}"
        if category == Category.GENERAL:
            return "general"
        return f"legal:{disclosed}" if disclosed else "general"


def allowed_for(
    viewer: Viewer, youth_id: Any, *, at: datetime.datetime | None = None
) -> Allowed | None:
    """The allow-list of one youth's items for the viewer: two queries (the services that follow
    the youth, and the flows that consents cover into them); None when none of the viewer's
    services follows the youth (who then sees none of its items)."""
    following = following_services(viewer, youth_id)
    if not following:
        return None
    return allowed_for_many(viewer.reach, {youth_id: following}, at=at)[youth_id]


def allowed_for_many(
    reach: Sequence[Any],
    following: Mapping[Any, Sequence[tuple[Any, str]]],
    *,
    at: datetime.datetime | None = None,
) -> dict[Any, Allowed]:
    """``allowed_for`` for several youths at once, given for each the (id, kind) of the
    viewer's services that follow them (none for a youth that needs no allow-list): one query
    for the flows that consents cover, none without youths."""
    parties = {youth: tuple(service for service, _kind in f) for youth, f in following.items()}
    kinds = {youth: tuple(sorted({kind for _service, kind in f})) for youth, f in following.items()}
    by_consent: dict[Any, dict[tuple[Any, str], Any]] = {youth: {} for youth in following}
    flows = covered_flows(
        subjects=[youth for youth, f in following.items() if f],
        to_parties=sorted({p for ps in parties.values() for p in ps}, key=str),
        to_kinds=sorted({k for ks in kinds.values() for k in ks}),
        at=at,
    )
    for flow in flows:
        if not flow.into(parties[flow.subject], kinds[flow.subject]):
            continue
        # Of several that cover a flow, the first by id names it (as ``visible`` picks it).
        key = (flow.from_party or flow.from_kind, flow.category)
        found = by_consent[flow.subject]
        found[key] = min(flow.consent_id, found.get(key, flow.consent_id))
    return {
        youth: Allowed(youth, parties[youth], kinds[youth], by_consent[youth], tuple(reach))
        for youth in following
    }


def basis_of(item: Any) -> str:
    """What allowed the user to see an item from ``visible()``: own, consent, general, or the
    legal basis of a disclosure of that item to the viewer's service."""
    if getattr(item, "access_own", False):
        return "own"
    if getattr(item, "access_consent", None):
        return f"consent:{uuid.UUID(str(item.access_consent))}"  # SQLite gives bare hex
    if getattr(item, "category", None) == Category.GENERAL:
        return "general"
    if getattr(item, "access_disclosed", None):
        return f"legal:{item.access_disclosed}"
    return "general"


# --- Involvement: which services follow a youth, and why -----------------------------------


def involvement_q(allowed: Allowed | None, owner: str = "service") -> Q:
    """The condition of ``involvement_filter`` on rows whose service is ``owner``, to combine
    with others: ``Allowed.q`` with the category of a service's involvement
    (``cases.models.involvement_category``) as a condition on its kind."""

    def of(categories: Collection[str]) -> Q:
        kinds = sorted(k for k in SENSITIVE_INVOLVEMENT if involvement_category(k) in categories)
        parts = [Q(**{f"{owner}__kind__in": kinds})] if kinds else []
        if Category.GENERAL in categories:
            parts.append(~Q(**{f"{owner}__kind__in": sorted(SENSITIVE_INVOLVEMENT)}))
        return functools.reduce(operator.or_, parts) if parts else Q(pk__in=[])

    if allowed is None:
        return of({Category.GENERAL})
    return allowed.q(owner=owner, of=of)


def involvement_filter(
    allowed: Allowed | None, queryset: QuerySet[M], *, owner: str = "service"
) -> QuerySet[M]:
    """Rows of one youth whose service (``owner``) the viewer may see following or referring
    them: any service of a kind not in ``SENSITIVE_INVOLVEMENT``, the viewer's own, and the
    others under a consent covering their category. Without ``allowed`` (no service of the
    viewer follows the youth) only the first."""
    return queryset.filter(involvement_q(allowed, owner))


def involvement_shown(allowed: Allowed | None, service_id: Any, kind: str) -> bool:
    """``involvement_filter``'s rule for one service at hand."""
    category = involvement_category(kind)
    if allowed is None:
        return category == Category.GENERAL
    return allowed.sees(service_id, kind, category)


def involvement_known(viewer: Viewer, youth_id: Any, service_id: Any, kind: str) -> bool:
    """Whether the viewer may learn whether a service (of ``kind``) follows the youth or has a
    referral about them: always for a kind whose involvement is general information, else as
    ``involvement_shown`` says with the viewer's allow-list for the youth (two queries). A
    refusal that names a fact the viewer may not know ("already follows") would tell it."""
    if involvement_category(kind) == Category.GENERAL:
        return True
    return involvement_shown(allowed_for(viewer, youth_id), service_id, kind)


def reason_shown(allowed: Allowed | None, service_id: Any, kind: str) -> bool:
    """Whether the viewer may read why a service follows the youth (a period's reasons): they
    are in the service's own category (``cases.models.kind_category``)."""
    return allowed is not None and allowed.sees(service_id, kind, kind_category(kind))


def shown_periods(
    allowed: Allowed | None, periods: Iterable[FollowUpPeriod]
) -> list[FollowUpPeriod]:
    """Of one youth's loaded periods (with their services), those the viewer may see, each
    without its reasons where the viewer may not read them (copies: the loaded ones stay as
    they are)."""
    shown = []
    for period in periods:
        kind = period.service.kind
        if not involvement_shown(allowed, period.service_id, kind):
            continue
        if not reason_shown(allowed, period.service_id, kind):
            period = copy.copy(period)
            period.reason = period.end_reason = period.registration_reason = ""
        shown.append(period)
    return shown


def is_disclosed(basis: str) -> bool:
    """Whether an item was seen because it was disclosed (a legal basis opens nothing else)."""
    return basis.startswith("legal:")


# --- Disclosures: what a holder gave another service on a legal basis ----------------------


def disclosures_for(viewer: Viewer) -> QuerySet[Disclosure]:
    """Disclosures the viewer's services made or received, whether or not they follow the
    youth now: the holder keeps the record of what it told, the recipient what it was told."""
    mine = viewer.reach
    if not mine:
        return Disclosure.objects.none()
    return Disclosure.objects.filter(Q(from_party_id__in=mine) | Q(to_party_id__in=mine))


def log_disclosures(viewer: Viewer, purpose: str, disclosures: Iterable[Disclosure]) -> None:
    """Disclosures seen by the viewer: each with its items, on its legal basis."""
    log_reads(
        viewer,
        purpose,
        [
            Read(
                youth_id=d.subject_id,
                following_service_ids=[d.to_party_id, d.from_party_id],
                items=[
                    {
                        "type": "disclosure",
                        "id": str(d.pk),
                        "category": Category.GENERAL,
                        "basis": f"legal:{d.basis_id}",
                        "disclosure": str(d.pk),
                    },
                    *(
                        {
                            "type": i.item_type,
                            "id": str(i.item_id),
                            "category": i.category,
                            "basis": f"legal:{d.basis_id}",
                            "disclosure": str(d.pk),
                        }
                        for i in d.items.all()
                    ),
                ],
            )
            for d in disclosures
        ],
    )


# --- The access log: every read of a youth's information, and every refused attempt --------


@dataclass(frozen=True)
class Read:
    """What a response showed of one youth: categories, items (type, id, category, basis)."""

    youth_id: Any
    following_service_ids: Sequence[Any] = ()
    items: Sequence[dict[str, Any]] = field(default_factory=tuple)
    categories: Sequence[str] = (Category.GENERAL,)


def log_reads(viewer: Viewer, purpose: str, reads: Iterable[Read]) -> None:
    """Write one access-log row per youth read, in one INSERT statement, before the response
    exists.

    A read whose only write is this log needs no transaction around it (the caseload, timeline
    and referral lists run without; ``access_log_record`` opens one of its own when none is
    open); if the INSERT fails the request fails and nothing was shown. Reads that write
    anything else, or log more than once, keep theirs."""
    accesses = []
    for read in reads:
        membership = viewer.membership_for(read.following_service_ids)
        bases = {item["basis"] for item in read.items} or {"general"}
        categories = {item["category"] for item in read.items} | set(read.categories)
        accesses.append(
            Access(
                subject_id=read.youth_id,
                granted=True,
                purpose=purpose,
                party_id=membership.service_id if membership else None,
                role=membership.role if membership else "",
                categories=sorted(categories),
                items=list(read.items),
                bases=sorted(bases),
            )
        )
    if accesses:
        access_log_record(actor=viewer.user, accesses=accesses)


def log_items(viewer: Viewer, purpose: str, youth_id: Any, items: list[dict[str, Any]]) -> None:
    """Items of one youth seen by the viewer, on the services the viewer works in."""
    log_reads(
        viewer,
        purpose,
        [
            Read(
                youth_id=youth_id,
                following_service_ids=[m.service_id for m in viewer.memberships],
                items=items,
            )
        ],
    )


def log_youth_read(viewer: Viewer, purpose: str, youth: Any, items: Iterable[Any] = ()) -> None:
    """One look at a youth (as loaded by ``selectors.youth_detail``) and the items shown."""
    following = [p.service_id for p in getattr(youth, "all_periods", []) if p.is_open]
    log_reads(
        viewer,
        purpose,
        [Read(youth_id=youth.pk, following_service_ids=following, items=list(items))],
    )


def log_referrals(viewer: Viewer, purpose: str, referrals: Iterable[Mapping[str, Any]]) -> None:
    """Referrals seen: rows of a box (``cases.referral_list``), or ``referral_values`` of a
    referral read on its own."""
    log_reads(
        viewer,
        purpose,
        [
            Read(
                youth_id=r["youth_id"],
                following_service_ids=[r["from_service_id"], r["to_service_id"]],
                items=[
                    {
                        "type": "referral",
                        "id": str(r["id"]),
                        "category": c,
                        "basis": r["bases"].get(c, "referral"),
                    }
                    for c in r["categories"]
                ],
            )
            for r in referrals
        ],
    )


def referral_values(referral: Referral) -> dict[str, Any]:
    """What ``log_referrals`` reads of a referral, under the names a box's rows hold it."""
    return {
        "id": referral.pk,
        "youth_id": referral.youth_id,
        "from_service_id": referral.from_service_id,
        "to_service_id": referral.to_service_id,
        "categories": referral.categories,
        "bases": referral.bases,
    }


def log_caseload(
    viewer: Viewer,
    purpose: str,
    youths: Iterable[dict[str, Any]],
    items: Mapping[Any, Sequence[dict[str, Any]]] | None = None,
) -> None:
    """Youths listed (general information: rows of ``cases.caseload``), each seen through the
    services that follow it (``open_periods``), with the items a row shows of the youth
    (``items`` by youth: the page's last contact and next deadline)."""
    shown = items or {}
    log_reads(
        viewer,
        purpose,
        [
            Read(
                y["id"],
                [p["service"]["id"] for p in y["open_periods"]],
                items=list(shown.get(y["id"], ())),
            )
            for y in youths
        ],
    )


def log_handovers(viewer: Viewer, purpose: str, handovers: Iterable[Any]) -> None:
    """Handovers listed: each youth seen through the receiving and the handing-over service."""
    log_reads(
        viewer,
        purpose,
        [Read(h.youth_id, [h.to_service_id, h.period.service_id]) for h in handovers],
    )


def log_denied(viewer: Viewer, youth_id: Any, purpose: str, *, through: Iterable[Any] = ()) -> None:
    """Record a refused attempt on a youth that exists (unknown ids have no one to log about),
    made through one of the services ``through`` when the attempt names it.

    Written at once: call it before the request opens a transaction, or the refusal that
    follows rolls the row back with it (the views check reach first, then open the transaction
    of their read or write)."""
    if not _is_staff(viewer.user) or not Youth.objects.filter(pk=youth_id).exists():
        return
    _log_refused(viewer, youth_id, purpose, through)


def log_denied_on(
    viewer: Viewer,
    model: type[models.Model],
    object_id: Any,
    purpose: str,
    *,
    youth: str = "youth_id",
) -> None:
    """Record a refused attempt on a record (of ``model``, by id) that exists: it is about a
    youth (``youth``, the path to its id), and the attempt is written against that youth, as
    ``log_denied`` writes it (and on the same rule: before a transaction opens). One query
    when the record does not exist, two when it does."""
    if not _is_staff(viewer.user):
        return
    try:
        youth_id = model._base_manager.filter(pk=object_id).values_list(youth, flat=True).first()
    except (ValueError, ValidationError):
        return
    if youth_id is not None:
        _log_refused(viewer, youth_id, purpose, ())


def refused(
    viewer: Viewer,
    model: type[models.Model],
    object_id: Any,
    purpose: str,
    *,
    youth: str = "youth_id",
) -> Http404:
    """The 404 to raise for a record the viewer may not reach or that does not exist, the
    refused attempt written first (``log_denied_on``)."""
    log_denied_on(viewer, model, object_id, purpose, youth=youth)
    return Http404()


def _log_refused(viewer: Viewer, youth_id: Any, purpose: str, through: Iterable[Any]) -> None:
    membership = viewer.membership_for(through)
    access_log_record(
        actor=viewer.user,
        accesses=[
            Access(
                subject_id=youth_id,
                granted=False,
                purpose=purpose,
                party_id=membership.service_id if membership else None,
                role=membership.role if membership else "",
            )
        ],
    )
