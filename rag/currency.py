"""Amounts in other currencies: recognised, converted to USD at a configured rate, or read as USD
with a note saying so (the catalog is priced in USD only)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

# How shoppers write a currency, before or after the amount -> ISO code.
SYMBOLS: dict[str, str] = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW", "₹": "INR"}
WORDS: dict[str, str] = {
    "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "jpy": "JPY", "yen": "JPY", "chf": "CHF", "franc": "CHF", "francs": "CHF",
    "cad": "CAD", "aud": "AUD", "sgd": "SGD", "hkd": "HKD", "inr": "INR", "rupees": "INR",
}
SYMBOL_RE = "[" + re.escape("".join(SYMBOLS)) + "]"
WORD_RE = r"(?:" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")\b"


@dataclass(frozen=True)
class Conversion:
    currency: str
    rate: Decimal | None  # None: no configured rate, the amount was read as USD

    def note(self) -> str:
        if self.rate is None:
            return f"prices are in USD; amounts in {self.currency} were read as USD"
        return f"prices are in USD; {self.currency} converted at {self.rate} USD per {self.currency}"


def currency_of(phrase: str) -> str:
    """The currency a price phrase is written in (USD when none is named)."""
    for symbol, code in SYMBOLS.items():
        if symbol in phrase:
            return code
    for word in re.findall(r"[a-z]+", phrase.lower()):
        if word in WORDS:
            return WORDS[word]
    return "USD"


def to_usd(amount: Decimal, currency: str, rates: Mapping[str, Decimal]) -> tuple[Decimal, Conversion | None]:
    """The amount in USD, and how it was converted (None for USD itself)."""
    if currency == "USD":
        return amount, None
    rate = rates.get(currency)
    if rate is None:
        return amount, Conversion(currency, None)
    return (amount * rate).quantize(Decimal("0.01")), Conversion(currency, rate)
