"""A paid order comes back: the customer cannot cancel it but asks for a refund; an admin refunds it
from the ops console through the (simulated) provider; the customer sees it refunded."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, screenshot, ship_to, sign_in
from tests.browser.test_storefront_journey import register
from tests.fix_app import ADMIN_EMAIL, ADMIN_PASSWORD


def test_customer_asks_for_a_refund_and_an_admin_refunds(
    serve: Callable[..., LiveServer], page: Page, browser: Browser
) -> None:
    base = serve().url
    register(page, base)
    page.goto(f"{base}/watches/SRPD55K1")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#toasts")).to_contain_text("Added to your cart")
    page.goto(f"{base}/cart")
    ship_to(page)
    page.get_by_role("button", name="Check out").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    order_id = page.url.rsplit("/", 1)[1]
    page.get_by_role("button", name="Pay (simulated)").click()
    expect(page.locator("#order-status")).to_have_text("paid")
    # A paid order offers a refund, never a cancel.
    expect(page.get_by_role("button", name="Cancel this order")).to_have_count(0)
    page.get_by_label("Reason (optional)").fill("It is a gift they already have")
    page.get_by_role("button", name="Ask for a refund").click()
    expect(page.locator("#toasts")).to_contain_text("Refund requested")
    expect(page.locator("#refund-note")).to_contain_text("You asked for a refund")
    expect(page.locator("#refund-note")).to_contain_text("It is a gift they already have")
    expect(page.locator("#order-status")).to_have_text("paid")
    screenshot(page, "refund-requested")
    page.goto(f"{base}/orders")
    row = page.locator("#order-list tbody tr").filter(has=page.get_by_role("link", name=f"#{order_id}"))
    expect(row).to_contain_text("refund requested")

    admin_context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = admin_context.new_page()
    try:
        sign_in(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD, next_path="/ops/orders?status=paid")
        ops_row = admin.locator(f"#order-{order_id}")
        expect(ops_row).to_contain_text("refund requested")
        expect(ops_row.get_by_role("combobox")).not_to_contain_text("cancelled")
        screenshot(admin, "refund-ops-before", full_page=False)
        admin.once("dialog", lambda dialog: dialog.accept())
        ops_row.get_by_role("button", name=re.compile(r"^Refund \$")).click()
        expect(admin.locator("#toasts")).to_contain_text(f"Order #{order_id} refunded")
        admin.goto(f"{base}/ops/orders?status=refunded")
        expect(admin.locator(f"#order-{order_id}")).to_contain_text("refunded")
        expect(admin.locator(f"#order-{order_id}")).to_contain_text("final")
        screenshot(admin, "refund-ops-after", full_page=False)
    finally:
        admin_context.close()

    page.goto(f"{base}/orders/{order_id}")
    expect(page.locator("#order-status")).to_have_text("refunded")
    expect(page.locator("#refund-note")).to_contain_text("Refunded $")
    expect(page.get_by_role("button", name="Ask for a refund")).to_have_count(0)
    screenshot(page, "refund-done")
