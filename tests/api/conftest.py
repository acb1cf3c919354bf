"""Calling the API through Django's WSGI handler, as a server does, and holding the answers
to the OpenAPI schema the API serves itself (``/api/schema/``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from werkzeug.test import Client

from tests import factories

application = WSGIHandler()


@contextmanager
def connection_kept_across_requests() -> Iterator[None]:
    """Django's WSGI handler closes the database connection around each request; inside a
    test's transaction that would end the transaction, so it is switched off while the test
    calls the handler (as Django's own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def openapi() -> Any:
    """The served schema, loaded by schemathesis (``openapi[path][method].validate_response``)."""
    with connection_kept_across_requests():
        return schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def wsgi(db: Any) -> Iterator[Client]:
    with connection_kept_across_requests():
        yield Client(application)


def token_for(user: Any) -> dict[str, str]:
    return factories.api_token(user)
