"""Every storefront form submitted as a shopper would: once with its defaults, once with real choices.
A form must never land a person on raw JSON."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, screenshot


def _prices(page: Page) -> list[Decimal]:
    return [Decimal(text.strip("$").replace(",", ""))
            for text in page.get_by_label("Watches").locator(".price").all_inner_texts()]


def _is_a_page(page: Page) -> None:
    expect(page.locator("header.site")).to_be_visible()
    assert "application/problem+json" not in page.content()
    assert '"code"' not in page.locator("body").inner_text()


def test_catalog_filters_with_defaults_and_with_choices(serve: Callable[..., LiveServer], page: Page) -> None:
    base = serve().url
    page.goto(f"{base}/")
    everything = page.locator("p.count").inner_text()
    filters = page.locator("form.filters")

    # Defaults: "Any", "Any", an empty max price, featured. Apply changes nothing.
    filters.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"/\?"))
    _is_a_page(page)
    expect(page.locator("p.count")).to_have_text(everything)
    screenshot(page, "forms-catalog-defaults")

    # Real choices narrow the list and stay selected.
    filters = page.locator("form.filters")
    filters.get_by_label("Category").select_option("diver")
    filters.get_by_label("Movement").select_option("automatic")
    filters.get_by_label("Max price").fill("600")
    filters.get_by_label("Sort").select_option("price_asc")
    filters.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"category=diver"))
    _is_a_page(page)
    count = int(page.locator("p.count").inner_text().split()[0])
    assert 0 < count < int(everything.split()[0])
    prices = _prices(page)
    assert len(prices) == count
    assert prices == sorted(prices) and max(prices) <= 600
    expect(page.locator("form.filters").get_by_label("Category")).to_have_value("diver")
    expect(page.locator("form.filters").get_by_label("Movement")).to_have_value("automatic")
    expect(page.locator("form.filters").get_by_label("Max price")).to_have_value("600")
    screenshot(page, "forms-catalog-choices")

    # One choice alone, the others left at "Any".
    page.goto(f"{base}/")
    page.locator("form.filters").get_by_label("Movement").select_option("solar")
    page.locator("form.filters").get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"movement=solar"))
    _is_a_page(page)
    assert int(page.locator("p.count").inner_text().split()[0]) > 0


def test_header_search_with_defaults_and_with_a_query(serve: Callable[..., LiveServer], page: Page) -> None:
    base = serve().url
    page.goto(f"{base}/")
    search = page.get_by_role("search")
    # Default: the empty box is not sent (the field is required); the shopper stays on the catalog.
    search.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{base}/")
    _is_a_page(page)
    search.get_by_label("Search watches in your own words").fill("solar dress watch")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search\?q="))
    _is_a_page(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("solar dress watch")


def test_registration_and_sign_in_forms_with_defaults_speak_plainly(
    serve: Callable[..., LiveServer], page: Page
) -> None:
    base = serve().url
    page.goto(f"{base}/account/register")
    page.get_by_role("button", name="Create account").click()  # every field left as it came
    error = page.locator("#register-error")
    expect(error).to_contain_text("Name: This cannot be empty")
    expect(error).to_contain_text("Email: Enter an email address such as ana@example.com")
    expect(error).to_contain_text("Password: Use at least 10 characters")
    screenshot(page, "forms-register-defaults")
    page.get_by_label("Name").fill("Ana")
    page.get_by_label("Email").fill("ana-forms@example.com")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(error).to_have_text("Password: Use at least 10 characters")

    page.goto(f"{base}/account/login")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#login-error")).to_be_visible()
    assert "should" not in page.locator("#login-error").inner_text()


def test_page_errors_are_pages_in_the_site_layout(serve: Callable[..., LiveServer], page: Page) -> None:
    base = serve().url
    response = page.goto(f"{base}/watches/UNKNOWN")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("No watch with reference 'UNKNOWN'")).to_be_visible()
    _is_a_page(page)
    screenshot(page, "error-404")
    response = page.goto(f"{base}/?max_price=abc&page=-1")
    assert response is not None and response.status == 422
    expect(page.locator(".problems")).to_contain_text("Max price: Enter a number")
    expect(page.locator(".problems")).to_contain_text("Page: Use a number of at least 1")
    _is_a_page(page)
    screenshot(page, "error-422")
    page.get_by_role("link", name="Back to the catalog").click()
    expect(page.locator("p.count")).to_contain_text("watches")
    icon = page.request.get(f"{base}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
