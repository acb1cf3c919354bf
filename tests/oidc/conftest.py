from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.oidc.provider import Provider


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """The provider for the Django test client (``http://testserver``)."""
    running = Provider(["http://testserver"])
    yield running
    running.stop()


@pytest.fixture
def oidc_on(settings: Any, provider: Provider) -> Provider:
    """Both clients configured against the test provider, as the environment would do it."""
    settings.SAMORDNA_OIDC = provider.settings()
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "cases.oidc.StaffBackend",
        "cases.oidc.IdportenBackend",
    ]
    return provider
