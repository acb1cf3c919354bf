"""An NAV office and an OT service with staff, and helpers to travel in time."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from cases import services
from cases.models import Service, ServiceKind, StaffRole, Youth
from coordination.models import Deadline
from tests import factories
from tests.factories import derived

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def at(day: str, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """An instant in Europe/Oslo."""
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day), datetime.time(hour, minute), tzinfo=OSLO
    )


@dataclass
class Office:
    nav: Service
    ot: Service
    advisor: Any
    manager: Any
    counsellor: Any

    def youth(self, birth_date: str, *, on: str) -> Youth:
        """A youth born on ``birth_date``, registered by NAV (open period) on ``on``."""
        with time_machine.travel(at(on, 9), tick=False):
            return derived(
                factories.register_youth(
                    self.advisor,
                    self.nav,
                    birth_date=datetime.date.fromisoformat(birth_date),
                    started_on=datetime.date.fromisoformat(on),
                )
            )

    def decide(self, youth: Youth, group: str, *, on: str) -> Any:
        with time_machine.travel(at(on, 10), tick=False):
            return derived(
                services.decision_record(
                    actor=self.advisor,
                    youth=youth,
                    service=self.nav,
                    innsatsgruppe=group,
                    main_goal="SKAFFE_ARBEID",
                    decided_on=datetime.date.fromisoformat(on),
                )
            )


@pytest.fixture
def office(db: Any) -> Office:
    nav = factories.make_service(ServiceKind.NAV, "NAV Skien")
    ot = factories.make_service(ServiceKind.OT, "OT Vestfold og Telemark", county_number="40")
    return Office(
        nav=nav,
        ot=ot,
        advisor=factories.make_staff(nav, username="ingrid.nav", email="ingrid@nav.test"),
        manager=factories.make_staff(
            nav, StaffRole.MANAGER, username="hilde.nav", email="hilde@nav.test"
        ),
        counsellor=factories.make_staff(ot, username="ola.ot", email="ola@ot.test"),
    )


@pytest.fixture
def travel() -> Iterator[Any]:
    """travel("2027-01-31", hour) moves the clock (Europe/Oslo) until the test ends."""
    travellers: list[Any] = []

    def go(day: str, hour: int = 12, minute: int = 0) -> None:
        for traveller in travellers:
            traveller.stop()
        travellers.clear()
        traveller = time_machine.travel(at(day, hour, minute), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()


def deadline(youth: Youth, rule: str) -> Deadline:
    return Deadline.objects.get(youth=youth, rule_id=rule)


def deadlines(youth: Youth, rule: str) -> list[Deadline]:
    return list(Deadline.objects.filter(youth=youth, rule_id=rule).order_by("due_on"))


@pytest.fixture
def smtp(settings: Any) -> Iterator[Any]:
    """A real SMTP server; Django sends to it."""
    from tests.smtp import SmtpServer

    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
