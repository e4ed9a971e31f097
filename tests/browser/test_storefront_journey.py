"""A shopper's journey in a real browser: plain-language search, a watch page, the cart, a simulated
checkout, the order; the assistant panel; sign-in errors, sign-out, dark mode and a phone screen."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, screenshot, ship_to, sign_in
from tests.fix_app import PASSWORD


def register(page: Page, base: str, next_path: str = "/") -> str:
    email = f"shopper-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(f"{base}/account/register?next={next_path}")
    page.get_by_label("Name").fill("Ana")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base}{next_path}")
    expect(page.locator("#toasts")).to_contain_text(f"Signed in as {email}")
    return email


def test_search_to_paid_order(serve: Callable[..., LiveServer], page: Page) -> None:
    base = serve().url
    register(page, base)
    screenshot(page, "catalog")

    page.get_by_label("Search watches in your own words").fill("automatic diver under $500")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("automatic diver under $500")
    chips = page.get_by_label("What we understood")
    expect(chips).to_contain_text("under $500")
    screenshot(page, "search")
    first = page.get_by_label("Search results").locator("article.card").first
    expect(first.locator(".why li").first).to_be_visible()  # why it matched
    price = float(first.locator(".price").inner_text().strip("$").replace(",", ""))
    assert price <= 500
    first.locator("a").first.click()

    expect(page).to_have_url(re.compile(r"/watches/[A-Z0-9]+$"))
    reference = page.url.rsplit("/", 1)[1]
    name = page.get_by_role("heading", level=1).inner_text()
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#toasts")).to_contain_text("Added to your cart (2 items)")
    expect(page.locator("a[href='/cart'] .badge")).to_have_text("2")
    screenshot(page, "watch")

    page.get_by_role("link", name=re.compile("^Cart")).click()
    row = page.locator(f"tr[data-reference='{reference}']")
    expect(row).to_contain_text(name)
    expect(row.get_by_label(f"Quantity of {name}")).to_have_value("2")
    screenshot(page, "cart")
    ship_to(page)
    page.get_by_role("button", name="Check out").click()

    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    order_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("#order-status")).to_have_text("pending payment")
    expect(page.locator(".banner.simulated")).to_contain_text("no money moves")
    screenshot(page, "checkout")
    page.get_by_role("button", name="Pay (simulated)").click()
    expect(page.locator("#order-status")).to_have_text("paid")
    expect(page.locator("#toasts")).to_contain_text("Payment received (simulated)")
    expect(page.get_by_text("simulated payment: no money moved")).to_be_visible()
    screenshot(page, "order-paid")

    page.get_by_role("link", name="Orders", exact=True).click()
    listed = page.locator("#order-list tbody tr").filter(has=page.get_by_role("link", name=f"#{order_id}"))
    expect(listed).to_contain_text(name)
    expect(listed).to_contain_text("paid")
    screenshot(page, "orders")
    # The cart emptied into the order.
    page.goto(f"{base}/cart")
    expect(page.get_by_text("Your cart is empty")).to_be_visible()


def test_a_declined_simulated_card_leaves_the_order_payable(serve: Callable[..., LiveServer], page: Page) -> None:
    base = serve().url
    register(page, base, next_path="/watches/SRPD55K1")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#toasts")).to_contain_text("Added to your cart")
    page.goto(f"{base}/cart")
    ship_to(page)
    page.get_by_role("button", name="Check out").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    page.get_by_role("button", name="Simulate a declined card").click()
    expect(page.locator("#toasts")).to_contain_text("declined")
    expect(page.locator("#order-status")).to_have_text("pending payment")
    expect(page.get_by_role("alert")).to_contain_text("failed")
    page.get_by_role("button", name="Pay (simulated)").click()
    expect(page.locator("#order-status")).to_have_text("paid")


def test_signing_in_is_required_to_check_out_and_returns_to_the_watch(
    serve: Callable[..., LiveServer], page: Page
) -> None:
    base = serve().url
    page.goto(f"{base}/watches/SRPD55K1")
    page.get_by_role("button", name="Add to cart").click()  # a guest's cart; checking out needs an account
    expect(page.locator("#toasts")).to_contain_text("Added to your cart (1 item)")
    page.goto(f"{base}/cart")
    page.get_by_role("link", name="Sign in to check out").click()
    expect(page).to_have_url(re.compile(r"/account/login\?next=/cart"))

    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("wrong-password-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#login-error")).to_contain_text("Email or password is wrong")
    screenshot(page, "login-error")

    page.get_by_role("link", name="Create an account").click()
    register(page, base, next_path="/watches/SRPD55K1")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    # The session ended on the server too: the cart page shows this browser's (empty) guest cart.
    page.goto(f"{base}/cart")
    expect(page.get_by_text("Your cart is empty")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_pages_need_the_right_person(serve: Callable[..., LiveServer], page: Page) -> None:
    base = serve().url
    page.goto(f"{base}/orders")
    expect(page).to_have_url(re.compile(r"/account/login\?next=%2Forders"))
    register(page, base)
    # Another shopper's order number shows nothing of theirs.
    response = page.goto(f"{base}/orders/1")
    assert response is not None and response.status == 404


def test_the_assistant_streams_an_answer_with_watch_cards(serve: Callable[..., LiveServer], page: Page) -> None:
    base = serve().url
    page.goto(base)
    page.get_by_role("button", name="Ask the assistant").click()
    box = page.get_by_label("Your question")
    expect(box).to_be_focused()
    box.fill("a solar dive watch")
    page.get_by_role("button", name="Send").click()
    answer = page.locator("#chat-log .from-assistant").last
    expect(answer.locator(".source")).to_contain_text("Answered offline")
    expect(answer.locator(".answer")).not_to_be_empty()
    cards = answer.get_by_label("Watches mentioned").locator("a.chat-card")
    expect(cards.first).to_be_visible()
    screenshot(page, "assistant", full_page=False)
    href = cards.first.get_attribute("href")
    assert href is not None and href.startswith("/watches/")
    # A follow-up keeps the conversation.
    box.fill("which of those is cheapest?")
    box.press("Enter")
    expect(page.locator("#chat-log .from-assistant")).to_have_count(2)
    expect(page.locator("#chat-log .from-assistant").last.locator(".source")).to_be_visible()


def test_dark_mode_is_remembered_and_the_store_fits_a_phone(
    serve: Callable[..., LiveServer], browser: Browser
) -> None:
    base = serve().url
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(base)
        phone.get_by_role("button", name="Dark mode").click()
        expect(phone.locator("html")).to_have_attribute("data-theme", "dark")
        phone.goto(f"{base}/watches/SRPD55K1")
        expect(phone.locator("html")).to_have_attribute("data-theme", "dark")
        # Nothing is wider than the screen.
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"page is {overflow}px wider than the phone"
        screenshot(phone, "watch-phone-dark")
    finally:
        context.close()


def test_sign_in_helper_round_trip(serve: Callable[..., LiveServer], page: Page) -> None:
    from tests.fix_app import ADMIN_EMAIL, ADMIN_PASSWORD

    base = serve().url
    sign_in(page, base, ADMIN_EMAIL, ADMIN_PASSWORD, next_path="/orders")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your orders")


def test_near_misses_are_shown_apart_with_what_they_miss(serve: Callable[..., LiveServer], page: Page) -> None:
    base = serve().url
    page.goto(f"{base}/search?q=diver+200m+under+%24300")
    expect(page.get_by_role("heading", name="Close matches")).to_be_visible()
    expect(page.get_by_label("Relaxed to show these")).to_contain_text("relaxed: under $300")
    near = page.get_by_label("Close matches").locator("article.card")
    expect(near.first.locator(".why li").first).to_contain_text("near miss:")
    expect(page.get_by_label("Search results")).to_have_count(0)  # no exact match at all
    screenshot(page, "search-near-misses")
    page.goto(f"{base}/search?q=asdfqwer+zzz")
    expect(page.locator("p.empty")).to_contain_text("Nothing in the catalog matched")
