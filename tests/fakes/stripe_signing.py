"""Stripe's webhook signature scheme, to sign test events: `t=<unix time>,v1=<hex HMAC-SHA256>` over
`"<t>.<raw body>"` with the endpoint's signing secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def intent_event(event_type: str, intent_id: str, *, event_id: str | None = None, status: str = "succeeded",
                 amount: int = 0) -> bytes:
    obj: dict[str, Any] = {"id": intent_id, "object": "payment_intent", "status": status, "amount": amount,
                           "currency": "usd"}
    if event_type == "payment_intent.payment_failed":
        obj["last_payment_error"] = {"message": "Your card was declined."}
    event = {"id": event_id or f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "api_version": "2024-06-20",
             "created": int(time.time()), "type": event_type, "livemode": False, "data": {"object": obj}}
    return json.dumps(event).encode()


def refund_event(refund: dict[str, Any], *, event_type: str = "refund.updated", event_id: str | None = None,
                 status: str | None = None) -> bytes:
    """A `refund.*` event carrying the refund object (as Stripe sends it), optionally with a new status."""
    obj = {**refund, **({"status": status} if status else {})}
    event = {"id": event_id or f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "api_version": "2024-06-20",
             "created": int(time.time()), "type": event_type, "livemode": False, "data": {"object": obj}}
    return json.dumps(event).encode()
