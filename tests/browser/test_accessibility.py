"""axe-core (from npm, see package.json) audits every storefront page in the browser, in light and
dark mode: labels, names, landmarks, contrast (WCAG 2 A and AA rules)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, ship_to, sign_in
from tests.fix_app import ADMIN_EMAIL, ADMIN_PASSWORD

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def audit(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})")
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_storefront_pages_pass_axe(serve: Callable[..., LiveServer], page: Page, theme: str) -> None:
    base = serve().url
    page.goto(base)
    page.evaluate(f"localStorage.setItem('theme', '{theme}')")
    pages = ["/", "/search?q=automatic%20diver%20under%20%24500", "/watches/SRPD55K1", "/account/login",
             "/account/register", "/watches/UNKNOWN", "/?max_price=abc"]
    found: dict[str, list[dict[str, Any]]] = {}
    for path in pages:
        page.goto(base + path)
        expect(page.locator("html")).to_have_attribute("data-theme", theme)
        found[path] = audit(page)

    sign_in(page, base, ADMIN_EMAIL, ADMIN_PASSWORD, next_path="/watches/SRPD55K1")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#toasts")).to_contain_text("Added to your cart")
    page.goto(f"{base}/cart")
    found["/cart"] = audit(page)
    ship_to(page)
    page.get_by_role("button", name="Check out").click()
    page.wait_for_url(f"{base}/orders/*")
    found["/orders/{id}"] = audit(page)
    page.goto(f"{base}/orders")
    found["/orders"] = audit(page)
    page.get_by_role("button", name="Ask the assistant").click()
    page.get_by_label("Your question").fill("a dress watch")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#chat-log .source")).to_be_visible()
    found["assistant panel"] = audit(page)

    violations = {path: v for path, v in found.items() if v}
    assert violations == {}, json.dumps(violations, indent=1)
