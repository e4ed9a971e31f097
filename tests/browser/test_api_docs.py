"""The API docs render the OpenAPI 3.1 document in Chromium, from local assets only."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import LiveServer, screenshot


def _watch_requests(page: Page, base: str) -> list[str]:
    elsewhere: list[str] = []

    def check(request: Request) -> None:
        if not request.url.startswith((base, "data:", "blob:")):
            elsewhere.append(request.url)

    page.on("request", check)
    return elsewhere


def test_swagger_ui_lists_the_operations(serve: Callable[..., LiveServer], page: Page) -> None:
    base = serve().url
    elsewhere = _watch_requests(page, base)
    page.goto(f"{base}/docs")
    expect(page.locator(".information-container .title")).to_contain_text("Seiko Watch Store")
    expect(page.locator(".version-stamp").first).to_contain_text("OAS 3.1")
    browse = page.locator(".opblock-get").filter(has_text="/api/v1/watches").first
    expect(browse).to_be_visible()
    expect(page.locator(".opblock-post").filter(has_text="/api/v1/orders").first).to_be_visible()
    assert page.locator(".opblock").count() > 30
    expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    # An operation opens with its parameters, including the catalog's filters.
    browse.locator(".opblock-summary").click()
    expect(browse.locator(".parameters")).to_contain_text("movement")
    screenshot(page, "api-docs")
    assert elsewhere == []

