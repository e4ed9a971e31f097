"""The long-lived collaborators the composition root hands to the HTTP layer."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.gateway import Gateway
from agent.tracing import NullTracer, Tracer
from commerce.payments.provider import PaymentProvider
from rag.embedder import Embedder


@dataclass(frozen=True)
class Services:
    payments: PaymentProvider
    embedder: Embedder
    gateway: Gateway
    tracer: Tracer = field(default_factory=NullTracer)
