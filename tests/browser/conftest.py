"""Browser tests: the real app served over HTTP on loopback, driven by Playwright in Debian's Chromium.

Chromium's flags are the ones this machine needs as root with no network (see ENVIRONMENT.md);
Playwright gives each launch a fresh, empty profile."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.fix_app import make_settings
from tests.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# Screenshots are artifacts for people to look at; the folder is git-ignored.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

pytestmark = pytest.mark.e2e


@pytest.fixture
def serve(db_url: str) -> Iterator[Callable[..., LiveServer]]:
    """Starts the app on the test's own database; keyword arguments override settings."""
    running: list[LiveServer] = []

    def start(**overrides: Any) -> LiveServer:
        server = LiveServer(make_settings(db_url, **overrides)).start()
        running.append(server)
        return server

    yield start
    for server in running:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, chromium_sandbox=False,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies, no storage) per test, phone-sized or desktop by test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    # A script error on any page is a defect even when the journey happened to complete.
    assert errors == [], errors


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Chromium now and then answers "Unable to capture screenshot" for a full page while it is still
    # compositing; a second try succeeds. A third failure is real.
    for attempt in range(3):
        try:
            page.screenshot(path=str(path), full_page=full_page)
            return path
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(250)
    return path


def sign_in(page: Page, base_url: str, email: str, password: str, next_path: str = "/") -> None:
    page.goto(f"{base_url}/account/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}{next_path}")


def ship_to(page: Page, *, country: str = "US") -> None:
    """Fills the cart page's checkout form with a real address (San Francisco, standard delivery)."""
    page.get_by_label("Full name").fill("Ana Silva")
    page.get_by_label("Address", exact=True).fill("1 Market St")
    page.get_by_label("City").fill("San Francisco")
    page.get_by_label("State or region").fill("CA")
    page.get_by_label("Postal code").fill("94105")
    page.get_by_label("Country").select_option(country)
