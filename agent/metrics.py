"""Prometheus counters mirroring the decision log."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LLM_REQUESTS = Counter("llm_requests_total", "LLM call attempts", ["provider", "model", "outcome"])
LLM_TOKENS = Counter("llm_tokens_total", "Tokens by type", ["provider", "model", "type"])
LLM_COST = Counter("llm_cost_usd_total", "USD spent on LLM calls", ["provider", "model"])
LLM_FALLBACKS = Counter("llm_fallbacks_total", "Fallbacks from one provider to the next", ["from", "to", "reason"])
AGENT_DECISIONS = Counter("agent_decisions_total", "Agent runs by outcome", ["agent", "outcome"])
CHAT_REQUESTS = Counter("chat_requests_total", "Shopper assistant answers by provider", ["provider"])
CHAT_DURATION = Histogram("chat_duration_seconds", "Time to the full assistant answer",
                          buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30))
CHAT_FIRST_TOKEN = Histogram("chat_time_to_first_token_seconds", "Time until the first answer text is sent",
                             buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30))
AI_IN_FLIGHT = Gauge("ai_runs_in_flight", "Model-backed agent runs in flight in this process (the AI bulkhead)")
AI_REFUSED = Counter("ai_runs_refused_total", "Runs refused at once because the AI bulkhead was full")
