"""What a shopper's question is about, for the offline assistant: no model, plain rules.

The kinds: a store policy (shipping, returns, ...), the caller's own orders, whether a watch is in
stock, a comparison of two or more watches, a superlative over the catalog ("the longest power
reserve"), a product search, or something this store cannot help with. Rules are ordered from the
most specific to the most general; the first that matches decides."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from enum import StrEnum

from commerce.policies import service as store_policies

REFERENCE = re.compile(r"\b([A-Z]{2,5}\d{2,4}[A-Z0-9]{0,3})\b", re.IGNORECASE)


class Kind(StrEnum):
    policy = "policy"
    orders = "orders"
    stock = "stock"
    compare = "compare"
    superlative = "superlative"
    search = "search"
    out_of_scope = "out_of_scope"


@dataclass(frozen=True)
class Intent:
    kind: Kind
    references: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # watches named in words ("the Turtle"), to look up by search
    topic: str | None = None  # policy topic
    attribute: str | None = None  # superlative: what to rank by
    highest: bool = True
    extra_topics: tuple[str, ...] = field(default=())


_ORDERS = re.compile(r"\b(my|our)\s+(\w+\s+)?(orders?|purchases?|parcel|package|delivery)\b|\bwhere\s+is\s+my\b"
                     r"|\border\s+(status|number|#?\d+)\b|\b(orders|purchases)\b|\btrack(ing)?\b", re.IGNORECASE)
_STOCK = re.compile(r"\b(in stock|out of stock|available|availability|how many left|any left|still have"
                    r"|back in stock|sold out)\b", re.IGNORECASE)
# "Do you have ..." asks about stock when it names a reference; otherwise it is a search ("a solar chrono?").
_HAVE = re.compile(r"\bdo you (have|carry|sell)\b", re.IGNORECASE)
_COMPARE = re.compile(r"\b(compare|comparison|versus|vs\.?|difference between|better[:,]?\s.*\bor\b"
                      r"|which (one|is better))\b", re.IGNORECASE)
_SUPERLATIVES: tuple[tuple[re.Pattern[str], str, bool], ...] = (
    (re.compile(r"\b(longest|biggest|largest|most|best)\s+power[\s-]*reserve\b", re.I), "power_reserve_hours", True),
    (re.compile(r"\b(shortest|smallest|least)\s+power[\s-]*reserve\b", re.I), "power_reserve_hours", False),
    (re.compile(r"\b(most|highest|best|deepest)\s+(water[\s-]*resist\w*|depth rat\w*)|\bdeepest\b", re.I),
     "water_resistance_m", True),
    (re.compile(r"\b(cheapest|least expensive|lowest[\s-]*priced?|most affordable)\b", re.I), "price", False),
    (re.compile(r"\b(most expensive|priciest|highest[\s-]*priced?|top of the range)\b", re.I), "price", True),
    (re.compile(r"\b(smallest|tiniest|most compact)\b", re.I), "case_diameter_mm", False),
    (re.compile(r"\b(biggest|largest)\s+(case|watch|one)\b|\blargest\b|\bbiggest\b", re.I),
     "case_diameter_mm", True),
)
# Words that make a question one about watches at all (typos within a letter or two count too).
WATCH_WORDS = frozenset({
    "watch", "watches", "wristwatch", "seiko", "prospex", "presage", "astron", "king", "grand", "diver",
    "divers", "dive", "diving", "dress", "field", "pilot", "chronograph", "chrono", "gmt", "automatic",
    "mechanical", "manual", "quartz", "solar", "kinetic", "spring", "drive", "movement", "caliber", "calibre",
    "strap", "bracelet", "leather", "rubber", "nato", "dial", "bezel", "lume", "lumibrite", "crystal",
    "sapphire", "hardlex", "titanium", "steel", "case", "waterproof", "wrist", "gift", "present", "anniversary",
    "wedding", "graduation", "turtle", "samurai", "monster", "alpinist", "cocktail", "speedtimer", "sumo",
    "tuna", "shogun", "willard", "navigator", "arita", "porcelain", "recommend", "suggest", "timepiece",
    "sports", "hiking", "travel", "travelling", "pepsi", "coke", "panda", "moon", "skydiving", "green", "blue",
    "black", "white", "silver", "grey", "brown",
})
_WATCH_PHRASES = re.compile(r"\$\s?\d|\b\d+\s*(mm|m|metres?|meters?)\b|\b(usd|dollars?|water[\s-]*resist\w*"
                            r"|hand[\s-]*wound|power[\s-]*reserve|dual time|world time|seiko 5)\b", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|\bversus\b|\bvs\.?|\band\b|\bor\b|\bwith\b)\s*", re.IGNORECASE)
_COMPARE_FILLER = re.compile(r"\b(compare|comparison|the|difference between|which (one )?is better|between|please"
                             r"|can you|could you|how does|how do|stack up|against)\b|[?!.]", re.IGNORECASE)
_STOCK_FILLER = re.compile(r"\b(is|are|the|a|an|in stock|out of stock|available|availability|do you (have|carry|sell)"
                           r"|how many left|any left|still|have|back|sold out|right now|now|currently|you|please"
                           r"|any|left|of)\b|[?!.]", re.IGNORECASE)


def classify(question: str, *, catalog_words: frozenset[str] = frozenset()) -> Intent:
    """`catalog_words` (lower-case words of the catalog's names and collections) widen what counts as
    a question about watches beyond the built-in vocabulary."""
    text = question.strip()
    references = tuple(dict.fromkeys(r.upper() for r in REFERENCE.findall(text)))
    if _ORDERS.search(text):
        return Intent(Kind.orders)
    policies = store_policies.matching(text)
    if policies and not references and not _COMPARE.search(text):
        return Intent(Kind.policy, topic=policies[0].topic, extra_topics=tuple(p.topic for p in policies[1:]))
    if _COMPARE.search(text) and (len(references) >= 2 or len(_compare_names(text)) >= 2):
        return Intent(Kind.compare, references=references, names=() if len(references) >= 2 else
                      tuple(_compare_names(text)))
    for pattern, attribute, highest in _SUPERLATIVES:
        if pattern.search(text):
            return Intent(Kind.superlative, attribute=attribute, highest=highest)
    if (_STOCK.search(text) and (references or _stock_name(text))) or (_HAVE.search(text) and references):
        return Intent(Kind.stock, references=references, names=() if references else (_stock_name(text),))
    if references or _WATCH_PHRASES.search(text) or _about_watches(text, WATCH_WORDS | catalog_words):
        return Intent(Kind.search, references=references)
    return Intent(Kind.out_of_scope)


def _about_watches(text: str, vocabulary: frozenset[str]) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    if any(w in vocabulary for w in words):
        return True
    # "presgae cocktial": a misspelt watch word still makes it a question about watches. Typos rarely
    # touch the first letter, and holding it keeps "weather" from passing for "leather".
    return any(m[0] == w[0] and abs(len(m) - len(w)) <= 1 for w in words if len(w) >= 6
               for m in difflib.get_close_matches(w, vocabulary, n=3, cutoff=0.8))


def _compare_names(text: str) -> list[str]:
    cleaned = _COMPARE_FILLER.sub(" ", text)
    return [part.strip() for part in _NAME_SPLIT.split(cleaned) if len(part.strip()) >= 3]


def _stock_name(text: str) -> str:
    return " ".join(_STOCK_FILLER.sub(" ", text).split())
