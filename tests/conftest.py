"""Named people around one youth, as in conventions.md, made through the services."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.models import Service, ServiceKind, StaffRole, Youth
from tests import factories


def pytest_sessionstart(session: pytest.Session) -> None:
    """The tests run where production runs: on PostgreSQL (the embedded SQLite default is
    checked by tests/test_run_command.py, which starts ./scripts/run)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise pytest.UsageError(
            "The tests run on PostgreSQL: scripts/test, or "
            "python scripts/with_postgres.py -- pytest … (or set DATABASE_URL)."
        )
    _flush_behind_the_triggers()


@pytest.hookimpl(tryfirst=True)  # before pytest-django's, whose stable sort keeps this order
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, in their order, then the rest: pytest-xdist hands tests to its
    workers in this order, so the workers end together instead of one running a long test alone
    at the end. pytest-django then puts the tests that commit (and empty the tables after
    them) after the others, keeping this order within each kind."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    _note_modules_sharing_people(items)


class _SlowWithoutDatabaseFirst:
    """After pytest-django's order: the slow tests that use no test database (they start
    processes of their own) go first of all, as they may run anywhere."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        def first(item: pytest.Item) -> bool:
            uses_db = item.get_closest_marker("django_db") or {
                "db",
                "transactional_db",
                "live_server",
            } & set(getattr(item, "fixturenames", ()))
            return bool(item.get_closest_marker("slow")) and not uses_db

        items.sort(key=lambda item: not first(item))


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_SlowWithoutDatabaseFirst())


def _flush_behind_the_triggers() -> None:
    """Tests that commit (``transaction=True``) are cleaned up by Django's flush, a TRUNCATE of
    every table, which the access log and its chain refuse (consent migration 0010). The flush
    runs as the test database's owner, a superuser, with triggers off for its transaction: the
    superuser's way round the triggers that the chain exists to expose."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush
    if getattr(flush, "behind_the_triggers", False):
        return

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        flush(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    execute_sql_flush.behind_the_triggers = True  # type: ignore[attr-defined]
    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The access log's partitions of the months the tests travel to (2023 to 2033). The
    migration makes this month and three ahead, the beat the months after as time goes on;
    the tests' clock jumps, so the months it lands in are made here once."""
    import datetime

    from consent import partitions

    with django_db_blocker.unblock():
        month = datetime.date(2023, 1, 1)
        while month.year <= 2033:
            partitions.add_month(month)
            month = partitions.next_month(month)


@pytest.fixture(autouse=True, scope="session")
def _static_files_looked_up_per_request() -> Iterator[None]:
    """WhiteNoise finds a static file when it is asked for, instead of listing and reading the
    metadata of every app's static files each time a test client loads the middleware (a few
    hundred files, for each of the thousands of clients the tests make). Outside production
    the files are served from the app folders either way (``WHITENOISE_USE_FINDERS``)."""
    with override_settings(WHITENOISE_AUTOREFRESH=True):
        yield


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """The throttles count in the cache (local memory), which outlives a test's transaction."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language: a request in English leaves English active in
    the worker's thread (LocaleMiddleware activates it and nothing puts it back)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class People:
    nav: Service
    ot: Service
    school: Service
    health: Service
    child_welfare: Service
    elsewhere: Service
    nav_advisor: Any
    ot_counsellor: Any
    school_counsellor: Any
    health_nurse: Any
    cw_caseworker: Any
    coordinator: Any
    manager: Any
    nav_admin: Any
    privacy_officer: Any
    outsider: Any
    youth: Youth  # followed by NAV (nav_advisor responsible) and OT (ot_counsellor responsible)


# The modules whose tests that use the database all use ``people`` and commit nothing: there
# the people are built once per module (see ``_people_of_the_module``).
_SHARED_PEOPLE_MODULES: set[str] = set()


def _uses_database(item: pytest.Item) -> tuple[bool, bool]:
    """(uses the test database, commits), as pytest-django tells its kinds of test apart."""
    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    commits = bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    ) or bool({"transactional_db", "live_server"} & fixtures)
    return bool(marker) or commits or "db" in fixtures, commits


def _note_modules_sharing_people(items: list[pytest.Item]) -> None:
    by_module: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_module.setdefault(item.nodeid.split("::")[0], []).append(item)
    for module, module_items in by_module.items():
        kinds = [(_uses_database(item), "people" in item.fixturenames) for item in module_items]
        if any(people for _kind, people in kinds) and all(
            people and not commits for (uses, commits), people in kinds if uses or people
        ):
            _SHARED_PEOPLE_MODULES.add(module)


@pytest.fixture(scope="module")
def _people_of_the_module(
    request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any
) -> Iterator[People | None]:
    """The people built once for a module where every test that uses the database uses them
    and commits nothing, inside a transaction that is rolled back at the end; each test runs in
    a savepoint within it (pytest-django's ``db``), as the permission matrix does. Elsewhere
    (a module with tests that commit, or that expect no people in the database): nothing, and
    each test builds its own."""
    if request.node.nodeid not in _SHARED_PEOPLE_MODULES:
        yield None
        return
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield build_people()
        transaction.set_rollback(True)


@pytest.fixture
def people(_people_of_the_module: People | None, db: Any) -> People:
    """The named people; a copy for each test where they are shared (as Django's
    ``setUpTestData`` copies its objects), so what a test changes in memory stays in it."""
    if _people_of_the_module is None:
        return build_people()
    return copy.deepcopy(_people_of_the_module)


def build_people() -> People:
    """The named people around one youth (also used once per module by the permission matrix)."""
    nav = factories.make_service(ServiceKind.NAV, "NAV Skien")
    ot = factories.make_service(ServiceKind.OT, "OT Skien", county_number="40")
    school = factories.make_service(ServiceKind.SCHOOL, "Skien videregående skole")
    health = factories.make_service(ServiceKind.HEALTH, "Helsestasjon for ungdom Skien")
    child_welfare = factories.make_service(ServiceKind.CHILD_WELFARE, "Barnevernet i Skien")
    elsewhere = factories.make_service(ServiceKind.NAV, "NAV Porsgrunn", municipality_number="4001")
    p = People(
        nav=nav,
        ot=ot,
        school=school,
        health=health,
        child_welfare=child_welfare,
        elsewhere=elsewhere,
        nav_advisor=factories.make_staff(nav, username="ingrid.nav"),
        ot_counsellor=factories.make_staff(ot, username="ola.ot"),
        school_counsellor=factories.make_staff(school, username="marte.skole"),
        health_nurse=factories.make_staff(health, username="anne.helse"),
        cw_caseworker=factories.make_staff(child_welfare, username="jonas.bv"),
        coordinator=factories.make_staff(ot, StaffRole.COORDINATOR, username="eva.koord"),
        manager=factories.make_staff(nav, StaffRole.MANAGER, username="hilde.nav"),
        nav_admin=factories.make_staff(nav, StaffRole.ADMIN, username="admin.nav"),
        privacy_officer=factories.make_staff(nav, StaffRole.PRIVACY_OFFICER, username="po.nav"),
        outsider=factories.make_staff(elsewhere, username="kari.porsgrunn"),
        youth=None,  # type: ignore[arg-type]
    )
    p.youth = factories.register_youth(p.nav_advisor, nav)
    factories.follow(p.ot_counsellor, ot, p.youth)
    return p


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for(api: APIClient) -> Any:
    """An API client logged in as the given user (Norwegian unless a language is given)."""

    def login(user: Any, language: str = "nb") -> APIClient:
        api.force_authenticate(user)
        api.credentials(HTTP_ACCEPT_LANGUAGE=language)
        return api

    return login


@pytest.fixture
def count_queries(db: Any) -> Any:
    """Context manager that records the queries run inside it."""
    from django.db import connection

    def capture() -> CaptureQueriesContext:
        return CaptureQueriesContext(connection)

    return capture
