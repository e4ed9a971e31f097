"""Wiring of the LLM parts: providers in fallback order, prices, budgets, limits, tracer."""

from __future__ import annotations

from agent.breaker import CircuitBreaker
from agent.gateway import Gateway, Slot
from agent.limits import Budgets
from agent.providers.claude import ClaudeProvider
from agent.providers.ollama_provider import OllamaProvider
from agent.tracing import LangfuseTracer, NullTracer, Tracer
from app.settings import Settings
from app.tracing import langfuse_keys
from decision_log.pricing import PriceTable


def build_gateway(settings: Settings) -> Gateway:
    """Claude when ANTHROPIC_API_KEY is set, then Ollama when OLLAMA_HOST is set; with neither, every
    run goes straight to the agent's offline policy (and is labelled so)."""
    slots: list[Slot] = []
    if settings.anthropic_api_key is not None:
        slots.append(Slot(ClaudeProvider(api_key=settings.anthropic_api_key.get_secret_value(),
                                         model=settings.claude_model, base_url=settings.anthropic_base_url),
                          CircuitBreaker(settings.breaker_failures, settings.breaker_reset_s)))
    if settings.ollama_host:
        slots.append(Slot(OllamaProvider(host=settings.ollama_host, model=settings.ollama_model),
                          CircuitBreaker(settings.breaker_failures, settings.breaker_reset_s)))
    return Gateway(slots, prices=PriceTable.from_file(settings.pricing_file),
                   budgets=Budgets(settings.daily_budget_usd, settings.agent_budgets_usd),
                   limits=settings.run_limits)


def build_tracer(settings: Settings) -> Tracer:
    """The Langfuse SDK's trace per decision, when its keys are set, unless SEIKO_LANGFUSE_OTLP sends
    Langfuse the OpenTelemetry GenAI spans instead (app/tracing.py): one way in, so nothing counts twice."""
    keys = langfuse_keys(settings)
    if keys is not None and not settings.langfuse_otlp:
        return LangfuseTracer(*keys)
    return NullTracer()
