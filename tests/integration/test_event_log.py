"""The event log: every change appends its CloudEvent in the transaction of the change, each event
matches its JSON Schema, and the log refuses to be rewritten."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest

from commerce.replenishment import service as replenishment
from db.pool import Conn
from events import repo as events_repo
from events import schemas
from events.envelope import Event
from tests.fix_app import Users, make_settings

pytestmark = pytest.mark.integration


async def log_of(conn: Conn, aggregate: str, subject: object) -> list[Event]:
    return await events_repo.for_aggregate(conn, aggregate_type=aggregate, subject=str(subject))


async def all_events(conn: Conn) -> list[Event]:
    cur = await conn.execute("SELECT max(position) AS p FROM events")
    row = await cur.fetchone()
    assert row is not None
    found: list[Event] = []
    after = (0, 0)
    while batch := await events_repo.read_all(conn, after=after):
        found += batch
        after = (batch[-1].tx_id, batch[-1].position)
    assert found[-1].position == row["p"] or max(e.position for e in found) == row["p"]
    return found


def invalid(events: list[Event]) -> dict[str, list[str]]:
    return {f"{e.type}#{e.position}": errs for e in events if (errs := schemas.errors(e.to_cloudevent()))}


async def place(client: httpx.AsyncClient, headers: dict[str, str], items: list[dict[str, Any]]) -> httpx.Response:
    return await client.post("/api/v1/orders", json={"items": items}, headers=headers)


async def stocked(client: httpx.AsyncClient, n: int) -> list[dict[str, Any]]:
    watches = (await client.get("/api/v1/watches", params={"limit": 100, "in_stock": True})).json()["items"]
    return [w for w in watches if w["stock_available"] >= 5][:n]


async def test_an_orders_life_is_in_the_log_as_valid_cloudevents(client: httpx.AsyncClient, users: Users,
                                                                conn: Conn) -> None:
    headers, admin = await users.customer(), await users.admin()
    a, b = await stocked(client, 2)
    r = await place(client, headers, [{"reference": a["reference"], "quantity": 2},
                                      {"reference": b["reference"], "quantity": 1}])
    assert r.status_code == 201, r.text
    order = r.json()
    r = await client.post(f"/api/v1/orders/{order['id']}/payment/simulate", json={"outcome": "failed"},
                          headers=headers)
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/orders/{order['id']}/payment/simulate", json={"outcome": "succeeded"},
                          headers=headers)
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/orders/{order['id']}/refund", json={"reason": "changed my mind"}, headers=headers)
    assert r.status_code == 202, r.text
    r = await client.post(f"/api/v1/orders/{order['id']}/refund", json={}, headers=admin)
    assert r.status_code == 200, r.text

    trail = await log_of(conn, "order", order["id"])
    assert [e.type for e in trail] == ["order.placed", "order.payment_failed", "order.paid", "order.refund_requested",
                                       "order.refunded"]
    assert invalid(trail) == {}
    placed = trail[0]
    assert placed.subject == str(order["id"]) and placed.data["total"] == order["total"]
    assert sorted((x["reference"], x["quantity"]) for x in placed.data["lines"]) == sorted(
        [(a["reference"], 2), (b["reference"], 1)])
    envelope = placed.to_cloudevent()
    assert envelope["specversion"] == "1.0" and envelope["datacontenttype"] == "application/json"
    assert envelope["dataschema"] == "urn:seiko:events:order.placed:v1" and envelope["schemaversion"] == 1
    assert Event.from_json(placed.to_json()) == placed
    # The event's time is the change's: the order's own timestamps come from the same transactions.
    cur = await conn.execute("SELECT created_at, paid_at, refunded_at FROM orders WHERE id = %s", (order["id"],))
    row = await cur.fetchone()
    assert row is not None
    assert (trail[0].time, trail[2].time, trail[4].time) == (row["created_at"], row["paid_at"], row["refunded_at"])
    # Stock: reserved at placing (two lines), back on the shelf at the refund (two lines).
    moves = [e for e in await all_events(conn) if e.type == "stock.adjusted" and e.data["order_id"] == order["id"]]
    assert sorted((e.data["kind"], e.data["delta"]) for e in moves) == sorted(
        [("order_reserved", -2), ("order_reserved", -1), ("order_refunded", 2), ("order_refunded", 1)])


async def test_a_refused_change_appends_nothing(client: httpx.AsyncClient, users: Users, conn: Conn) -> None:
    headers = await users.customer()
    (a,) = await stocked(client, 1)
    before = (await all_events(conn))[-1].position
    # The first line reserves, the second is short: the whole order rolls back, its events with it.
    r = await place(client, headers, [{"reference": a["reference"], "quantity": 1},
                                      {"reference": "SRPD55K1", "quantity": 10_000}])
    assert r.status_code in (409, 422), r.text
    cur = await conn.execute("SELECT count(*) AS n FROM events WHERE position > %s", (before,))
    assert await cur.fetchone() == {"n": 0}


async def test_the_log_is_append_only(conn: Conn) -> None:
    for statement in ("UPDATE events SET type = 'order.forged'", "DELETE FROM events", "TRUNCATE events"):
        with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
            await conn.execute(statement)


async def test_stock_adjustments_and_reorders_append_their_events(client: httpx.AsyncClient, users: Users,
                                                                  conn: Conn) -> None:
    admin = await users.admin()
    (a,) = await stocked(client, 1)
    r = await client.post(f"/api/v1/admin/inventory/{a['reference']}/adjustments",
                          json={"delta": 3, "reason": "found in the back room"}, headers=admin)
    assert r.status_code == 201, r.text
    policy = make_settings("unused").reorder_policy
    await conn.execute("UPDATE inventory SET available = 0")
    low = next(w for w in await replenishment.low_stock_assessments(conn, policy) if w.proposable_quantity > 0)
    proposal = await replenishment.propose(conn, reference=low.reference, quantity=low.proposable_quantity,
                                           rationale="test", policy=policy, decision_id=None, trigger="test")
    assert not isinstance(proposal, replenishment.Refusal)
    await replenishment.decide(conn, proposal_id=proposal.id, approve=True, by="ops", reason="ok")
    await replenishment.receive(conn, proposal_id=proposal.id, by="ops", actor_id=1)
    trail = await log_of(conn, "reorder", proposal.id)
    assert [e.type for e in trail] == ["reorder.proposed", "reorder.approved", "reorder.received"]
    assert trail[0].data["quantity"] == low.proposable_quantity
    everything = await all_events(conn)
    assert invalid(everything) == {}
    kinds = [(e.data["kind"], e.data["delta"]) for e in everything if e.type == "stock.adjusted"]
    assert ("adjustment", 3) in kinds
    assert ("restock", low.proposable_quantity) in kinds


def test_every_schema_is_valid_and_versioned() -> None:
    known = schemas.known_types()
    assert {"order.placed", "order.paid", "order.shipped", "order.delivered", "order.cancelled", "order.refunded",
            "order.imported", "stock.adjusted", "reorder.proposed", "reorder.approved", "reorder.rejected",
            "reorder.expired", "reorder.received"} <= set(known)
    assert all(versions == [1] for versions in known.values())
    bad = {"specversion": "1.0", "id": "not-a-uuid", "source": "/x", "type": "order.placed", "subject": "1",
           "time": "2026-01-01T00:00:00+00:00", "datacontenttype": "application/json",
           "dataschema": "urn:seiko:events:order.placed:v1", "schemaversion": 1, "data": {"order_id": 1}}
    assert any("not-a-uuid" in e for e in schemas.errors(bad))
