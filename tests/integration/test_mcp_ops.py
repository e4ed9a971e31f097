"""The ops MCP server: staff only (enforced on the server, whatever the hints say), the stock agent's
own tools, and a reorder over MCP that is only ever a pending proposal inside the guardrails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from db.pool import Conn
from tests.fix_app import Users, make_settings
from tests.live_server import LiveServer
from tests.mcp_client import data, mcp_session, refusal
from tools.stock import STOCK_TOOLS

pytestmark = pytest.mark.integration
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
ACCEPT = {"Accept": "application/json, text/event-stream"}


@pytest.fixture
def server(db_url: str) -> Iterator[LiveServer]:
    # Auto-approval on for the store: a proposal from outside must still wait for a person.
    live = LiveServer(make_settings(db_url, SEIKO_REORDER_AUTO_APPROVE_BELOW_USD="1000000")).start()
    yield live
    live.stop()


async def tokens(server: LiveServer) -> dict[str, dict[str, str]]:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        users = Users(client)
        return {"customer": await users.customer(), "ops": await users.ops(), "admin": await users.admin()}


async def test_only_staff_reach_the_ops_server(server: LiveServer) -> None:
    who = await tokens(server)
    for headers, status in (({}, 401), ({"Authorization": "Bearer forged"}, 401), (who["customer"], 403)):
        for method in ("POST", "GET", "DELETE"):
            async with httpx.AsyncClient() as client:
                r = await client.request(method, f"{server.url}/mcp/ops", headers={**headers, **ACCEPT},
                                         json=LIST_TOOLS if method == "POST" else None)
            assert r.status_code == status, (method, headers, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
    # The official client is refused too: its handshake fails, it never sees a tool list.
    with pytest.raises(ExceptionGroup) as refused:
        async with httpx2.AsyncClient(headers=who["customer"]) as http, \
                streamable_http_client(f"{server.url}/mcp/ops", http_client=http) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()
    assert refused.value.subgroup(lambda e: isinstance(e, MCPError)) is not None
    for role in ("ops", "admin"):
        async with mcp_session(f"{server.url}/mcp/ops", who[role]) as session:
            assert (await session.list_tools()).tools


async def test_the_ops_tools_are_the_stock_agents_with_honest_hints(server: LiveServer) -> None:
    async with mcp_session(f"{server.url}/mcp/ops", (await tokens(server))["ops"]) as session:
        tools = {t.name: t for t in (await session.list_tools()).tools}
    assert set(tools) == set(STOCK_TOOLS.tools)
    for name, tool in tools.items():
        assert tool.annotations is not None
        writes = STOCK_TOOLS.tools[name].writes
        assert tool.annotations.destructive_hint is writes, name
        assert tool.annotations.read_only_hint is (not writes), name
    assert tools["create_reorder_request"].annotations.destructive_hint is True  # type: ignore[union-attr]


async def low_watch(session: ClientSession, conn: Conn) -> dict[str, Any]:
    await conn.execute("UPDATE inventory SET available = 0 FROM watches w "
                       "WHERE w.id = inventory.watch_id AND w.reference = 'SRPD55K1'")
    listed = data(await session.call_tool("list_low_stock_watches", {}))
    return next(w for w in listed["data"] if w["reference"] == "SRPD55K1")


async def test_a_reorder_over_mcp_is_a_pending_proposal_within_the_guardrails(
    server: LiveServer, conn: Conn
) -> None:
    # Every demand class has earned autonomy on its record: a proposal over MCP still waits for a person.
    await conn.execute("""INSERT INTO reorder_autonomy (demand_class, enabled, changed_at, reason, evidence)
                          SELECT c, TRUE, now(), 'test', '{}' FROM unnest(ARRAY['smooth', 'erratic',
                              'intermittent', 'lumpy']) c
                          ON CONFLICT (demand_class) DO UPDATE SET enabled = TRUE""")
    async with mcp_session(f"{server.url}/mcp/ops", (await tokens(server))["ops"]) as session:
        watch = await low_watch(session, conn)
        _, high = watch["allowed_quantity"]
        too_many = await session.call_tool("create_reorder_request", {
            "reference": "SRPD55K1", "quantity": high + watch["pack_size"], "rationale": "more"})
        made = data(await session.call_tool("create_reorder_request", {
            "reference": "SRPD55K1", "quantity": watch["proposable_quantity"], "rationale": "covers the lead time"}))
        again = await session.call_tool("create_reorder_request", {
            "reference": "SRPD55K1", "quantity": watch["proposable_quantity"], "rationale": "twice"})
    assert "outside the policy band" in refusal(too_many)
    assert made["status"] == "needs_approval" and made["data"]["status"] == "pending"
    assert isinstance(made["data"]["total_cost"], str)
    assert "already has an open proposal" in refusal(again)
    cur = await conn.execute("SELECT status, trigger, decision_id FROM reorder_proposals")
    rows = await cur.fetchall()
    assert [(r["status"], r["decision_id"]) for r in rows] == [("pending", None)]
    assert rows[0]["trigger"].startswith("mcp:ops-")
