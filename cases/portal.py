"""The youth's own page (*Min side*): what the youth, or a guardian of a minor, may see and do.

The youth sees everything about themselves: which services follow them, their consents and
every look at their information (GDPR art. 15). A guardian's way in lasts while the youth is a
minor and the guardian holds parental responsibility; it does not show health matters from the
youth's 16th birthday, when the youth decides them alone, nor from 12 while the youth objects
to the guardians being told (``withheld``). The youth's page says from which day the youth
consents alone (``takeover``). Withdrawal takes effect at once.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access, selectors, services
from cases.models import (
    Activity,
    ConsentRequest,
    ConsentRequestState,
    FollowUpPeriod,
    Guardian,
    HealthObjection,
    PortalAccount,
    ServiceKind,
    Thread,
    ThreadKind,
    Youth,
)
from cases.selectors.dialogue import unread_for
from consent import ages
from consent.categories import Category
from consent.models import AccessLogEntry, Consent, Giver, LegalBasis, Method
from core.errors import ApplicationError


def in_force(account: PortalAccount, today: datetime.date) -> bool:
    """A guardian's link ends when the youth turns 18 or the guardian loses responsibility."""
    if account.guardian is None:
        return True
    return (
        account.guardian.has_parental_responsibility
        and ages.age_on(account.youth.birth_date, today) < ages.AGE_OF_MAJORITY
    )


def withheld(account: PortalAccount, today: datetime.date) -> frozenset[str]:
    """Categories a guardian is not told about: health from 16, when the youth decides health
    matters alone (pasient- og brukerrettighetsloven § 4-3), and from 12 while the youth's
    objection stands (§ 3-4 second paragraph; one indexed query, only for a guardian of a youth
    of 12 to 15). The youth sees everything."""
    return withheld_by(withholding(account, today))


def withheld_by(reason: str | None) -> frozenset[str]:
    """The categories left out for a reason of ``withholding`` (health, for either reason)."""
    return frozenset({Category.HEALTH}) if reason else frozenset()


# Why a guardian's page leaves health out (``withholding``).
HEALTH_FROM_16 = "health-from-16"
HEALTH_OBJECTION = "health-objection"


def withholding(account: PortalAccount, today: datetime.date) -> str | None:
    """Why a guardian is not told about the youth's health, or None: ``HEALTH_FROM_16`` (the
    youth decides health matters alone from 16, pasient- og brukerrettighetsloven § 4-3 first
    paragraph b) or ``HEALTH_OBJECTION`` (a youth of 12 to 15 objects, § 3-4 second
    paragraph). One indexed query, only for a guardian of a youth of 12 to 15."""
    if account.guardian is None:
        return None
    birth_date = account.youth.birth_date
    if ages.age_on(birth_date, today) >= ages.HEALTH_CONSENT_AGE:
        return HEALTH_FROM_16
    if ages.may_object_to_guardians_on_health(birth_date, today) and (
        HealthObjection.objects.filter(
            youth_id=account.youth_id, withdrawn_at__isnull=True
        ).exists()
    ):
        return HEALTH_OBJECTION
    return None


def withheld_bases() -> frozenset[str]:
    """Access-log bases not shown on the page, to the youth or the guardians: disclosures on a
    legal basis whose law keeps them from the family, and the recipient's reads of what was
    disclosed (barnevernsloven § 13-2, helsepersonelloven § 33; the rule and its sources are in
    ``cases.legal_bases``). One query."""
    codes = LegalBasis.objects.filter(shown_on_own_page=False).values_list("code", flat=True)
    return frozenset(f"legal:{code}" for code in codes)


def takeover(account: PortalAccount, today: datetime.date) -> list[tuple[datetime.date, list[str]]]:
    """For the youth's own page: the days from which the youth consents alone, each with the
    categories taken over that day (labels), as ``consent.ages`` says."""
    if account.guardian is not None:
        return []
    youth = account.youth
    return [
        (day, [str(Category(category).label) for category in categories])
        for day, categories in ages.takes_over(
            youth.birth_date, today, youth.municipality_number
        ).items()
    ]


def shown(hidden: frozenset[str], category: str, service_kind: str) -> bool:
    """Whether an item of a category, held by a service of a kind, is shown on a page whose
    account is not told about ``hidden`` (``withheld``): a health service's involvement is
    itself health information."""
    return category not in hidden and not (
        Category.HEALTH in hidden and service_kind == ServiceKind.HEALTH
    )


def consent_shown(hidden: frozenset[str], consent: Consent) -> bool:
    """Whether a consent (with its scopes and their parties loaded) is shown on a page whose
    account is not told about ``hidden``: every flow it names, at both ends."""
    return all(
        shown(hidden, s.category, s.from_party.kind if s.from_party else s.from_kind)
        and shown(hidden, s.category, s.to_party.kind if s.to_party else s.to_kind)
        for s in consent.scopes.all()
    )


