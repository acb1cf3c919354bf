"""Property-based tests of the API against its own OpenAPI schema (schemathesis).

Every operation in ``/api/schema/`` is called with generated requests, valid and invalid, as
NAV's advisor with a token, in-process through Django's WSGI handler, and every answer is held
to the schema: no server errors, only documented status codes, content types, headers and
bodies. A state machine then follows the links schemathesis infers between operations (create
a youth, then read it; list referrals, then act on one).

The people and records are built once per module inside a transaction that is rolled back at
the end; each generated request runs in a savepoint that is rolled back too, so every example
starts from the same records and a failing request cannot poison the next one.

    python scripts/with_postgres.py -- pytest -m schema tests/api          (or with -n 2)
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.db import transaction
from django.db.models import QuerySet
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cases import services
from cases.models import (
    Activity,
    ActivityPlan,
    FollowUpEntry,
    FollowUpPeriod,
    Handover,
    Referral,
    Service,
    Youth,
)
from consent.models import Consent
from consent.services import Flow
from coordination.models import (
    ChildCoordinator,
    Deadline,
    Plan,
    PlanGoal,
    PlanMeasure,
    PlanParticipant,
)
from core.models import ApiToken
from core.tokens import digest_of
from tests import factories
from tests.api.conftest import application, connection_kept_across_requests
from tests.conftest import build_people
from tests.coordination.plan_helpers import nav_and_plan_records

pytestmark = pytest.mark.schema

# A fixed key so the header is known when the schema is loaded (at collection); the token row
# itself lives only in the module's rolled-back transaction.
TOKEN = "5c4e0d1f2a3b4c5d6e7f8091a2b3c4d5e6f70819"
AUTH = {"Authorization": f"Token {TOKEN}"}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

CONFIG_HEALTH_CHECKS = [
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 4003,
        "headers": AUTH,
        "generation": {
            "mode": "all",
            "max-examples": 10,
            "deterministic": True,
            "database": "none",
        },
        "phases": {
            "coverage": {"enabled": False},
            "stateful": {"max-steps": 8},
        },
        "suppress-health-check": [check.name for check in CONFIG_HEALTH_CHECKS],
    }
)

schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)

# Ids of the seeded records by the collection they live under (the first path segment after
# /api/v1/); path parameters draw from them half of the time, so operations reach real rows.
KNOWN_IDS: dict[str, list[str]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    collection = context.operation.path.removeprefix("/api/v1/").split("/")[0]
    if not path_parameters or not _is_uuid(path_parameters.get("id")):
        return st.just(path_parameters)
    real = st.integers(min_value=0, max_value=7).map(
        lambda n: {**path_parameters, "id": _known(collection, n, path_parameters["id"])}
    )
    return st.one_of(real, st.just(path_parameters))


# Values for body fields that name another record or a staff member, as NAV's advisor would
# send them: half of the generated bodies carry them, so creates and actions get past the
# lookups to the rules behind them.
KNOWN_REFERENCES: dict[str, str] = {}


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    if not isinstance(body, dict) or not KNOWN_REFERENCES.keys() & body.keys():
        return st.just(body)
    # Read at draw time: the records exist only once the module's fixture has run.
    return st.booleans().map(lambda real: _with_references(body) if real else body)


def _with_references(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, **{k: v for k, v in KNOWN_REFERENCES.items() if k in body}}


def _known(collection: str, n: int, fallback: str) -> str:
    ids = KNOWN_IDS.get(collection)
    return ids[n % len(ids)] if ids else fallback


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _seed(p: Any) -> None:
    """A little of everything the advisor can reach: entries, a consent, referrals both ways,
    a handover, a §14a decision with an activity plan, an individual plan she takes part in."""
    factories.log_entry(p, p.nav_advisor, p.nav, "WORK_AND_WELFARE", "Møte om arbeidstrening")
    factories.log_entry(p, p.ot_counsellor, p.ot, "EDUCATION", "Samtale om skoleplass")
    factories.give_consent(p, Flow(categories=["EDUCATION"], from_party=p.ot, to_party=p.nav))
    factories.send_referral(p, p.school)  # NAV's outbox
    followed_by_ot = factories.register_youth(p.ot_counsellor, p.ot, first_name="Sara")
    factories.ot_refers_to_nav(  # NAV's inbox
        p, followed_by_ot, "OT_DROPPED_OUT", "Trenger arbeidsrettet bistand"
    )
    services.handover_offer(
        actor=p.nav_advisor,
        period=FollowUpPeriod.objects.get(youth=p.youth, service=p.nav),
        to_service=p.nav,
        to_user=p.manager,
    )
    nav_and_plan_records(p)


def _ids(rows: QuerySet[Any]) -> list[str]:
    return [str(pk) for pk in rows.order_by("pk").values_list("pk", flat=True)]


def _known_ids(p: Any) -> dict[str, list[str]]:
    return {
        # The advisor's own youth first: the simplest examples draw the first id.
        "youths": [str(p.youth.pk), *_ids(Youth.objects.exclude(pk=p.youth.pk))],
        "services": _ids(Service.objects.all()),
        "follow-up-periods": _ids(FollowUpPeriod.objects.filter(service=p.nav)),
        "entries": _ids(FollowUpEntry.objects.all()),
        "consents": _ids(Consent.objects.all()),
        "referrals": _ids(Referral.objects.all()),
        "handovers": _ids(Handover.objects.all()),
        "activity-plans": _ids(ActivityPlan.objects.all()),
        "activities": _ids(Activity.objects.all()),
        "deadlines": _ids(Deadline.objects.all()),
        "plans": _ids(Plan.objects.all()),
        "plan-participants": _ids(PlanParticipant.objects.all()),
        "plan-goals": _ids(PlanGoal.objects.all()),
        "plan-measures": _ids(PlanMeasure.objects.all()),
        "child-coordinators": _ids(ChildCoordinator.objects.all()),
    }


def _known_references(p: Any) -> dict[str, str]:
    nav_period = FollowUpPeriod.objects.get(youth=p.youth, service=p.nav)
    return {
        "youth": str(p.youth.pk),
        "service": str(p.nav.pk),
        "from_service": str(p.nav.pk),
        "to_service": str(p.school.pk),
        "period": str(nav_period.pk),
        "responsible": p.manager.username,
        "to_user": p.manager.username,
        "contact": p.nav_advisor.username,
        "documented_by": p.nav_advisor.username,
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """People, records and the advisor's token, built once inside a transaction that is rolled
    back at the end; each test runs in a savepoint within it (pytest-django's ``db``)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        connection_kept_across_requests(),
        transaction.atomic(),
    ):
        people = build_people()
        _seed(people)
        ApiToken.objects.create(
            user=people.nav_advisor,
            digest=digest_of(TOKEN),
            prefix=TOKEN[:8],
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )
        KNOWN_IDS.update(_known_ids(people))
        KNOWN_REFERENCES.update(_known_references(people))
        yield people
        KNOWN_IDS.clear()
        KNOWN_REFERENCES.clear()
        transaction.set_rollback(True)


@pytest.fixture
def api_db(seeded: Any, db: Any) -> Any:
    return seeded


def call_in_savepoint(case: Any) -> Any:
    """Send the request inside a savepoint that is always rolled back."""
    with transaction.atomic():
        response = case.call()
        transaction.set_rollback(True)
    return response


@schema.parametrize()
@settings(
    # The fixture holds the module's records; each example rolls its own writes back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, *CONFIG_HEALTH_CHECKS]
)
def test_every_operation_answers_as_documented(case: Any, api_db: Any) -> None:
    response = call_in_savepoint(case)
    case.validate_response(response, checks=CHECKS)


class LinkedOperations(schema.as_state_machine()):  # type: ignore[misc]
    """Chains of calls along the links schemathesis infers from the schema (a list's ids into
    the detail and its actions, a created record into its reads). Each scenario runs in a
    savepoint that is rolled back, so it starts from the module's records."""

    def setup(self) -> None:
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
        case.validate_response(response, checks=CHECKS)


@pytest.mark.slow
def test_linked_operations_answer_as_documented(api_db: Any) -> None:
    LinkedOperations.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=8,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
