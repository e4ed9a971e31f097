"""Shopper traffic for the Seiko Watch Store, for locust.

Two kinds of visitor, in the proportions a shop sees:
- browsers (most): the catalog with filters, watch pages and their drawings, plain-language search,
  now and then a question to the shopper assistant (offline policy unless a model is configured);
- buyers (fewer): register and log in once, browse, put a watch in the cart, check out with an
  Idempotency-Key, then pay (simulated provider) or cancel.

Requests are named by route template (`/api/v1/watches/{reference}`), so the figures are per endpoint.
A 409 `insufficient_stock` at checkout is a correct answer when a popular watch sells out under load,
not a failure; anything else unexpected is.

Run through `load/run.py` (which starts a server) or directly:
    locust -f load/locustfile.py --config load/profiles/smoke.conf --host http://127.0.0.1:8000
"""

from __future__ import annotations

import random
import secrets
import uuid
from typing import Any

from locust import HttpUser, between, task
from locust.clients import ResponseContextManager

# What shoppers type: constraints the parser reads (price, depth, size, movement) and loose words.
SEARCHES = (
    "automatic diver under $500", "dress watch", "solar chronograph", "200m dive watch with sapphire",
    "blue dial", "gmt for travel", "38mm field watch", "titanium", "presage cocktail time",
    "quartz under $300", "spring drive", "green dial automatic", "pilot watch", "king seiko",
)
QUESTIONS = (
    "Which automatic diver under $600 would you recommend?",
    "I want a dress watch with a white dial for a wedding.",
    "What is a good solar watch that never needs a battery change?",
    "Is there a GMT watch for frequent travel?",
)
FILTERS: tuple[dict[str, str], ...] = (
    {}, {"category": "diver"}, {"category": "dress"}, {"movement": "automatic"}, {"movement": "solar"},
    {"max_price": "500"}, {"in_stock": "true"}, {"sort": "price_asc"}, {"collection": "Prospex"},
)


def expect(response: ResponseContextManager, *ok: int) -> Any:
    """Mark the response failed unless its status is one of `ok`; return the JSON body (or None)."""
    if response.status_code not in ok:
        response.failure(f"HTTP {response.status_code}: {response.text[:200]}")  # type: ignore[no-untyped-call]
        return None
    response.success()  # type: ignore[no-untyped-call]
    try:
        return response.json()
    except ValueError:
        return None


class Shopper(HttpUser):
    """What every visitor does: the catalog, watch pages and search."""

    abstract = True
    wait_time = between(0.5, 2.0)
    references: list[str]

    def on_start(self) -> None:
        with self.client.get("/api/v1/watches?limit=100", name="/api/v1/watches", catch_response=True) as r:
            page = expect(r, 200)
        self.references = [w["reference"] for w in (page or {}).get("items", [])] or ["SRPD55K1"]

    @task(5)
    def browse_catalog(self) -> None:
        params = {"limit": "24", "offset": str(random.choice((0, 0, 0, 24))), **random.choice(FILTERS)}
        with self.client.get("/api/v1/watches", params=params, name="/api/v1/watches", catch_response=True) as r:
            expect(r, 200)

    @task(6)
    def watch_page(self) -> None:
        reference = random.choice(self.references)
        with self.client.get(f"/api/v1/watches/{reference}", name="/api/v1/watches/{reference}",
                             catch_response=True) as r:
            expect(r, 200)
        with self.client.get(f"/api/v1/watches/{reference}/image.svg", name="/api/v1/watches/{reference}/image.svg",
                             catch_response=True) as r:
            expect(r, 200)

    @task(3)
    def search(self) -> None:
        with self.client.get("/api/v1/search", params={"q": random.choice(SEARCHES), "limit": "10"},
                             name="/api/v1/search", catch_response=True) as r:
            expect(r, 200)


class Browser(Shopper):
    """An anonymous visitor; sometimes asks the assistant."""

    weight = 4

    @task(1)
    def ask(self) -> None:
        with self.client.post("/api/v1/chat", json={"message": random.choice(QUESTIONS)}, name="/api/v1/chat",
                              catch_response=True) as r:
            expect(r, 200)


class Buyer(Shopper):
    """A registered customer who buys: cart, checkout, then pays or cancels."""

    weight = 1
    headers: dict[str, str]

    def on_start(self) -> None:
        super().on_start()
        # A fresh account per simulated shopper, with a random password: nothing to keep or leak.
        email, password = f"load-{uuid.uuid4().hex[:12]}@example.com", secrets.token_urlsafe(18)
        with self.client.post("/api/v1/auth/register", json={"email": email, "password": password, "name": "Load"},
                              name="/api/v1/auth/register", catch_response=True) as r:
            expect(r, 201)
        with self.client.post("/api/v1/auth/login", json={"email": email, "password": password},
                              name="/api/v1/auth/login", catch_response=True) as r:
            body = expect(r, 200) or {}
        self.headers = {"Authorization": f"Bearer {body.get('access_token', '')}"}

    @task(2)
    def buy(self) -> None:
        reference = random.choice(self.references)
        with self.client.put(f"/api/v1/cart/items/{reference}", json={"quantity": 1}, headers=self.headers,
                             name="/api/v1/cart/items/{reference}", catch_response=True) as r:
            if expect(r, 200) is None:
                return
        with self.client.post("/api/v1/cart/checkout", headers={**self.headers, "Idempotency-Key": uuid.uuid4().hex},
                              name="/api/v1/cart/checkout", catch_response=True) as r:
            if r.status_code == 409 and "insufficient_stock" in r.text:
                r.success()  # sold out under load: the store refused to oversell, as it must
                self.client.delete("/api/v1/cart", headers=self.headers, name="/api/v1/cart")
                return
            order = expect(r, 201)
        if not order:
            return
        # Most pay; some change their mind, which gives the stock back.
        if random.random() < 0.7:
            with self.client.post(f"/api/v1/orders/{order['id']}/payment/simulate", json={"outcome": "succeeded"},
                                  headers=self.headers, name="/api/v1/orders/{order_id}/payment/simulate",
                                  catch_response=True) as r:
                expect(r, 200)
        else:
            with self.client.post(f"/api/v1/orders/{order['id']}/cancel", headers=self.headers,
                                  name="/api/v1/orders/{order_id}/cancel", catch_response=True) as r:
                expect(r, 200)

    @task(1)
    def my_orders(self) -> None:
        with self.client.get("/api/v1/orders", headers=self.headers, name="/api/v1/orders", catch_response=True) as r:
            expect(r, 200)
