"""Prices per million tokens, from a built-in table merged with SEIKO_PRICING_FILE (JSON or YAML).

Cost = (input x p_in + output x p_out + cache writes x p_cache_write + cache reads x p_cache_read)
       / 1,000,000, in exact decimals. A model with no price is costed as None, with a warning."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog
import yaml

from common.llm import Usage

_log = structlog.get_logger(component="decision_log.pricing")
MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class Price:
    input: Decimal
    output: Decimal
    cache_write: Decimal
    cache_read: Decimal


def _p(i: str, o: str, w: str, r: str) -> Price:
    return Price(Decimal(i), Decimal(o), Decimal(w), Decimal(r))


# Anthropic's published list prices, USD per million tokens (cache writes at the 5-minute rate), as
# listed on platform.claude.com/docs/en/about-claude/pricing in November 2026.
BUILT_IN: dict[str, Price] = {
    "claude-fable-5-1": _p("10", "50", "12.50", "0.25"),
    "claude-opus-5-5": _p("4", "20", "5", "0.20"),
    "claude-opus-5": _p("5", "25", "6.25", "0.50"),
    "claude-opus-4-8": _p("5", "25", "6.25", "0.50"),
    "claude-opus-4-6": _p("5", "25", "6.25", "0.50"),
    "claude-opus-4-5": _p("5", "25", "6.25", "0.50"),
    "claude-sonnet-5-5": _p("2", "10", "2.50", "0.10"),
    "claude-sonnet-5": _p("2", "10", "2.50", "0.20"),
    "claude-sonnet-4-6": _p("3", "15", "3.75", "0.30"),
    "claude-sonnet-4-5": _p("3", "15", "3.75", "0.30"),
    "claude-haiku-5-5": _p("0.10", "0.50", "0.125", "0.01"),  # prompts up to 100k tokens
    "claude-haiku-4-5": _p("1", "5", "1.25", "0.10"),
    "offline": _p("0", "0", "0", "0"),
}
LOCAL_PROVIDERS = frozenset({"ollama", "offline"})  # nothing is paid per token


class PriceTable:
    def __init__(self, prices: dict[str, Price] | None = None) -> None:
        self.prices = dict(BUILT_IN if prices is None else prices)

    @classmethod
    def from_file(cls, path: Path | None) -> PriceTable:
        table = cls()
        if path is not None:
            raw: dict[str, Any] = (yaml.safe_load(path.read_text()) if path.suffix in (".yml", ".yaml")
                                   else json.loads(path.read_text()))
            for model, p in raw.items():
                table.prices[model] = _p(str(p["input"]), str(p["output"]), str(p.get("cache_write", p["input"])),
                                         str(p.get("cache_read", p["input"])))
        return table

    def price(self, model: str, *, provider: str = "claude") -> Price | None:
        if provider in LOCAL_PROVIDERS:
            return _p("0", "0", "0", "0")
        return self.prices.get(model)

    def cost(self, model: str, usage: Usage, *, provider: str = "claude") -> Decimal | None:
        price = self.price(model, provider=provider)
        if price is None:
            _log.warning("unpriced_model", model=model)
            return None
        total = (usage.input_tokens * price.input + usage.output_tokens * price.output
                 + usage.cache_write_tokens * price.cache_write + usage.cache_read_tokens * price.cache_read)
        return (total / MILLION).quantize(Decimal("0.000001"))
