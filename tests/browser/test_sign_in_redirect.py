"""In Chromium itself: a sign-in link whose `next` a browser would read as another host leaves the
shopper on this site. Browsers drop tabs and newlines inside URLs and read `\\` as `/`, so
`/%09/evil.example/` is `//evil.example/` to them."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import LiveServer
from tests.fix_app import ADMIN_EMAIL, ADMIN_PASSWORD


@pytest.mark.parametrize("raw_next", ["/%09/evil.example/", "/%0A/evil.example/", "/%0D%0A/evil.example/",
                                      "/%5Cevil.example/", "%09%5C%5Cevil.example/"])
def test_sign_in_never_lands_on_another_host(serve: Callable[..., LiveServer], page: Page, raw_next: str) -> None:
    base = serve().url
    visited: list[str] = []

    def evil(route: Route) -> None:  # answered here, so a wrong turn is seen rather than a DNS error
        visited.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>evil</title>")

    page.route("**://evil.example/**", evil)
    page.goto(f"{base}/account/login?next={raw_next}")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/account/login" not in url)
    page.wait_for_load_state()
    assert visited == []
    assert urlsplit(page.url).netloc == urlsplit(base).netloc
    assert page.url == f"{base}/"
    expect(page.locator("#toasts")).to_contain_text(f"Signed in as {ADMIN_EMAIL}")
