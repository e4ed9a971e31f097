"""The shopper assistant without a model: each kind of question gets its own deterministic answer
from the same read-only tools the models use. No filler: a question that is not about watches or
this store gets a plain "I can't help with that here", never a list of unrelated watches."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent.loop import OfflinePolicy, ToolRunner
from agent.shopper_intents import Intent, Kind, classify

OFFLINE_LABEL = "(Offline assistant: no language model is available, so this answer is built from the store's data.)"
OUT_OF_SCOPE = ("I can't help with that here. I can find and compare Seiko watches, check stock, explain the "
                "store's shipping, returns and warranty policies, and look up your orders.")
ATTRIBUTE_WORDS = {"price": ("price", "lowest price", "highest price"),
                   "case_diameter_mm": ("case size", "smallest case", "largest case"),
                   "water_resistance_m": ("water resistance", "least water resistance", "most water resistance"),
                   "power_reserve_hours": ("power reserve", "shortest power reserve", "longest power reserve")}


def offline_answer(question: str) -> OfflinePolicy:
    async def policy(run_tool: ToolRunner) -> str:
        intent = classify(question)
        body = await _ANSWERS[intent.kind](intent, question, run_tool)
        return f"{OFFLINE_LABEL}\n{body}"

    return policy


def _money(value: str) -> str:
    return f"${Decimal(value):,.2f}"


def _line(w: dict[str, Any], extra: str = "") -> str:
    stock = f"{w['stock_available']} in stock" if w["in_stock"] else "out of stock"
    return f"- {w['name']} ({w['reference']}): {_money(w['price_usd'])}, {stock}{extra}."


async def _policy(intent: Intent, question: str, run_tool: ToolRunner) -> str:
    parts = []
    for topic in (intent.topic, *intent.extra_topics):
        result = await run_tool("get_store_policy", {"topic": topic})
        if result.status == "ok":
            parts.append(f"{result.data['title']}: {result.data['policy']}")
    return "\n\n".join(parts)


async def _orders(intent: Intent, question: str, run_tool: ToolRunner) -> str:
    result = await run_tool("get_my_orders", {})
    if result.status == "error":
        return "Sign in to see your orders: I can only show a signed-in shopper their own orders."
    if result.status == "no_data":
        return "You have no orders yet."
    lines = ["Your most recent orders:"]
    for order in result.data[:5]:
        lines.append(f"- Order {order['id']} ({order['created_at'][:10]}): {order['status'].replace('_', ' ')}, "
                     f"{_money(order['total_usd'])}; {', '.join(order['items'])}.")
    return "\n".join(lines)


async def _resolve(intent: Intent, run_tool: ToolRunner) -> tuple[list[str], list[str]]:
    """References for the watches the question names: given ones, or the best search hit per name."""
    found, unknown = list(intent.references), []
    for name in intent.names:
        result = await run_tool("search_watches", {"query": name, "limit": 1})
        if result.status == "ok" and result.data["watches"]:
            found.append(result.data["watches"][0]["reference"])
        else:
            unknown.append(name)
    return list(dict.fromkeys(found)), unknown


async def _stock(intent: Intent, question: str, run_tool: ToolRunner) -> str:
    references, unknown = await _resolve(intent, run_tool)
    lines = []
    for reference in references:
        result = await run_tool("check_stock", {"reference": reference})
        if result.status != "ok":
            lines.append(f"I don't know a watch with the reference {reference}.")
            continue
        w = result.data
        lines.append(f"Yes, {w['name']} ({w['reference']}) is in stock: {w['stock_available']} available at "
                     f"{_money(w['price_usd'])}." if w["in_stock"] else
                     f"{w['name']} ({w['reference']}) is out of stock right now ({_money(w['price_usd'])}).")
    lines += [f"I couldn't find a watch called {name!r} in the catalog." for name in unknown]
    return "\n".join(lines)


async def _compare(intent: Intent, question: str, run_tool: ToolRunner) -> str:
    references, unknown = await _resolve(intent, run_tool)
    if len(references) < 2:
        missing = ", ".join(repr(n) for n in unknown) or "the second watch"
        return f"I need two watches from the catalog to compare; I couldn't find {missing}."
    result = await run_tool("compare_watches", {"references": references[:4]})
    if result.status != "ok":
        return result.message or "I couldn't compare those watches."
    rows = [("", [f"{w['name']} ({w['reference']})" for w in result.data])]
    for label, key in (("Price", "price_usd"), ("Movement", "movement"), ("Case", "case_diameter_mm"),
                       ("Water resistance", "water_resistance_m"), ("Dial", "dial_color"), ("Strap", "strap"),
                       ("Category", "category"), ("Stock", "stock_available")):
        values = []
        for w in result.data:
            value = w[key]
            values.append(_money(value) if key == "price_usd" else f"{value} mm" if key == "case_diameter_mm"
                          else f"{value} m" if key == "water_resistance_m"
                          else (f"{value} in stock" if value else f"{w['reference']} out of stock")
                          if key == "stock_available" else str(value))
        rows.append((label, values))
    return "Side by side:\n" + "\n".join(f"- {label}: " + " | ".join(values) if label else " | ".join(values)
                                         for label, values in rows)


async def _superlative(intent: Intent, question: str, run_tool: ToolRunner) -> str:
    assert intent.attribute is not None
    result = await run_tool("rank_watches", {"attribute": intent.attribute, "highest": intent.highest, "limit": 3})
    if result.status != "ok":
        return result.message or "I couldn't rank the catalog on that."
    name, low_words, high_words = ATTRIBUTE_WORDS[intent.attribute]
    unit = {"case_diameter_mm": " mm", "water_resistance_m": " m", "power_reserve_hours": " hours"}.get(
        intent.attribute, "")
    lines = [f"The {high_words if intent.highest else low_words} in the catalog:"]
    for w in result.data:
        value = _money(w[intent.attribute]) if intent.attribute == "price" else f"{w[intent.attribute]}{unit}"
        lines.append(_line(w, f"; {name} {value}"))
    if intent.attribute == "power_reserve_hours":
        lines.append("Power reserve is given for mechanical and Spring Drive movements; quartz, solar and kinetic "
                     "watches run on a battery or a stored charge instead.")
    return "\n".join(lines)


async def _search(intent: Intent, question: str, run_tool: ToolRunner) -> str:
    found = await run_tool("search_watches", {"query": question, "limit": 4})
    if found.status != "ok" or not found.data["watches"]:
        return "I found nothing in the catalog for that. Try other words or fewer constraints."
    lines = []
    understood = list(found.data["filters"].get("understood", []))
    if understood:
        lines.append("I understood: " + ", ".join(understood) + ".")
    for w in found.data["watches"]:
        lines.append(_line(w, f"; {'; '.join(w['why'][:3])}" if w.get("why") else ""))
    return "\n".join(lines)


async def _out_of_scope(intent: Intent, question: str, run_tool: ToolRunner) -> str:
    return OUT_OF_SCOPE


_ANSWERS = {Kind.policy: _policy, Kind.orders: _orders, Kind.stock: _stock, Kind.compare: _compare,
            Kind.superlative: _superlative, Kind.search: _search, Kind.out_of_scope: _out_of_scope}
