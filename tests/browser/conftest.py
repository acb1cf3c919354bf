"""Browser tests: Debian's Chromium headless shell (package ``chromium-headless-shell``,
installed by scripts/system-deps) driven by Playwright against Django's live server. Screenshots
go to ``var/screenshots/``.

The headless shell is Chromium's engine without the browser's window layer, what Playwright
itself drives when headless; it renders the same pages for less CPU than the full browser run
headless (docs/testing.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from tests.oidc.provider import Provider

CHROMIUM = os.environ.get("SAMORDNA_CHROMIUM", "/usr/lib/chromium/chromium-headless-shell")
# axe-core, pinned in tests/browser/package-lock.json and installed by scripts/bootstrap.
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PASSWORD = "passord-for-test"


@pytest.fixture(scope="module")
def chromium(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """Chromium for one test module; stopped afterwards, so no event loop outlives it."""
    # Playwright's sync API runs an event loop in this thread; the tests' own database calls
    # are synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # With that loop running, Django's connection handler is context-local, so a test may get
    # a new connection object without the serialized contents that restore the rows migrations
    # seed after each flush (serialized_rollback). Let every connection object find them.
    with django_db_blocker.unblock():
        wrapper = type(connections["default"])
        contents = getattr(connections["default"], "_test_serialized_contents", None)
    if contents is not None:
        wrapper._test_serialized_contents = contents  # type: ignore[attr-defined]
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        if contents is not None:
            del wrapper._test_serialized_contents  # type: ignore[attr-defined]


class Session:
    """One person's browser tab on the live server, collecting CSP violations and errors."""

    def __init__(self, browser: Any, base_url: str, viewport: dict[str, int] = DESKTOP) -> None:
        self.viewport = viewport
        self.context = browser.new_context(base_url=base_url, locale="nb-NO", viewport=viewport)
        self.base_url = base_url
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))

    def _console(self, message: Any) -> None:
        # HTTP errors the tests provoke (a 400 form) are not problems; a blocked resource is.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.problems.append(message.text)

    def log_in(self, username: str, password: str = PASSWORD) -> Any:
        page = self.page
        page.goto("/login/")
        page.get_by_label("Brukernavn").fill(username)
        page.get_by_label("Passord").fill(password)
        page.get_by_role("button", name="Logg inn").click()
        return page

    def accessibility_violations(self) -> list[str]:
        """axe-core's violations on the page as it is now (WCAG 2.1 A and AA and best
        practice), each as "rule: element". Playwright's evaluate is not bound by the page's
        CSP, so the page is checked as served. It waits until the page has loaded; a page
        still being replaced by the one a click led to (its document gone under axe) is
        checked again once the new one has loaded."""
        from playwright.sync_api import Error as PlaywrightError

        attempts = 3
        while True:
            attempts -= 1
            self.page.wait_for_load_state("load")
            try:
                self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
                found = self.page.evaluate(
                    """async () => {
                        const result = await axe.run(document, {resultTypes: ["violations"]});
                        return result.violations.flatMap(
                            v => v.nodes.map(n => `${v.id}: ${n.target.join(" ")}`));
                    }"""
                )
            except PlaywrightError:
                if not attempts:
                    raise
                continue
            return list(found)

    def check_page(self) -> None:
        """The page as it is now: axe-core finds no violation, and it is no wider than the
        window (no sideways scrolling on a phone)."""
        assert self.accessibility_violations() == [], self.page.url
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.page.viewport_size["width"], (self.page.url, width)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        assert self.problems == [], self.problems  # no CSP violation, no script error
        self.context.close()


@pytest.fixture(scope="module")
def provider(live_server: Any) -> Iterator[Provider]:
    """The OpenID Connect test provider (tests/oidc), as its own process, for a module."""
    running = Provider([live_server.url])
    yield running
    running.stop()


@pytest.fixture
def open_session(chromium: Any, live_server: Any) -> Iterator[Any]:
    sessions: list[Session] = []

    def start(viewport: dict[str, int] = DESKTOP) -> Session:
        session = Session(chromium, live_server.url, viewport)
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.close()