def look_shown(hidden: frozenset[str], bases: frozenset[str], look: AccessLogEntry) -> bool:
    """Whether a row of ``access_log`` is shown: none that showed a category the account is not
    told about (``hidden``, from ``withheld``), nor one on a basis not shown on the page
    (``bases``, from ``withheld_bases``)."""
    return not hidden & set(look.categories) and not bases & set(look.bases)


def reveals_whereabouts(account: PortalAccount) -> bool:
    """Whether the page may show where the youth is followed (services, their places and
    people, the municipality). Not to a guardian of a youth with a protected identity: a
    protected address is often given to keep the youth from someone close, and NAV shows no
    trace of where such a person lives or is followed."""
    return not (account.is_guardian and account.youth.identity_protected)


def accounts_for(user: Any) -> list[PortalAccount]:
    """The user's portal links that are in force, youths by name. One query."""
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    links = PortalAccount.objects.filter(user=user).select_related("youth", "guardian")
    return sorted(
        (link for link in links if in_force(link, today)), key=lambda link: link.youth.full_name
    )


def account_for(user: Any, youth_id: Any, *, purpose: str = "portal") -> PortalAccount:
    """The user's link to the youth, else Http404. An attempt on a youth that exists, by anyone
    signed in, is written to the access log as refused (``access.log_denied``: call it before a
    transaction opens)."""
    for link in accounts_for(user):
        if str(link.youth_id) == str(youth_id):
            return link
    access.log_denied(access.viewer_for(user), youth_id, purpose)
    raise Http404


def following(youth: Youth) -> QuerySet[FollowUpPeriod]:
    """The services that follow the youth now, with the contact person."""
    return (
        FollowUpPeriod.objects.filter(youth=youth, ended_on__isnull=True)
        .select_related("service", "responsible")
        .order_by("service__name")
    )


def threads(account: PortalAccount, hidden: frozenset[str]) -> QuerySet[Thread]:
    """The youth's threads with their contact persons that the account sees, the newest message
    first, each with the messages the account has not read (``unread``). The youth sees all of
    them; a guardian none where the page hides where the youth is followed
    (``reveals_whereabouts``), and none in a category or with a service the page does not show
    the guardian (``withheld``, as ``shown``). One query."""
    rows = Thread.objects.filter(youth_id=account.youth_id, kind=ThreadKind.YOUTH)
    if not reveals_whereabouts(account):
        return rows.none()
    if hidden:
        rows = rows.exclude(category__in=sorted(hidden))
        if Category.HEALTH in hidden:
            rows = rows.exclude(service__kind=ServiceKind.HEALTH)
    return (
        rows.select_related("service")
        .annotate(unread=unread_for(account.user_id))
        .order_by("-last_message_at", "-id")
    )


def contact_services(youth: Youth) -> list[FollowUpPeriod]:
    """The open periods whose service the youth may write to: those with a contact person."""
    return [p for p in following(youth) if p.responsible_id is not None]


def consents(youth: Youth) -> QuerySet[Consent]:
    return selectors.consent_list(youth=youth).prefetch_related(
        "scopes__from_party", "scopes__to_party"
    )


def access_log(youth: Youth, *, without_health_services: bool = False) -> QuerySet[AccessLogEntry]:
    """Every granted look at the youth's information, newest first."""
    looks = AccessLogEntry.objects.filter(subject=youth, granted=True)
    if without_health_services:
        looks = looks.exclude(party__kind=ServiceKind.HEALTH)
    return looks.select_related("party").order_by("-at", "-pk")


def _youth_decides(consent: Consent, youth: Youth, today: datetime.date) -> bool:
    age = ages.age_on(youth.birth_date, today)
    categories = {scope.category for scope in consent.scopes.all()}
    return all(
        age >= ages.consent_age(category, youth.municipality_number) for category in categories
    )


def may_withdraw(account: PortalAccount, consent: Consent, today: datetime.date) -> bool:
    """The one who decides now may withdraw: the youth their own consents, and the guardians'
    once the youth decides for every category in it; a guardian the guardians' consents while
    the youth does not yet decide."""
    if not consent.is_active():
        return False
    decides = _youth_decides(consent, account.youth, today)
    if account.is_guardian:
        return consent.giver == Giver.GUARDIANS and not decides
    return consent.giver == Giver.SUBJECT or decides


