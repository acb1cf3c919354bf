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

import datetime
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeGuard, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404

from cases.models import (
    CASELOAD_ROLES,
    PROTECTED_IDENTITY,
    STRENGT_FORTROLIG_GRADES,
    AddressProtection,
    FollowUpPeriod,
    Referral,
    Service,
    StaffMembership,
    Youth,
)
from consent.categories import Category
from consent.coverage import covered_flows, covering_flows, covering_scopes
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
    return all(
        service_id in in_services
        for (_clearance, field_name, values), in_services in zip(
            PROTECTIONS, viewer.cleared, strict=True
        )
        if getattr(youth, field_name) in values
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
    """(id, kind) of the viewer's services that follow the youth now: one query (none without
    services to follow with)."""
    if not viewer.reach:
        return []
    return list(_following(viewer, youth_id).values_list("service_id", "service__kind"))


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
    consent or a legal basis covers owner → that service for its category. Each row is annotated
    with what allowed it (``access_own``, ``access_consent``, ``access_legal``) for the access
    log. Managers see what their service sees; superusers nothing more.

    Items of many youths are read this way; one youth's through ``allowed_for`` (the same rule).
    """
    if not viewer.reach:
        return queryset.none()
    youth_id, owner_id = f"{youth}_id", f"{owner}_id"
    nested = _following(viewer, OuterRef(OuterRef(youth_id)))
    return _with_access(
        queryset.filter(Exists(_following(viewer, OuterRef(youth_id)))),
        own=Exists(_following(viewer, OuterRef(youth_id)).filter(service_id=OuterRef(owner_id))),
        subject=OuterRef(youth_id),
        to_parties=nested.values("service_id"),
        to_kinds=nested.values("service__kind"),
        owner=owner,
        category=category,
        at=at,
    )


@dataclass(frozen=True)
class Allowed:
    """``visible``'s rule for one youth as an allow-list: which (owner, category) items the
    viewer's services that follow the youth (``parties``, of ``kinds``) may see. An owner is a
    service id or, for a flow that covers any service of a kind, that kind."""

    youth_id: Any
    parties: tuple[Any, ...]
    kinds: tuple[str, ...]
    by_consent: dict[tuple[Any, str], Any]  # (owner, category) -> the consent's id
    by_law: dict[tuple[str, str], str]  # (owner kind, category) -> the legal basis' code

    def filter(
        self,
        queryset: QuerySet[M],
        *,
        youth: str = "youth",
        owner: str = "service",
        category: str = "category",
    ) -> QuerySet[M]:
        """The youth's items in ``queryset`` the viewer may see (plain filters, no subquery)."""
        allowed = Q(**{f"{owner}_id__in": self.parties}) | Q(**{category: Category.GENERAL})
        by_party: dict[Any, set[str]] = {}
        by_kind: dict[str, set[str]] = {}
        for from_owner, item_category in [*self.by_consent, *self.by_law]:
            wanted = by_kind if isinstance(from_owner, str) else by_party
            wanted.setdefault(from_owner, set()).add(item_category)
        for party, categories in by_party.items():
            allowed |= Q(**{f"{owner}_id": party, f"{category}__in": sorted(categories)})
        for kind, categories in by_kind.items():
            allowed |= Q(**{f"{owner}__kind": kind, f"{category}__in": sorted(categories)})
        return queryset.filter(allowed, **{f"{youth}_id": self.youth_id})

    def basis(self, owner_id: Any, owner_kind: str, category: str) -> str:
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
        law = self.by_law.get((owner_kind, category))
        return f"legal:{law}" if law else "general"


def allowed_for(
    viewer: Viewer, youth_id: Any, *, at: datetime.datetime | None = None
) -> Allowed | None:
    """The allow-list of one youth's items for the viewer: two queries (the services that follow
    the youth, and the flows that consents and legal bases cover into them); None when none of
    the viewer's services follows the youth (who then sees none of its items)."""
    following = following_services(viewer, youth_id)
    if not following:
        return None
    parties = tuple(service for service, _kind in following)
    kinds = tuple(sorted({kind for _service, kind in following}))
    by_consent: dict[tuple[Any, str], Any] = {}
    by_law: dict[tuple[str, str], str] = {}
    rows = covered_flows(subject=youth_id, to_parties=parties, to_kinds=kinds, at=at)
    for from_party, from_kind, item_category, consent_id, basis_id in rows:
        # Of several that cover a flow, the first by id names it (as ``visible`` picks it).
        if consent_id is not None:
            key = (from_party or from_kind, item_category)
            by_consent[key] = min(consent_id, by_consent.get(key, consent_id))
        elif basis_id is not None:
            by_law[from_kind, item_category] = min(
                basis_id, by_law.get((from_kind, item_category), basis_id)
            )
    return Allowed(youth_id, parties, kinds, by_consent, by_law)


def _with_access(
    queryset: QuerySet[M],
    *,
    own: Any,
    subject: Any,
    to_parties: Any,
    to_kinds: Any,
    owner: str,
    category: str,
    at: datetime.datetime | None,
) -> QuerySet[M]:
    """Annotate what allows each item (own, consent, legal basis) and keep the allowed ones."""
    owner_id, owner_kind = f"{owner}_id", f"{owner}__kind"
    consent = covering_scopes(
        subject=subject,
        from_party=OuterRef(owner_id),
        from_kind=OuterRef(owner_kind),
        to_parties=to_parties,
        to_kinds=to_kinds,
        category=OuterRef(category),
        at=at,
    )
    legal = covering_flows(
        from_kind=OuterRef(owner_kind), to_kinds=to_kinds, category=OuterRef(category)
    )
    filtered = queryset.annotate(
        access_own=own,
        access_consent=Subquery(consent.order_by("consent_id").values("consent_id")[:1]),
        access_legal=Subquery(legal.order_by("basis_id").values("basis_id")[:1]),
    ).filter(
        Q(access_own=True)
        | Q(**{category: Category.GENERAL})
        | Q(access_consent__isnull=False)
        | Q(access_legal__isnull=False)
    )
    return filtered  # type: ignore[return-value]


def basis_of(item: Any) -> str:
    """What allowed the user to see an item from ``visible()``: own, consent, legal or general."""
    if getattr(item, "access_own", False):
        return "own"
    if getattr(item, "access_consent", None):
        return f"consent:{uuid.UUID(str(item.access_consent))}"  # SQLite gives bare hex
    if getattr(item, "access_legal", None):
        return f"legal:{item.access_legal}"
    return "general"


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


def log_caseload(viewer: Viewer, purpose: str, youths: Iterable[dict[str, Any]]) -> None:
    """Youths listed (general information: rows of ``cases.caseload``), each seen through the
    services that follow it (``open_periods``)."""
    log_reads(
        viewer,
        purpose,
        [Read(y["id"], [p["service"]["id"] for p in y["open_periods"]]) for y in youths],
    )


def log_handovers(viewer: Viewer, purpose: str, handovers: Iterable[Any]) -> None:
    """Handovers listed: each youth seen through the receiving and the handing-over service."""
    log_reads(
        viewer,
        purpose,
        [Read(h.youth_id, [h.to_service_id, h.period.service_id]) for h in handovers],
    )


def log_denied(viewer: Viewer, youth_id: Any, purpose: str) -> None:
    """Record a refused attempt on a youth that exists (unknown ids have no one to log about)."""
    if not _is_staff(viewer.user) or not Youth.objects.filter(pk=youth_id).exists():
        return
    membership = viewer.membership_for()
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
