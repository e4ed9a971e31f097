"""A local server that speaks the parts of Stripe's API the store uses, for the real `stripe` SDK.

PaymentIntents: create (form-encoded, honouring Idempotency-Key as Stripe does: the same key and
parameters replay the first answer, other parameters are refused), retrieve and cancel. Faults are
scripted per request: `"500"` answers a server error, `"timeout"` stalls past the client's timeout.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes._loopback import FakeHandler, serving


@dataclass
class StripeFake:
    url: str = ""
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
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
                return self._create(key, form)
            parts = path.strip("/").split("/")
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

    def _create(self, key: str | None, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        digest = json.dumps(sorted(form.items()))
        if key and key in self._idempotent:
            first_digest, status, body = self._idempotent[key]
            if first_digest != digest:
                return 400, _error("idempotency_error", "Keys for idempotent requests can only be used with the "
                                   "same parameters they were first used with.")
            return status, body
        intent_id = f"pi_fake{next(self._ids):06d}"
        intent = {
            "id": intent_id, "object": "payment_intent", "amount": int(form["amount"]),
            "currency": form["currency"], "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_fake", "description": form.get("description"),
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "livemode": False, "created": int(time.time()),
        }
        self.intents[intent_id] = intent
        if key:
            self._idempotent[key] = (digest, 200, dict(intent))
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
