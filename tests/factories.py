"""factory_boy factories. Registry rows are made through the services, so tests obey the rules."""

from __future__ import annotations

import datetime
import itertools
import random
from typing import Any

import factory
from django.contrib.auth import get_user_model

from cases import demo, services
from cases.models import (
    FollowUpPeriod,
    OtRegistrationReason,
    Service,
    ServiceKind,
    StaffRole,
    Youth,
)

_numbers = random.Random(4003)
STAFF_FIRST_NAMES = ("Ingrid", "Lars", "Marit", "Torbjørn", "Sigrid", "Knut", "Randi", "Geir")
STAFF_LAST_NAMES = ("Solheim", "Nygård", "Haugen", "Lie", "Strand", "Moen", "Bakke", "Sæther")
_sequence = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"ansatt{n}")
    # Staff names come from a fixed list that shares no name with the youths the tests
    # register (Emma Hansen, Ola, ...): a random name could collide and make a "this name
    # must not show" assertion fail by chance.
    first_name = factory.Iterator(STAFF_FIRST_NAMES)
    last_name = factory.Iterator(STAFF_LAST_NAMES)
    email = factory.LazyAttribute(lambda u: f"{u.username}@samordna.test")
    password = factory.django.Password("passord-for-test")


def api_token(user: Any) -> dict[str, str]:
    """The header of a new API token for ``user`` (made by the service, as the endpoint does)."""
    from core.tokens import api_token_create

    return {"Authorization": f"Token {api_token_create(user=user).secret}"}


def derived(result: Any = None) -> Any:
    """Derive the deadlines of the youths whose facts changed, as the request that changed them
    does before it answers (``coordination.deadlines.middleware``); returns ``result``. Tests
    that call services directly call it where a request would have ended."""
    from coordination.deadlines import ledger

    ledger.derive_changed()
    return result


def sync_youth(youth_id: Any, *, now: Any = None) -> Any:
    """``ledger.sync_youths`` for one youth: its result, or an empty one when there is no such
    youth."""
    from coordination.deadlines import ledger

    return next(iter(ledger.sync_youths([youth_id], now=now).values()), ledger.SyncResult())


def make_service(kind: str = ServiceKind.NAV, name: str | None = None, **extra: Any) -> Service:
    number = next(_sequence)
    return services.service_create(
        kind=kind,
        name=name or f"{kind} tjeneste {number}",
        notification_email=extra.pop("notification_email", f"tjeneste{number}@samordna.test"),
        municipality_number=extra.pop("municipality_number", "4003"),
        **extra,
    )


def make_staff(
    service: Service, role: str = StaffRole.CASEWORKER, *, actor: Any = None, **user_fields: Any
) -> Any:
    """A staff member with a role in ``service``, granted by ``actor`` (no one: set up by the
    test)."""
    user = UserFactory(**user_fields)
    services.membership_add(actor=actor, user=user, service=service, role=role)
    return user


_issued: set[str] = set()


def synthetic_number(birth_date: datetime.date) -> str:
    """A synthetic number for the birth date, never the same one twice in a test run."""
    for _attempt in range(1000):
        number = demo.synthetic_national_id(_numbers, birth_date)
        if number not in _issued:
            _issued.add(number)
            return number
    raise RuntimeError(f"no unused synthetic number left for {birth_date}")


def years_ago(years: int, days: int = 40) -> datetime.date:
    today = datetime.date.today()
    return today.replace(year=today.year - years, day=1) - datetime.timedelta(days=days)