def withdraw(*, user: Any, youth_id: Any, consent_id: Any, assurance_level: str = "") -> Consent:
    """One click on the youth's page: withdrawn digitally, with effect from now, with the
    log-in's ``assurance_level``. The link is checked before the transaction, so a refused
    attempt's access-log row stays."""
    account = account_for(user, youth_id, purpose="portal-withdraw")
    with transaction.atomic():
        try:
            consent = consents(account.youth).get(pk=consent_id)
        except (Consent.DoesNotExist, ValueError):
            raise Http404 from None
        if not may_withdraw(account, consent, timezone.localdate()):
            raise ApplicationError(
                _("Dette samtykket kan ikke trekkes tilbake herfra."), code="not_withdrawable"
            )
        return services.consent_withdraw(
            actor=user,
            consent=consent,
            method=Method.DIGITAL,
            on_own_page=True,
            assurance_level=assurance_level,
        )


def may_object(account: PortalAccount, today: datetime.date) -> bool:
    """The youth's own page offers the objection to guardians being told about health from 12
    to the 16th birthday (pasient- og brukerrettighetsloven § 3-4 second paragraph)."""
    return account.guardian_id is None and ages.may_object_to_guardians_on_health(
        account.youth.birth_date, today
    )


def objection_toggle(*, user: Any, youth_id: Any) -> HealthObjection | None:
    """The youth objects (or no longer objects) to the guardians being told about their
    health: the standing objection withdrawn, or a new one recorded by the youth. Returns the
    new objection, or None when it was withdrawn. The link is checked before the transaction,
    so a refused attempt's access-log row stays."""
    account = account_for(user, youth_id, purpose="portal-health-objection")
    if account.guardian_id is not None:
        raise Http404
    with transaction.atomic():
        if HealthObjection.objects.filter(
            youth_id=account.youth_id, withdrawn_at__isnull=True
        ).exists():
            services.health_objection_withdraw(actor=user, youth=account.youth, service=None)
            return None
        return services.health_objection_record(actor=user, youth=account.youth, service=None)


@transaction.atomic
def account_create(
    *, youth: Youth, username: str, password: str, guardian: Guardian | None = None
) -> PortalAccount:
    """A local account for the youth (or a guardian of the youth) to log in to their page."""
    if guardian is not None and guardian.youth_id != youth.pk:
        raise ApplicationError(_("Foresatt hører ikke til ungdommen."), code="wrong_guardian")
    name = (guardian.full_name if guardian else youth.full_name).split(" ", 1)
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        first_name=name[0],
        last_name=name[1] if len(name) > 1 else "",
    )
    return PortalAccount.objects.create(user=user, youth=youth, guardian=guardian)


def activity_for(account: PortalAccount, activity_id: Any) -> Activity:
    """An activity of the youth's activity plan in the open NAV period, as the page shows it
    to the account (``shown``; none where the page hides where the youth is followed), with
    its plan and responsible service; else Http404."""
    if not reveals_whereabouts(account):
        raise Http404
    try:
        activity = Activity.objects.select_related(
            "responsible_service", "plan__period__service", "agreed_by"
        ).get(pk=activity_id, youth_id=account.youth_id, plan__period__ended_on__isnull=True)
    except (Activity.DoesNotExist, ValueError):
        raise Http404 from None
    hidden = withheld(account, timezone.localdate())
    if not shown(hidden, activity.category, activity.responsible_service.kind):
        raise Http404
    return activity


def consent_requests(account: PortalAccount, hidden: frozenset[str]) -> list[ConsentRequest]:
    """The consents the services ask for that wait for an answer, as the page shows them to
    the account (every category and both services shown; none where the page hides where the
    youth is followed). Two queries: the requests, and the guardians' answers on those a
    guardians' consent already answers in part."""
    if not reveals_whereabouts(account):
        return []
    rows = (
        ConsentRequest.objects.filter(youth_id=account.youth_id, state=ConsentRequestState.OPEN)
        .select_related("from_service", "to_service", "consent")
        .prefetch_related("consent__guardian_decisions")
        .order_by("-requested_at")
    )
    return [
        r
        for r in rows
        if all(shown(hidden, c, r.from_service.kind) for c in r.categories)
        and all(shown(hidden, c, r.to_service.kind) for c in r.categories)
    ]


def consent_request_for(account: PortalAccount, request_id: Any) -> ConsentRequest:
    """One request the page shows the account (``consent_requests``, open or answered), else
    Http404."""
    if not reveals_whereabouts(account):
        raise Http404
    try:
        request = ConsentRequest.objects.select_related(
            "from_service", "to_service", "consent"
        ).get(pk=request_id, youth_id=account.youth_id)
    except (ConsentRequest.DoesNotExist, ValueError):
        raise Http404 from None
    hidden = withheld(account, timezone.localdate())
    if not all(
        shown(hidden, c, kind)
        for c in request.categories
        for kind in (request.from_service.kind, request.to_service.kind)
    ):
        raise Http404
    return request
