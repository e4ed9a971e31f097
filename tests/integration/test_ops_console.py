"""The ops console's pages, rendered on the server from live data, and the drill they start.

The browser journey (tests/browser/test_ops_journey.py) clicks through the same pages; these tests
read the HTML, so each page's content is checked without a browser."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from db.pool import Conn
from tests.fakes import anthropic_server as claude_fake
from tests.fix_app import Users, build_test_app, make_settings, started

pytestmark = pytest.mark.integration

PAGES = ("/ops", "/ops/reorders", "/ops/reorders?status=pending", "/ops/alerts", "/ops/decisions",
         "/ops/spend", "/ops/inventory", "/ops/inventory?low=true", "/ops/inventory/SRPD55K1", "/ops/orders")


def text(page: str) -> str:
    """The page's visible words, tags dropped and whitespace folded, for asserting on what people read."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


async def drill(client: httpx.AsyncClient, app: FastAPI, headers: dict[str, str]) -> dict[str, object]:
    """Run the low-stock drill as the console does, then let the worker take the job; the finished job."""
    r = await client.post("/api/v1/ops/drills/low-stock", headers=headers)
    assert r.status_code == 202, r.text
    receipt = r.json()
    assert receipt["trigger"] == "drill"
    assert receipt["fingerprint"].startswith("drill")
    assert receipt["job"]["status"] == "queued"
    assert await app.state.worker.run_once()
    job = (await client.get(f"/api/v1/ops/jobs/{receipt['job']['id']}", headers=headers)).json()
    assert job["status"] == "done", job
    assert job["decision_id"]
    result: dict[str, object] = job
    return result


