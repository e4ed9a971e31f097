"""A visitor fills a cart before having an account; signing up keeps it, and the order follows."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, screenshot, ship_to
from tests.fix_app import PASSWORD


def test_guest_cart_is_kept_through_sign_up(serve: Callable[..., LiveServer], page: Page) -> None:
    base = serve().url
    page.goto(f"{base}/watches/SRPD55K1")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#toasts")).to_contain_text("Added to your cart (2 items)")
    expect(page.locator("a[href='/cart'] .badge")).to_have_text("2")
    # More than one order may hold is refused at once (more than the shelf holds: see test_cart.py).
    page.get_by_label("Quantity").fill("9")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#toasts")).to_contain_text("At most 10 of one watch per order")
    page.get_by_role("link", name=re.compile("^Cart")).click()
    expect(page.locator("tr[data-reference='SRPD55K1']")).to_be_visible()
    screenshot(page, "guest-cart")

    page.get_by_role("link", name="create an account").click()
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_label("Name").fill("Guest")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base}/cart")
    row = page.locator("tr[data-reference='SRPD55K1']")
    expect(row.get_by_role("spinbutton")).to_have_value("2")
    # Checking out with the form left empty says what is missing, by the labels on the page.
    page.get_by_role("button", name="Check out").click()
    expect(page.locator("#checkout-error")).to_contain_text("Full name")
    ship_to(page, country="GB")
    page.get_by_label("City").fill("London")
    page.get_by_label("State or region").fill("")
    page.get_by_label("Postal code").fill("12345")
    page.get_by_role("button", name="Check out").click()
    expect(page.locator("#checkout-error")).to_contain_text("12345 is not a postal code of GB")
    screenshot(page, "checkout-form-error")
    ship_to(page)
    page.get_by_label("Express").check()
    page.get_by_role("button", name="Check out").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(page.locator("#order-status")).to_have_text("pending payment")
    expect(page.locator("#ship-to")).to_contain_text("1 Market St")
    expect(page.locator("#ship-to")).to_contain_text("San Francisco, CA 94105")

    def amount(selector: str) -> Decimal:
        return Decimal(page.locator(selector).inner_text().strip("$").replace(",", ""))

    assert amount("#order-shipping") == Decimal("24.95")
    assert amount("#order-tax") == ((amount("#order-subtotal") + Decimal("24.95")) * Decimal("0.0725")).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert amount("#order-total") == amount("#order-subtotal") + amount("#order-shipping") + amount("#order-tax")
    screenshot(page, "checkout-totals")
