"""Ops staff in a real browser: sign in, run the low-stock drill from the console, let the stock agent
(Claude, played by the scripted fake over HTTP) propose, approve one proposal and reject another with a
reason, then find the run in the decision log with its tool calls and its model in the spend chart.
Every console page is screenshotted (light, dark, phone) and audited with axe-core."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from psycopg.rows import dict_row

from commerce.replenishment import service as replenishment
from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.browser.test_accessibility import audit
from tests.fakes import anthropic_server as claude_fake
from tests.fix_app import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, make_settings

PAGES = ("/ops", "/ops/reorders", "/ops/alerts", "/ops/decisions", "/ops/spend", "/ops/inventory", "/ops/orders")


def proposable(db_url: str) -> list[dict[str, Any]]:
    """The low-stock watches the stock agent may propose for, as its tool will list them (the reorder
    math, read from the test's database)."""

    async def read() -> list[dict[str, Any]]:
        async with await psycopg.AsyncConnection.connect(db_url, row_factory=dict_row) as conn:
            policy = make_settings(db_url).reorder_policy
            return [w.as_tool_data() for w in await replenishment.low_stock_assessments(conn, policy)
                    if w.proposable_quantity > 0]

    # Playwright's sync API owns this thread's event loop; the read gets a loop of its own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, read()).result()


def fact(scope: Locator, name: str) -> Locator:
    """The value of one fact in a list of facts (<dt>name</dt><dd>value</dd>)."""
    return scope.locator("dl.facts > div").filter(has=scope.page.locator("dt", has_text=name)).locator("dd")


def ops_account(base: str) -> str:
    email = f"ops-{uuid.uuid4().hex[:8]}@example.com"
    with httpx.Client(base_url=base) as api:
        created = api.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Olu"})
        assert created.status_code == 201, created.text
        token = api.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()
        role = api.patch(f"/api/v1/admin/users/{created.json()['id']}/role", json={"role": "ops"},
                         headers={"Authorization": f"Bearer {token['access_token']}"})
        assert role.status_code == 200, role.text
    return email


@pytest.fixture
def claude() -> Iterator[claude_fake.AnthropicFake]:
    with claude_fake.running_anthropic_fake() as fake:
        yield fake


def test_ops_runs_the_drill_decides_and_finds_the_run_and_its_cost(
    serve: Callable[..., LiveServer], page: Page, browser: Browser, claude: claude_fake.AnthropicFake, db_url: str
) -> None:
    keep, drop = proposable(db_url)[:2]
    claude.script(
        claude_fake.Reply.tool_use("list_low_stock_watches", {}, input_tokens=2400, output_tokens=180),
        claude_fake.Reply.tools(
            ("create_reorder_request", {"reference": keep["reference"], "quantity": keep["proposable_quantity"],
                                        "rationale": "Below the reorder point with steady demand; cover 30 days."}),
            ("create_reorder_request", {"reference": drop["reference"], "quantity": drop["proposable_quantity"],
                                        "rationale": "Low, though demand is thin."}),
            input_tokens=3100, output_tokens=420),
        claude_fake.Reply.text_reply("Proposed two reorders for approval.", input_tokens=3600, output_tokens=60),
    )
    server = serve(SEIKO_WORKER=True, ANTHROPIC_API_KEY="test-key", ANTHROPIC_BASE_URL=claude.url)
    base, model = server.url, server.app.state.services.gateway.slots[0].provider.model
    email = ops_account(base)

    sign_in(page, base, email, PASSWORD, next_path="/ops")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ops console")
    expect(page.locator("#pending-tile")).to_contain_text("0 pending reorder proposals")
    screenshot(page, "ops-overview-before")

    # The drill: a synthetic alert, a queued run, the worker's agent run, its proposals on the page.
    page.get_by_role("button", name="Run drill").click()
    expect(page.locator("#drill-status")).to_contain_text("The stock agent proposed 2 reorders", timeout=60_000)
    drill_list = page.locator("#drill-proposals")
    expect(drill_list).to_contain_text(f"{keep['reference']} × {keep['proposable_quantity']}")
    expect(drill_list).to_contain_text(f"{drop['reference']} × {drop['proposable_quantity']}")
    expect(page.locator("#toasts")).to_contain_text("Drill finished: 2 new proposals")
    screenshot(page, "ops-overview-drill")

    page.get_by_role("link", name="Review and decide").click()
    expect(page.locator("#proposal-count")).to_have_text("2 proposals")
    card = page.locator(f"article[data-reference='{keep['reference']}']")
    expect(fact(card, "Stock on hand")).to_contain_text(str(keep["available"]))
    expect(fact(card, "Velocity")).to_contain_text(f"{keep['daily_demand_mean']}/day")
    expect(fact(card, "Lead time")).to_have_text(f"{keep['lead_time_days']} days")
    expect(fact(card, "Safety stock")).to_have_text(str(keep["safety_stock"]))
    expect(fact(card, "Reorder point")).to_have_text(str(keep["reorder_point"]))
    expect(fact(card, "Suggested quantity")).to_contain_text(str(keep["suggested_quantity"]))
    expect(fact(card, "Proposed quantity")).to_contain_text(f"{keep['proposable_quantity']} ×")
    expect(card.locator(".rationale")).to_have_text("Below the reorder point with steady demand; cover 30 days.")
    expect(fact(card, "Model")).to_have_text(f"claude · {model}")
    expect(fact(card, "Prompt")).to_have_text("stock_agent_system v1")
    expect(fact(card, "Run cost")).to_contain_text("shared by 2 proposals")
    screenshot(page, "ops-reorders")

    # The decision card and the earned-autonomy panel are on the page.
    decision = card.locator("[data-role=decision-card]")
    expect(fact(decision, "Forecast")).to_contain_text(f"{keep['forecast']['daily_mean']:.2f}/day")
    expect(fact(decision, "At risk if rejected")).to_contain_text("$")
    expect(fact(decision, "Last day to order")).not_to_be_empty()
    expect(page.locator("#autonomy")).to_contain_text("Earned autonomy")
    screenshot(page, "ops-reorders-card")

    # Ops settle on one more pack than proposed: the order changes, the agent's quantity stays on record.
    changed = keep["proposable_quantity"] + keep["pack_size"]
    card.get_by_label("Quantity").fill(str(changed))
    card.get_by_role("button", name=f"Approve {keep['reference']}").click()
    expect(page.locator("#toasts")).to_contain_text(f"Approved {keep['reference']} × {changed}")
    expect(card.locator("[data-role=status]")).to_have_text("approved")
    expect(card.get_by_role("button")).to_have_count(0)

    other = page.locator(f"article[data-reference='{drop['reference']}']")
    reason = other.get_by_label("Reason for rejecting")
    other.get_by_role("button", name="Reject").click()  # an empty reason: the browser holds the form back
    assert reason.evaluate("field => field.validity.valueMissing")
    expect(other.locator("[data-role=status]")).to_have_text("pending")
    reason.fill("Demand is too thin to stock more this quarter")
    other.get_by_role("button", name="Reject").click()
    expect(page.locator("#toasts")).to_contain_text(f"Rejected {drop['reference']}")
    expect(other.locator("[data-role=status]")).to_have_text("rejected")
    screenshot(page, "ops-reorders-decided")

    # The approved order is on order in the inventory.
    console = page.get_by_role("navigation", name="Ops console")
    console.get_by_role("link", name="Inventory").click()
    page.get_by_role("link", name=keep["reference"]).click()
    expect(fact(page.locator("main"), "On order")).to_have_text(str(changed))  # what ops settled on is on order
    expect(page.locator("#admin-only-note")).to_contain_text("needs the admin role")
    screenshot(page, "ops-stock")

    # The run in the decision log, and its tool calls and model calls in the detail.
    console.get_by_role("link", name="Decision log").click()
    page.get_by_label("Provider").select_option("claude")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#run-count")).to_have_text("Runs 1–1 of 1")
    run = page.locator("table.runs tbody tr").first
    expect(run).to_contain_text("drill")
    expect(run).to_contain_text(f"claude · {model}")
    screenshot(page, "ops-decisions")
    run.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Tool calls (3)")).to_be_visible()
    calls = page.locator(".tool-call")
    expect(calls.nth(0)).to_contain_text("list_low_stock_watches")
    expect(calls.nth(1)).to_contain_text("create_reorder_request")
    expect(calls.nth(1).locator("pre").first).to_contain_text(f'"reference": "{keep["reference"]}"')
    expect(page.get_by_role("heading", name="Model call attempts (3)")).to_be_visible()
    expect(page.locator("table.calls tbody tr")).to_have_count(3)
    expect(page.locator("table.calls")).to_contain_text(model)
    screenshot(page, "ops-decision")

    # The spend chart shows the model the run used, with its cost per day.
    console.get_by_role("link", name="AI spend").click()
    expect(page.locator(".legend")).to_contain_text(model)
    expect(page.locator("#spend-chart rect.bar")).to_have_count(1)
    expect(page.locator("#spend-chart rect.bar title")).to_contain_text(model)
    expect(page.locator("#spend-table tbody tr")).to_contain_text(model)
    expect(page.locator("#agent-table")).to_contain_text("claude")
    screenshot(page, "ops-spend")

    console.get_by_role("link", name="Alerts").click()
    expect(page.locator("table.alerts tbody tr").first).to_contain_text("Drill: watches at or below")
    screenshot(page, "ops-alerts")
    console.get_by_role("link", name="Inventory").click()
    screenshot(page, "ops-inventory", full_page=False)
    console.get_by_role("link", name="Orders").click()
    screenshot(page, "ops-orders", full_page=False)

    # Dark mode and a phone screen.
    page.emulate_media(color_scheme="dark")
    for path in ("/ops", "/ops/reorders", "/ops/spend", "/ops/decisions?provider=claude"):
        page.goto(base + path)
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        screenshot(page, "ops-dark-" + (path.split("?")[0].removeprefix("/ops").strip("/") or "overview"))
    phone = browser.new_context(viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state())
    try:
        small = phone.new_page()
        for path in ("/ops", "/ops/reorders", "/ops/decisions", "/ops/spend", "/ops/orders"):
            small.goto(base + path)
            expect(small.get_by_role("navigation", name="Ops console")).to_be_visible()
            width = small.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
            screenshot(small, "ops-phone-" + (path.removeprefix("/ops").strip("/") or "overview"))
    finally:
        phone.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_console_pages_pass_axe(serve: Callable[..., LiveServer], page: Page, theme: str) -> None:
    base = serve(SEIKO_WORKER=True).url  # no model configured: the offline policy proposes
    sign_in(page, base, ADMIN_EMAIL, ADMIN_PASSWORD, next_path="/ops")
    page.evaluate(f"localStorage.setItem('theme', '{theme}')")
    page.get_by_role("button", name="Run drill").click()
    expect(page.locator("#drill-status")).to_contain_text("The stock agent proposed", timeout=60_000)
    found: dict[str, list[dict[str, Any]]] = {"/ops (after the drill)": audit(page)}
    page.get_by_role("link", name="See the agent run").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stock agent run")
    found["/ops/decisions/{id}"] = audit(page)
    for path in (*PAGES, "/ops/reorders?status=pending", "/ops/inventory/SRPD55K1"):
        page.goto(base + path)
        expect(page.locator("html")).to_have_attribute("data-theme", theme)
        found[path] = audit(page)
    violations = {path: v for path, v in found.items() if v}
    assert violations == {}, json.dumps(violations, indent=1)


def test_admin_adjusts_stock_edits_a_watch_and_ships_an_order(serve: Callable[..., LiveServer], page: Page) -> None:
    base = serve().url
    sign_in(page, base, ADMIN_EMAIL, ADMIN_PASSWORD, next_path="/ops/inventory/SRPD55K1")
    before = int(fact(page.locator("main"), "Available").inner_text())
    expect(page.locator("#admin-only-note")).to_have_count(0)

    page.get_by_label("Change in units (negative to remove)").fill("5")
    page.get_by_label("Reason", exact=True).fill("stock count correction")
    page.get_by_role("button", name="Adjust stock").click()
    expect(page.locator("#toasts")).to_contain_text(f"Stock of SRPD55K1 is now {before + 5}")
    expect(fact(page.locator("main"), "Available")).to_have_text(str(before + 5))
    expect(page.locator("table.ledger tbody tr").first).to_contain_text("stock count correction")

    page.get_by_label("Price (USD)").fill("299.00")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("SRPD55K1 saved")
    expect(fact(page.locator("main"), "Price")).to_have_text("$299.00")
    screenshot(page, "ops-stock-admin")

    page.goto(f"{base}/ops/orders?status=paid")
    row = page.locator("table.admin-orders tbody tr").first
    order = row.get_attribute("id")
    assert order is not None
    expect(row.get_by_role("combobox")).to_have_value("shipped")
    row.get_by_role("button", name="Move").click()
    expect(page.locator("#toasts")).to_contain_text(f"Order #{order.removeprefix('order-')} is now shipped")
    expect(page.locator(f"#{order}")).to_have_count(0)  # the page reloaded: no longer among the paid
