"""The youth's own page (*Min side*): what the youth, or a guardian of a minor, may see and do.

The youth sees everything about themselves: which services follow them, their consents and
every look at their information (GDPR art. 15). A guardian's way in lasts while the youth is a
minor and the guardian holds parental responsibility, and from the youth's 16th birthday it does
not show health matters, which the youth then decides alone. Withdrawal takes effect at once.
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

from cases import selectors, services
from cases.models import FollowUpPeriod, Guardian, PortalAccount, ServiceKind, Youth
from consent import ages
from consent.categories import Category
from consent.models import AccessLogEntry, Consent, Giver, Method
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
    """Categories a guardian does not see: from 16 the youth decides health matters alone, and
    the guardians are not told about them (pasient- og brukerrettighetsloven §§ 3-4, 4-3)."""
    if account.guardian is not None and (
        ages.age_on(account.youth.birth_date, today) >= ages.HEALTH_CONSENT_AGE
    ):
        return frozenset({Category.HEALTH})
    return frozenset()


def shown(account: PortalAccount, today: datetime.date, category: str, service_kind: str) -> bool:
    """Whether an item of a category, held by a service of a kind, is shown on this account's
    page (a health service's involvement is itself health information)."""
    hidden = withheld(account, today)
    return category not in hidden and not (
        Category.HEALTH in hidden and service_kind == ServiceKind.HEALTH
    )


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


def account_for(user: Any, youth_id: Any) -> PortalAccount:
    for link in accounts_for(user):
        if str(link.youth_id) == str(youth_id):
            return link
    raise Http404


def following(youth: Youth) -> QuerySet[FollowUpPeriod]:
    """The services that follow the youth now, with the contact person."""
    return (
        FollowUpPeriod.objects.filter(youth=youth, ended_on__isnull=True)
        .select_related("service", "responsible")
        .order_by("service__name")
    )


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


@transaction.atomic
def withdraw(*, user: Any, youth_id: Any, consent_id: Any) -> Consent:
    """One click on the youth's page: withdrawn digitally, with effect from now."""
    account = account_for(user, youth_id)
    try:
        consent = consents(account.youth).get(pk=consent_id)
    except (Consent.DoesNotExist, ValueError):
        raise Http404 from None
    if not may_withdraw(account, consent, timezone.localdate()):
        raise ApplicationError(
            _("Dette samtykket kan ikke trekkes tilbake herfra."), code="not_withdrawable"
        )
    return services.consent_withdraw(actor=user, consent=consent, method=Method.DIGITAL)


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
