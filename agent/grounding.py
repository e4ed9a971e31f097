"""The check every assistant answer passes before it leaves: cited references must exist, stated
prices and stock must match live data (wrong ones are corrected), an out-of-stock watch is never
recommended without saying so, and the system prompt is never quoted back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from commerce.catalog import repo as catalog_repo
from db.pool import Conn

# Seiko references: letters then digits then letters/digits, e.g. SRPD55K1, SSH067J1, SBGW231.
REFERENCE = re.compile(r"\b([A-Z]{2,5}\d{2,4}[A-Z0-9]{0,3})\b")
PRICE_NEAR = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})*(?:\.\d{2})?|\d+(?:\.\d{2})?)")


@dataclass
class Grounded:
    text: str
    cited: list[dict[str, Any]]
    corrections: list[str] = field(default_factory=list)


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+|\n", text)


async def ground(conn: Conn, text: str, *, system_prompt: str) -> Grounded:
    corrections: list[str] = []
    text = _strip_leaks(text, system_prompt, corrections)
    mentioned = list(dict.fromkeys(REFERENCE.findall(text)))
    live = {r["reference"]: r for r in await catalog_repo.get_watches_by_references(conn, references=mentioned)}
    for ref in mentioned:
        if ref in live or await catalog_repo.reference_prefix_exists(conn, prefix=ref):
            continue  # a full reference, or the short form a model name uses ("SRPE93" of SRPE93K1)
        text = _drop_sentences_with(text, ref)
        corrections.append(f"removed {ref}: no such watch in the catalog")
    mentioned = [ref for ref in mentioned if ref in live]
    for ref, watch in live.items():
        text = _fix_prices(text, ref, Decimal(watch["price"]), corrections)
        if watch["stock_available"] == 0 and not re.search(
                rf"{ref}[^.\n]*out of stock|out of stock[^.\n]*{ref}", text, re.I):
            text += f"\n\nNote: {ref} is currently out of stock."
            corrections.append(f"added that {ref} is out of stock")
    cited = [{"reference": ref, "name": live[ref]["name"], "price": str(live[ref]["price"]),
              "stock_available": live[ref]["stock_available"]} for ref in mentioned]
    return Grounded(text=text.strip(), cited=cited, corrections=corrections)


def _fix_prices(text: str, ref: str, price: Decimal, corrections: list[str]) -> str:
    """A dollar amount in a sentence naming `ref` (and no other reference) must be its live price."""
    out = []
    for sentence in _sentences(text):
        refs = {r for r in REFERENCE.findall(sentence) if not ref.startswith(r) or r == ref}
        if refs == {ref}:
            for match in PRICE_NEAR.finditer(sentence):
                try:
                    stated = Decimal(match.group(1).replace(",", ""))
                except InvalidOperation:
                    continue
                if stated != price:
                    sentence = sentence.replace(match.group(0), f"${price:,.2f}")
                    corrections.append(f"corrected the price of {ref} from ${stated} to ${price:,.2f}")
        out.append(sentence)
    return _rejoin(out)


def _drop_sentences_with(text: str, ref: str) -> str:
    word = re.compile(rf"\b{re.escape(ref)}\b")
    return _rejoin([s for s in _sentences(text) if not word.search(s)])


def _rejoin(sentences: list[str]) -> str:
    return " ".join(s.strip() for s in sentences if s.strip())


def _strip_leaks(text: str, system_prompt: str, corrections: list[str]) -> str:
    """Drop any answer line that repeats a long line of the system prompt word for word."""
    secret_lines = {line.strip() for line in system_prompt.splitlines() if len(line.strip()) >= 40}
    kept = [line for line in text.splitlines() if not any(s in line for s in secret_lines)]
    if len(kept) != len(text.splitlines()):
        corrections.append("removed text quoting the assistant's instructions")
    return "\n".join(kept)
