"""A local server that speaks the parts of Stripe's API the store uses, for the real `stripe` SDK.

PaymentIntents: create (form-encoded, honouring Idempotency-Key as Stripe does: the same key and
parameters replay the first answer, other parameters are refused), retrieve and cancel. Refunds:
create (idempotent the same way; refused unless the intent succeeded and is not refunded yet) and
retrieve; a new refund takes the status in `refund_status` ("succeeded", "pending" or "failed").
Faults are scripted per request: `"500"` answers a server error, `"timeout"` stalls past the
client's timeout.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes._loopback import FakeHandler, serving


@dataclass
class StripeFake:
    url: str = ""
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    refund_status: str = "succeeded"
    faults: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, idempotency key
    stall_seconds: float = 3.0
    # A slow Stripe: while `gate` is an unset Event, every request waits for it (at most 20 s), so a
    # test can look at the store while a call to Stripe is in flight.
    gate: threading.Event | None = None
    _idempotent: dict[str, tuple[str, int, dict[str, Any]]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set_status(self, intent_id: str, status: str) -> None:
        with self._lock:
            self.intents[intent_id]["status"] = status

    def refund_creates(self) -> list[tuple[str, str, str | None]]:
        return [r for r in self.requests if r[0] == "POST" and r[1] == "/v1/refunds"]

    def creates(self) -> list[tuple[str, str, str | None]]:
        return [r for r in self.requests if r[0] == "POST" and r[1] == "/v1/payment_intents"]

    def handle(self, method: str, path: str, key: str | None, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append((method, path, key))
            fault = self.faults.pop(0) if self.faults else None
        if self.gate is not None:
            self.gate.wait(20)
        if fault == "timeout":
            time.sleep(self.stall_seconds)
        if fault == "500":
            return 500, _error("api_error", "An unknown error occurred")
        with self._lock:
            if method == "POST" and path == "/v1/payment_intents":
                return self._idempotent_create(key, form, self._new_intent)
            if method == "POST" and path == "/v1/refunds":
                return self._idempotent_create(key, form, self._new_refund)
            parts = path.strip("/").split("/")
            if method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "refunds"] and parts[2] in self.refunds:
                return 200, dict(self.refunds[parts[2]])
            if len(parts) >= 3 and parts[:2] == ["v1", "payment_intents"] and parts[2] in self.intents:
                intent = self.intents[parts[2]]
                if method == "GET" and len(parts) == 3:
                    return 200, dict(intent)
                if method == "POST" and parts[3:] == ["cancel"]:
                    if intent["status"] in ("succeeded", "canceled"):
                        return 400, _error("invalid_request_error", f"Cannot cancel a {intent['status']} intent")
                    intent["status"] = "canceled"
                    return 200, dict(intent)
            return 404, _error("invalid_request_error", f"No such resource: {path}", code="resource_missing")

    def _idempotent_create(
        self, key: str | None, form: dict[str, str], create: Callable[[dict[str, str]], tuple[int, dict[str, Any]]]
    ) -> tuple[int, dict[str, Any]]:
        digest = json.dumps(sorted(form.items()))
        if key and key in self._idempotent:
            first_digest, status, body = self._idempotent[key]
            if first_digest != digest:
                return 400, _error("idempotency_error", "Keys for idempotent requests can only be used with the "
                                   "same parameters they were first used with.")
            return status, body
        status, body = create(form)
        if key:
            self._idempotent[key] = (digest, status, dict(body))
        return status, body

    def _new_refund(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        intent = self.intents.get(form.get("payment_intent", ""))
        if intent is None:
            return 404, _error("invalid_request_error", "No such payment_intent", code="resource_missing")
        if intent["status"] != "succeeded":
            return 400, _error("invalid_request_error", "This PaymentIntent does not have a successful charge to "
                               "refund.", code="charge_not_refundable")
        if any(r["payment_intent"] == intent["id"] and r["status"] in ("succeeded", "pending")
               for r in self.refunds.values()):
            return 400, _error("invalid_request_error", f"Charge for {intent['id']} has already been refunded.",
                               code="charge_already_refunded")
        refund_id = f"re_fake{next(self._ids):06d}"
        refund = {
            "id": refund_id, "object": "refund", "amount": int(form.get("amount") or intent["amount"]),
            "currency": intent["currency"], "payment_intent": intent["id"], "status": self.refund_status,
            "failure_reason": "expired_or_canceled_card" if self.refund_status == "failed" else None,
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "created": int(time.time()),
        }
        self.refunds[refund_id] = refund
        return 200, dict(refund)

    def _new_intent(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        intent_id = f"pi_fake{next(self._ids):06d}"
        intent = {
            "id": intent_id, "object": "payment_intent", "amount": int(form["amount"]),
            "currency": form["currency"], "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_fake", "description": form.get("description"),
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "livemode": False, "created": int(time.time()),
        }
        self.intents[intent_id] = intent
        return 200, dict(intent)


def _error(kind: str, message: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, **({"code": code} if code else {})}}


def _handler(fake: StripeFake) -> type[FakeHandler]:
    class Handler(FakeHandler):
        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            if not (self.headers.get("Authorization") or "").startswith("Bearer sk_test_"):
                status, body = 401, _error("invalid_request_error", "Invalid API Key provided")
            else:
                status, body = fake.handle(method, self.path.split("?")[0], self.headers.get("Idempotency-Key"),
                                           dict(parse_qsl(raw)))
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Request-Id", f"req_fake_{len(fake.requests)}")
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a scripted timeout)


    return Handler


@contextmanager
def running_stripe_fake() -> Iterator[StripeFake]:
    fake = StripeFake()
    with serving(_handler(fake)) as url:
        fake.url = url
        yield fake
