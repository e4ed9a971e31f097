"""The shopper assistant as shoppers meet it: the offline policy answers each kind of question for what
it is (no filler watches), and grounding keeps what is true without rewriting the shopper's budget."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from commerce.catalog.calibers import power_reserve_hours
from commerce.policies import service as store_policies
from db.pool import Conn
from tests.fakes import anthropic_server as claude_fake
from tests.fix_app import Users
from tests.integration.test_chat import run_with_claude

pytestmark = pytest.mark.integration


async def ask(client: httpx.AsyncClient, message: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    r = await client.post("/api/v1/chat", json={"message": message}, headers=headers or {})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert body["provider"] == "offline"
    return body


@pytest.mark.parametrize(("question", "topic"), [
    ("What is your return policy?", "returns"),
    ("How long does shipping to Canada take?", "shipping"),
    ("Is there a warranty on these watches?", "warranty"),
    ("Can I pay with a debit card?", "payment"),
])
async def test_policy_questions_are_answered_from_the_policy_document(
    client: httpx.AsyncClient, question: str, topic: str
) -> None:
    body = await ask(client, question)
    assert store_policies.policies()[topic].text in body["answer"]
    assert body["products"] == [], "no watches for a policy question"


async def test_where_is_my_order_shows_the_callers_orders_or_asks_to_sign_in(
    client: httpx.AsyncClient, users: Users
) -> None:
    anonymous = await ask(client, "Where is my order?")
    assert "Sign in" in anonymous["answer"]
    assert anonymous["products"] == []
    alice = await users.customer()
    order = (await client.post("/api/v1/orders", headers=alice,
                               json={"items": [{"reference": "SRPD55K1", "quantity": 1}]})).json()
    mine = await ask(client, "where is my order?", alice)
    assert f"Order {order['id']}" in mine["answer"]
    assert "pending payment" in mine["answer"]
    bob = await ask(client, "where is my order?", await users.customer())
    assert str(order["id"]) not in bob["answer"]
    assert "no orders yet" in bob["answer"]


async def test_is_it_in_stock_answers_directly(client: httpx.AsyncClient, conn: Conn) -> None:
    body = await ask(client, "Is the SRPE93K1 in stock?")
    cur = await conn.execute("SELECT i.available FROM inventory i JOIN watches w ON w.id = i.watch_id "
                             "WHERE w.reference = 'SRPE93K1'")
    available = (await cur.fetchone() or {})["available"]
    assert f"is in stock: {available} available at $495.00" in body["answer"]
    assert [p["reference"] for p in body["products"]] == ["SRPE93K1"]
    await conn.execute("UPDATE inventory SET available = 0 FROM watches w WHERE w.id = inventory.watch_id "
                       "AND w.reference = 'SRPE93K1'")
    sold_out = await ask(client, "do you have SRPE93K1 in stock?")
    assert "out of stock right now" in sold_out["answer"]


async def test_compare_puts_two_watches_side_by_side(client: httpx.AsyncClient) -> None:
    body = await ask(client, "Compare SRPE93K1 and SPB143J1")
    assert "Side by side" in body["answer"]
    assert "Water resistance: 200 m | 200 m" in body["answer"]
    assert {p["reference"] for p in body["products"]} == {"SRPE93K1", "SPB143J1"}


async def test_the_longest_power_reserve_is_ranked_over_the_catalog(client: httpx.AsyncClient, conn: Conn) -> None:
    body = await ask(client, "Which watch has the longest power reserve?")
    cur = await conn.execute("SELECT reference, caliber FROM watches WHERE active")
    best = max(power_reserve_hours(r["caliber"]) or 0 for r in await cur.fetchall())
    assert f"power reserve {best} hours" in body["answer"]
    assert body["answer"].count("power reserve 72 hours") == min(3, body["answer"].count("72 hours"))


@pytest.mark.parametrize("question", ["What's the weather in Paris tomorrow?", "Write me a poem about cats",
                                      "asdfqwer zzz"])
async def test_out_of_scope_gets_a_plain_no_and_no_filler(client: httpx.AsyncClient, question: str) -> None:
    body = await ask(client, question)
    assert "I can't help with that here" in body["answer"]
    assert body["products"] == []


async def test_the_shoppers_budget_is_not_corrected_into_a_price(db_url: str, conn: Conn) -> None:
    body, _ = await run_with_claude(db_url, [claude_fake.Reply.text_reply(
        "For a dive watch under $600, the Prospex Turtle SRPE93K1 is a strong choice at $495.00.")],
        "dive watch under $600")
    assert "under $600" in body["answer"]
    assert "$495.00" in body["answer"]
    assert body["corrections"] == []


async def test_an_invented_reference_beside_a_real_watch_keeps_the_real_watch(db_url: str, conn: Conn) -> None:
    body, _ = await run_with_claude(db_url, [claude_fake.Reply.text_reply(
        "The SRPE93K1 and the SRPX999K1 are both great divers at $450.")], "a diver please")
    assert body["answer"], "never an empty answer"
    assert "SRPE93K1" in body["answer"] and "$495.00" in body["answer"]
    assert "SRPX999K1" not in body["answer"]
    assert [p["reference"] for p in body["products"]] == ["SRPE93K1"]


async def test_when_nothing_survives_the_offline_answer_stands_in_and_says_so(db_url: str, conn: Conn) -> None:
    body, _ = await run_with_claude(db_url, [claude_fake.Reply.text_reply(
        "You should buy the SKX999J1, our best diver.")], "an automatic diver under $500")
    assert body["answer"].startswith("(The assistant's answer could not be checked")
    assert "SKX999J1" not in body["answer"]
    assert body["products"], "the offline answer's watches"
    assert any("answered from the store's data instead" in c for c in body["corrections"])