async def test_the_drill_queues_a_stock_agent_run_that_proposes_reorders(
    app: FastAPI, client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    ops = await users.ops()
    job = await drill(client, app, ops)
    assert not await app.state.worker.run_once(), "one drill, one run"
    alerts = (await client.get("/api/v1/ops/alerts", headers=ops)).json()["items"]
    assert [(a["alertname"], a["labels"]["source"], a["acted_on"]) for a in alerts] == [
        ("WatchesLowStock", "drill", True)]
    assert alerts[0]["annotations"]["requested_by"].startswith("ops-")
    pending = (await client.get("/api/v1/ops/reorders?status=pending", headers=ops)).json()["items"]
    assert pending
    assert {(p["decision_id"], p["trigger"]) for p in pending} == {(job["decision_id"], "drill")}
    decision = (await client.get(f"/api/v1/ops/decisions/{job['decision_id']}", headers=ops)).json()
    assert (decision["agent"], decision["trigger"], decision["provider"]) == ("stock", "drill", "offline")
    assert (await client.get("/api/v1/ops/jobs/999999", headers=ops)).json()["code"] == "job_not_found"

    # A second drill is a new alert and a new run; with every low watch proposed it adds nothing.
    await drill(client, app, ops)
    again = (await client.get("/api/v1/ops/reorders?status=pending", headers=ops)).json()["items"]
    assert len(again) == len(pending)
    cur = await conn.execute("SELECT count(*) AS n FROM alerts WHERE labels->>'source' = 'drill'")
    assert await cur.fetchone() == {"n": 2}


async def test_every_page_renders_for_ops_and_admin(client: httpx.AsyncClient, users: Users) -> None:
    for role, headers in (("ops", await users.ops()), ("admin", await users.admin())):
        for path in PAGES:
            r = await client.get(path, headers=headers)
            assert r.status_code == 200, (role, path, r.text[:300])
            assert r.headers["content-type"].startswith("text/html")
            assert '<link rel="stylesheet" href="/static/ops.css">' in r.text
            assert '<script src="/static/ops.js" defer></script>' in r.text
            assert 'aria-current="page"' in r.text
            assert 'id="chat' not in r.text, "the shopper's chat panel is not on ops pages"
            assert f'<span class="role">{role}</span>' in r.text


async def test_customers_are_refused_and_anonymous_browsers_sent_to_sign_in(
    client: httpx.AsyncClient, users: Users
) -> None:
    customer = await users.customer()
    for path in PAGES:
        refused = await client.get(path, headers=customer)
        assert refused.status_code == 403, path
        assert refused.headers["content-type"].startswith("text/html")
        assert "This page is for the ops or admin role" in refused.text
        anonymous = await client.get(path)
        assert anonymous.status_code == 303, path
        assert anonymous.headers["location"].startswith("/account/login?next=%2Fops")
    assert (await client.post("/api/v1/ops/drills/low-stock", headers=customer)).status_code == 403
    assert (await client.post("/api/v1/ops/drills/low-stock")).status_code == 401


async def test_overview_counts_pending_proposals_and_offers_the_drill(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    ops = await users.ops()
    before = text((await client.get("/ops", headers=ops)).text)
    assert "0 pending reorder proposals" in before
    assert "No alerts received yet." in before
    assert "$0.00 AI spend today (UTC)" in before
    page = (await client.get("/ops", headers=ops)).text
    assert '<button type="button" id="run-drill">Run drill</button>' in page
    assert 'id="drill-status" class="drill-status" role="status" aria-live="polite"' in page

    await drill(client, app, ops)
    pending = (await client.get("/api/v1/ops/reorders?status=pending", headers=ops)).json()["items"]
    after = text((await client.get("/ops", headers=ops)).text)
    assert f"{len(pending)} pending reorder proposal" in after
    assert "firing WatchesLowStock drill" in after
    assert "stock drill offline · offline-policy stock_agent_system v1 completed 0 / 0 $0.00" in after


async def test_proposals_show_their_inputs_rationale_run_and_decision_controls(
    app: FastAPI, client: httpx.AsyncClient, users: Users, conn: Conn
) -> None:
    ops = await users.ops()
    job = await drill(client, app, ops)
    pending = (await client.get("/api/v1/ops/reorders?status=pending", headers=ops)).json()["items"]
    page = (await client.get("/ops/reorders?status=pending", headers=ops)).text
    words = text(page)
    assert f"{len(pending)} proposal" in words
    for p in pending:
        inputs = p["inputs"]
        card = page[page.index(f'id="proposal-{p["id"]}"'):]
        card = text(card[:card.index("</article>")])
        assert f"Stock on hand {inputs['available']}" in card
        assert f"On order {inputs['on_order']}" in card
        assert f"Velocity {inputs['daily_demand_mean']}/day" in card
        assert f"Lead time {inputs['lead_time_days']} days" in card
        assert f"Safety stock {inputs['safety_stock']}" in card
        assert f"Reorder point {inputs['reorder_point']}" in card
        assert f"Suggested quantity {inputs['suggested_quantity']}" in card
        assert f"Proposed quantity {p['quantity']} ×" in card
        assert p["rationale"] in card
        assert "Model offline · offline-policy" in card
        assert "Prompt stock_agent_system v1" in card
        assert "Run cost $0.00" in card
        assert f"Approve {p['reference']}" in card
        # the decision card, from the same figures the API returns
        forecast = p["forecast"]
        assert forecast["model"] and forecast["interval"]["horizon_days"] == inputs["lead_time_days"]
        assert (f"Forecast {forecast['daily_mean']:.2f}/day ({forecast['model']}, {forecast['demand_class']} "
                "demand") in card
        assert f"Lead-time demand {forecast['interval']['low']:g}–{forecast['interval']['high']:g} units" in card
        assert f"Runs out {p['projected_stockout_date'] or 'not at this rate'}" in card
        assert f"Last day to order {p['last_order_date'] or '–'}" in card
        assert f"At risk if rejected ${float(p['revenue_at_risk']):,.2f}" in card
        assert f"Cost of the order ${float(p['total_cost']):,.2f}" in card
        if p["days_of_cover_after"] is not None:
            assert f"Cover after {p['days_of_cover_after']} days" in card
    first = pending[0]["id"]
    assert f'<label for="reject-reason-{first}">Reason for rejecting</label>' in page
    assert re.search(rf'<textarea id="reject-reason-{first}" name="reason" rows="2" required minlength="3"', page)

    # Filters: by status, and the proposals of one run (the drill's "Review and decide" link).
    await client.post(f"/api/v1/ops/reorders/{first}/reject", json={"reason": "supplier discontinued it"},
                      headers=ops)
    rejected = text((await client.get("/ops/reorders?status=rejected", headers=ops)).text)
    assert "1 proposal " in rejected
    assert "Reason supplier discontinued it" in rejected
    assert "Reason for rejecting" not in rejected, "a decided proposal has no controls"
    of_run = text((await client.get(f"/ops/reorders?run={job['decision_id']}", headers=ops)).text)
    assert f"{len(pending)} proposal" in of_run
    assert "0 proposals" in text((await client.get(f"/ops/reorders?run={'0' * 8}-0000-4000-8000-{'0' * 12}",
                                                   headers=ops)).text)
    assert (await client.get("/ops/reorders?status=", headers=ops)).status_code == 200, "the form's All choice"

    # What the model wrote is shown as text, never as markup.
    await conn.execute("UPDATE reorder_proposals SET rationale = '<script>alert(1)</script>' WHERE id = %s",
                       (pending[-1]["id"],))
    escaped = (await client.get("/ops/reorders", headers=ops)).text
    assert "<script>alert(1)</script>" not in escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in escaped


async def test_decision_log_filters_and_run_detail(app: FastAPI, client: httpx.AsyncClient, users: Users) -> None:
    ops = await users.ops()
    job = await drill(client, app, ops)
    listing = (await client.get("/ops/decisions", headers=ops)).text
    assert "Runs 1–1 of 1" in text(listing)
    assert f'href="/ops/decisions/{job["decision_id"]}"' in listing
    today = datetime.now(UTC).date()
    for query, shown in (({"agent": "stock"}, True), ({"agent": "shopper"}, False), ({"provider": "offline"}, True),
                         ({"provider": "claude"}, False), ({"outcome": "completed"}, True),
                         ({"outcome": "error"}, False), ({"trigger": "drill"}, True), ({"trigger": "alert:"}, False),
                         ({"since": str(today), "until": str(today)}, True),
                         ({"since": str(today + timedelta(days=1))}, False),
                         ({"until": str(today - timedelta(days=1))}, False),
                         ({"agent": "", "provider": "", "outcome": "", "since": "", "until": ""}, True)):
        page = await client.get("/ops/decisions", params=query, headers=ops)
        assert page.status_code == 200, (query, page.text)
        assert (job["decision_id"] in page.text) is shown, query
        if not shown:
            assert "No runs match" in page.text
    assert 'id="f-since" name="since" type="date"' in listing
    assert (await client.get("/ops/decisions?agent=robot", headers=ops)).status_code == 422

    detail = (await client.get(f"/ops/decisions/{job['decision_id']}", headers=ops)).text
    words = text(detail)
    assert "Stock agent run" in words
    assert "Trigger drill" in words
    assert "Prompt stock_agent_system v1" in words
    assert "Tool calls (" in words
    assert "list_low_stock_watches" in words and "create_reorder_request" in words
    proposed = (await client.get("/api/v1/ops/reorders?status=pending", headers=ops)).json()["items"][0]
    # Each call with its input and result, as indented JSON.
    assert f'&#34;reference&#34;: &#34;{proposed["reference"]}&#34;' in detail
    assert "&#34;proposable_quantity&#34;:" in detail
    assert "Model call attempts (1)" in words
    assert "1 offline offline-policy ok – 0 / 0 0 / 0 $0.00" in words
    assert "Proposals this run made" in words
    missing = await client.get("/ops/decisions/00000000-0000-4000-8000-000000000000", headers=ops)
    assert missing.status_code == 404


async def test_alert_history_lists_alerts_with_their_state(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    ops = await users.ops()
    await drill(client, app, ops)
    page = text((await client.get("/ops/alerts", headers=ops)).text)
    assert "WatchesLowStock drill firing Drill: watches at or below their reorder point" in page
    assert "stock agent" in page
    assert "No alerts that are resolved." in text((await client.get("/ops/alerts?status=resolved", headers=ops)).text)


async def test_inventory_shows_stock_and_keeps_admin_controls_from_ops(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    ops, admin = await users.ops(), await users.admin()
    await drill(client, app, ops)
    low = (await client.get("/api/v1/admin/dashboard", headers=ops)).json()["low_stock"]
    approved = (await client.get("/api/v1/ops/reorders?status=pending", headers=ops)).json()["items"][0]
    await client.post(f"/api/v1/ops/reorders/{approved['id']}/approve", headers=ops)

    page = (await client.get("/ops/inventory?low=true", headers=ops)).text
    assert page.count('<tr class="low">') == len(low)
    row = page[page.index(f'href="/ops/inventory/{approved["reference"]}"'):]
    row = text(row[:row.index("</tr>")])
    assert f"{approved['quantity']}" in row.split()  # on order
    everything = (await client.get("/ops/inventory", headers=ops)).text
    assert everything.count("<tr") - 1 == (await client.get("/api/v1/watches?limit=1")).json()["total"]

    as_ops = (await client.get(f"/ops/inventory/{approved['reference']}", headers=ops)).text
    assert 'id="admin-only-note"' in as_ops
    assert 'id="watch-form"' not in as_ops
    assert '<label for="adjust-reason">Reason</label>' in as_ops
    as_admin = (await client.get(f"/ops/inventory/{approved['reference']}", headers=admin)).text
    assert 'id="admin-only-note"' not in as_admin
    assert 'id="watch-form"' in as_admin

    r = await client.post(f"/api/v1/admin/inventory/{approved['reference']}/adjustments",
                          json={"delta": 3, "reason": "stock count correction"}, headers=ops)
    assert r.status_code == 201
    ledger = text((await client.get(f"/ops/inventory/{approved['reference']}", headers=ops)).text)
    balance = r.json()["stock_available"]
    assert f"+3 adjustment stock count correction {balance} ops-" in ledger
    assert (await client.get("/ops/inventory/NOPE123", headers=ops)).status_code == 404


async def test_orders_page_lists_orders_with_their_next_statuses(client: httpx.AsyncClient, users: Users) -> None:
    customer, ops = await users.customer(), await users.ops()
    r = await client.post("/api/v1/orders", json={"items": [{"reference": "SRPD55K1", "quantity": 1}]},
                          headers=customer)
    assert r.status_code == 201, r.text
    order = r.json()
    page = (await client.get("/ops/orders", headers=ops)).text
    row = page[page.index(f'id="order-{order["id"]}"'):]
    row = row[:row.index("</tr>")]
    assert "SRPD55K1 × 1" in row
    assert re.findall(r'<option value="(\w+)">', row) == ["paid", "cancelled"]
    assert f'<label for="move-{order["id"]}" class="visually-hidden">New status for order #{order["id"]}</label>' in row
    await client.patch(f"/api/v1/admin/orders/{order['id']}", json={"status": "cancelled"}, headers=ops)
    cancelled = (await client.get("/ops/orders?status=cancelled", headers=ops)).text
    assert f'id="order-{order["id"]}"' in cancelled
    assert "final" in text(cancelled)


@pytest_asyncio.fixture
async def claude() -> AsyncIterator[claude_fake.AnthropicFake]:
    with claude_fake.running_anthropic_fake() as fake:
        yield fake


async def test_spend_page_charts_cost_per_model_per_day_and_counts_fallbacks(
    db_url: str, conn: Conn, claude: claude_fake.AnthropicFake
) -> None:
    cur = await conn.execute("SELECT w.reference FROM watches w JOIN inventory i ON i.watch_id = w.id "
                             "WHERE i.available <= i.reorder_point ORDER BY w.reference")
    low = [r["reference"] for r in await cur.fetchall()]
    assert low
    settings = make_settings(db_url, ANTHROPIC_API_KEY="test-key", ANTHROPIC_BASE_URL=claude.url)
    async for app in started(build_test_app(settings)):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            ops = await Users(client).ops()
            # Claude answers the first run (it only looks), then fails with 5xx on every attempt of the
            # second, which falls back to the offline policy.
            claude.script(claude_fake.Reply.tool_use("list_low_stock_watches", {}, input_tokens=2400,
                                                     output_tokens=300),
                          claude_fake.Reply.text_reply("Nothing to order today.", input_tokens=2900,
                                                       output_tokens=120),
                          *[claude_fake.Reply(fault="500") for _ in range(8)])
            first = await drill(client, app, ops)
            second = await drill(client, app, ops)
            model = settings.claude_model
            run = (await client.get(f"/api/v1/ops/decisions/{first['decision_id']}", headers=ops)).json()
            assert (run["provider"], run["model"]) == ("claude", model)
            assert float(run["cost_usd"]) > 0
            fell = (await client.get(f"/api/v1/ops/decisions/{second['decision_id']}", headers=ops)).json()
            assert fell["provider"] == "offline"
            assert fell["fallback_reason"].startswith("claude: ")
            reason = fell["fallback_reason"].removeprefix("claude: ")

            page = (await client.get("/ops/spend", headers=ops)).text
            words = text(page)
            assert '<svg id="spend-chart"' in page
            assert 'role="img" aria-labelledby="spend-title spend-desc"' in page
            assert '<title id="spend-title">AI spend per model per day' in page
            assert f"{model} ${float(run['cost_usd']):.4f}" in words
            assert re.search(r'<rect class="bar series-0" [^>]*><title>\d{4}-\d\d-\d\d · ' + re.escape(model), page)
            assert "Day (UTC)" in page and "US dollars" in page
            assert '<table class="data" id="spend-table">' in page
            table = text(page[page.index('id="spend-table"'):page.index("</table>", page.index('id="spend-table"'))])
            # Two answers and three failed attempts (every attempt is a call; failures cost nothing).
            assert f"{datetime.now(UTC).date()} {model} 5 5300 420" in table
            agents = text(page[page.index('id="agent-table"'):])
            assert "stock claude" in agents and "stock offline" in agents
            fallbacks = text(page[page.index('id="fallback-table"'):])
            assert f"stock claude {reason.replace('_', ' ')} 1" in fallbacks

            detail = text((await client.get(f"/ops/decisions/{second['decision_id']}", headers=ops)).text)
            assert "Fallback claude: " in detail
            assert f"claude {model} error {reason}" in detail

            quiet = text((await client.get("/ops/spend?days=7", headers=ops)).text)
            assert "Last 7 days" in quiet
            assert "Invalid" not in quiet