def register_youth(
    actor: Any,
    service: Service,
    *,
    birth_date: datetime.date | None = None,
    first_name: str = "Emma",
    last_name: str = "Hansen",
    **extra: Any,
) -> Youth:
    # A spread of birth dates: one date has only a few hundred valid synthetic numbers.
    birth_date = birth_date or years_ago(19, days=40 + _numbers.randint(0, 300))
    youth, _period, _created = services.youth_register(
        actor=actor,
        service=service,
        national_id=extra.pop("national_id", None) or synthetic_number(birth_date),
        first_name=first_name,
        last_name=last_name,
        municipality_number=extra.pop("municipality_number", "4003"),
        reason=extra.pop("reason", "Har avbrutt opplæringen"),
        registration_reason=extra.pop("registration_reason", ot_reason(service)),
        **extra,
    )
    return youth


def parent(actor: Any, youth: Youth, full_name: str = "Kari Mor") -> Any:
    """A parent of ``youth`` with parental responsibility, recorded by ``actor``."""
    return services.guardian_add(
        actor=actor,
        youth=youth,
        full_name=full_name,
        relation="PARENT",
        has_parental_responsibility=True,
    )


def ot_reason(service: Service) -> str:
    """A registration reason code for OT's periods (required there), nothing for others."""
    return OtRegistrationReason.OT_DROPPED_OUT if service.kind == ServiceKind.OT else ""


def follow(actor: Any, service: Service, youth: Youth, **extra: Any) -> FollowUpPeriod:
    return services.period_open(
        actor=actor,
        youth=youth,
        service=service,
        reason=extra.pop("reason", "Samarbeid om oppfølging"),
        registration_reason=extra.pop("registration_reason", ot_reason(service)),
        **extra,
    )


def log_entry(people: Any, user: Any, service: Service, category: str, text: str = "Notat") -> Any:
    """A follow-up entry on the fixture's youth, dated today."""
    from django.utils import timezone

    return services.entry_log(
        actor=user,
        youth=people.youth,
        service=service,
        occurred_on=timezone.localdate(),
        kind="CONVERSATION",
        category=category,
        text=text,
    )


def send_referral(people: Any, to_service: Service) -> Any:
    """NAV refers the fixture's youth to ``to_service``, with nothing shared."""
    return services.referral_send(
        actor=people.nav_advisor,
        youth=people.youth,
        from_service=people.nav,
        to_service=to_service,
        reason_code=ot_reason(to_service) or "OTHER",
        reason="Trenger hjelp",
        message="Ta kontakt",
        categories=[],
    )


def ot_refers_to_nav(
    people: Any, youth: Any, reason_code: str = "OT_NOT_IN_WORK", message: str = "Trenger jobb."
) -> Any:
    """OT's counsellor refers ``youth`` to NAV (by default: out of work), nothing shared."""
    return services.referral_send(
        actor=people.ot_counsellor,
        youth=youth,
        from_service=people.ot,
        to_service=people.nav,
        reason_code=reason_code,
        message=message,
        categories=[],
    )


def holder_staff(people: Any, service: Any) -> Any:
    """The fixture's staff member who works in ``service`` (the holder of its records)."""
    by_service = {
        people.nav.pk: people.nav_advisor,
        people.ot.pk: people.ot_counsellor,
        people.school.pk: people.school_counsellor,
        people.health.pk: people.health_nurse,
        people.child_welfare.pk: people.cw_caseworker,
        people.elsewhere.pk: people.outsider,
    }
    return by_service.get(getattr(service, "pk", None), people.nav_advisor)


def give_consent(people: Any, *flows: Any, **fields: Any) -> Any:
    """A consent the fixture's youth gives, for cooperation, covering ``flows``
    (``consent.services.Flow``): recorded by default by the staff member of the service the
    first flow shares from (only the holder opens its records)."""
    values = {
        "actor": holder_staff(people, flows[0].from_party if flows else None),
        "youth": people.youth,
        "decision": "GIVEN",
        "giver": "SUBJECT",
        "purpose_code": "SAMARBEID",
        "purpose": "Samarbeid",
        "method": "DIGITAL",
        "agreed_text": "Jeg samtykker.",
    }
    return services.consent_give(**{**values, **fields}, flows=list(flows))
