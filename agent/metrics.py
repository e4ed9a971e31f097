"""Prometheus counters mirroring the decision log."""

from __future__ import annotations

from prometheus_client import Counter

LLM_REQUESTS = Counter("llm_requests_total", "LLM call attempts", ["provider", "model", "outcome"])
LLM_TOKENS = Counter("llm_tokens_total", "Tokens by type", ["provider", "model", "type"])
LLM_COST = Counter("llm_cost_usd_total", "USD spent on LLM calls", ["provider", "model"])
LLM_FALLBACKS = Counter("llm_fallbacks_total", "Fallbacks from one provider to the next", ["from", "to", "reason"])
AGENT_DECISIONS = Counter("agent_decisions_total", "Agent runs by outcome", ["agent", "outcome"])
