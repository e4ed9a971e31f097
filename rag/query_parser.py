"""Read hard constraints out of a shopper's words: price, water resistance, size, movement,
collection, category, dial colour, case material, strap and features.

Each constraint found is removed from the text, so what is left (`text`) is the wish itself for
semantic and lexical retrieval. Contradictions ("under $100 over $500") are not guessed at: the
constraint is dropped and reported in `ignored` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from rag.currency import SYMBOL_RE, WORD_RE, Conversion, currency_of, to_usd
from rag.vague import Preferences, read_preferences

# A whole number (no backtracking into "3" of "38"), optionally "k" for thousands.
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?!\d|,\d|\.\d)\s*(k\b)?"
# Units that make a bare number something other than money.
_NOT_MONEY = r"(?!\s*(?:mm\b|m\b|meters?\b|metres?\b|millimet|bar\b|atm\b|%))"
# A currency sign before the amount, or a sign or currency word after it (euros, GBP, yen...).
_CUR_AFTER = rf"(?:{SYMBOL_RE}|{WORD_RE})"
_MONEY = rf"(?:{SYMBOL_RE}\s*{_NUM}|{_NUM}\s*{_CUR_AFTER})"
_MONEY_LOOSE = rf"(?:{SYMBOL_RE}\s*{_NUM}|{_NUM}{_NOT_MONEY}\s*{_CUR_AFTER}?)"

# (pattern, which bound) for prices; the loose form (no currency sign) only after price words.
_PRICE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\bbetween\s+{_MONEY_LOOSE}\s+(?:and|to|-)\s+{_MONEY_LOOSE}", re.I), "between"),
    (re.compile(rf"{_MONEY}\s*(?:-|to)\s*{_MONEY_LOOSE}", re.I), "between"),
    (re.compile(rf"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to|at most|within|no more than|"
                rf"budget(?: of| is)?|<)\s*{_MONEY_LOOSE}", re.I), "max"),
    (re.compile(rf"\b(?:over|above|more than|at least|min(?:imum)?|from|starting at|>)\s*{_MONEY}", re.I), "min"),
    (re.compile(rf"\baround\s+{_MONEY}", re.I), "around"),
    (re.compile(rf"{_MONEY}\s+(?:or less|or under|max|and under)", re.I), "max"),
    (re.compile(rf"{_MONEY}\s+(?:or more|and up|plus)", re.I), "min"),
]

_DEPTH = r"(\d{1,4})\s*(m|meters?|metres?|bar|atm)\b"
_WATER_PATTERNS = [
    re.compile(rf"\b(?:water[- ]?(?:proof|resistant|resistance)|wr|dive rated|rated)\s*(?:to|of|for)?\s*"
               rf"(?:at least\s*)?{_DEPTH}", re.I),
    re.compile(rf"\b(?:at least\s*)?{_DEPTH}\s*(?:water[- ]?(?:proof|resistant|resistance)|wr|or more|\+)?", re.I),
]

_SIZE = r"(\d{2}(?:\.\d)?)\s*(?:mm|millimet(?:er|re)s?)"
_SIZE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\bbetween\s+(\d{{2}}(?:\.\d)?)\s*(?:mm)?\s+(?:and|to)\s+{_SIZE}", re.I), "between"),
    (re.compile(rf"\b(?:under|below|less than|smaller than|at most|max(?:imum)?|up to)\s*{_SIZE}", re.I), "max"),
    (re.compile(rf"\b{_SIZE}\s*(?:or (?:smaller|less|under)|and (?:smaller|under)|max)", re.I), "max"),
    (re.compile(rf"\b(?:over|above|more than|larger than|bigger than|at least|min(?:imum)?)\s*{_SIZE}", re.I), "min"),
    (re.compile(rf"\b{_SIZE}\s*(?:or (?:larger|bigger|more|over)|and (?:up|larger|bigger)|\+)", re.I), "min"),
    (re.compile(rf"\b{_SIZE}\b", re.I), "exact"),
]

# word or phrase -> value; longest phrases are tried first.
MOVEMENTS: dict[str, tuple[str, ...]] = {
    "spring drive": ("spring_drive",), "springdrive": ("spring_drive",),
    "gps solar": ("gps_solar",), "gps": ("gps_solar",), "satellite": ("gps_solar",),
    "solar": ("solar", "gps_solar"), "light powered": ("solar", "gps_solar"), "light-powered": ("solar", "gps_solar"),
    "automatic": ("automatic",), "self-winding": ("automatic",), "self winding": ("automatic",),
    "mechanical": ("automatic", "manual", "spring_drive"),
    "hand-wound": ("manual",), "hand wound": ("manual",), "manual wind": ("manual",), "manual-wind": ("manual",),
    "handwound": ("manual",), "manual": ("manual",),
    "wind by hand": ("manual",), "wind it by hand": ("manual",), "winding by hand": ("manual",),
    "quartz": ("quartz",), "battery": ("quartz",), "kinetic": ("kinetic",),
    "no battery": ("automatic", "manual", "spring_drive", "solar", "gps_solar", "kinetic"),
    "without a battery": ("automatic", "manual", "spring_drive", "solar", "gps_solar", "kinetic"),
    "doesn't need a battery": ("automatic", "manual", "spring_drive", "solar", "gps_solar", "kinetic"),
    "does not need a battery": ("automatic", "manual", "spring_drive", "solar", "gps_solar", "kinetic"),
    "never needs a battery": ("automatic", "manual", "spring_drive", "solar", "gps_solar", "kinetic"),
}
COLLECTIONS: dict[str, str] = {
    "seiko 5 sports": "Seiko 5 Sports", "seiko 5": "Seiko 5 Sports", "seiko five": "Seiko 5 Sports",
    "prospex": "Prospex", "presage": "Presage", "astron": "Astron", "king seiko": "King Seiko",
    "grand seiko": "Grand Seiko", "lukia": "Seiko Lukia", "essentials": "Essentials",
}
CATEGORIES: dict[str, str] = {
    "dive watch": "diver", "diver's": "diver", "divers": "diver", "diver": "diver", "diving": "diver",
    "dive": "diver", "scuba": "diver",
    "dress watch": "dress", "dressy": "dress", "dress": "dress", "formal": "dress", "elegant": "dress",
    "field watch": "field", "field": "field",
    "pilot's": "pilot", "pilots": "pilot", "pilot": "pilot", "aviator": "pilot", "aviation": "pilot",
    "flieger": "pilot",
    "sports watch": "sports", "sporty": "sports", "casual": "casual",
}
COLOURS = ("black", "blue", "white", "green", "silver", "grey", "gray", "champagne", "red", "brown", "cream",
           "orange", "gold", "yellow", "purple", "pink", "navy", "turquoise", "ivory", "beige", "bronze")
COLOUR_ALIASES = {"gray": "grey", "navy": "blue", "ivory": "cream", "beige": "cream"}
MATERIALS: dict[str, str] = {"titanium": "titanium", "gold": "gold", "ceramic": "ceramic",
                             "stainless steel": "steel", "steel": "steel"}
STRAPS: dict[str, str | tuple[str, ...]] = {
    "bracelet": "bracelet", "metal band": "bracelet", "leather": "leather", "nato": "nato",
    "rubber": ("rubber", "silicone"),  # shoppers say rubber for what the catalog calls silicone
    "silicone": "silicone", "fabric": "fabric", "nylon": "fabric", "canvas": "fabric",
}
FEATURES: dict[str, str] = {
    "chronograph": "chronograph", "chrono": "chronograph", "stopwatch": "chronograph", "gmt": "gmt",
    "dual time": "gmt", "second time zone": "gmt", "two time zones": "gmt",
    "2nd time zone": "gmt", "world time": "world_time", "worldtimer": "world_time",
    "power reserve": "power_reserve_indicator", "perpetual calendar": "perpetual_calendar",
    "day-date": "day_date", "day date": "day_date", "alarm": "alarm",
}


@dataclass
class ParsedQuery:
    """Constraints read from a query; `text` is what is left to search for."""

    raw: str
    text: str
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    min_water_m: int | None = None
    min_case_mm: Decimal | None = None
    max_case_mm: Decimal | None = None
    movements: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    dial_colors: list[str] = field(default_factory=list)
    case_materials: list[str] = field(default_factory=list)
    straps: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    ignored: list[dict[str, str]] = field(default_factory=list)
    preferences: Preferences = field(default_factory=Preferences)
    conversions: list[Conversion] = field(default_factory=list)

    @property
    def has_constraints(self) -> bool:
        return any((self.min_price, self.max_price, self.min_water_m, self.min_case_mm, self.max_case_mm,
                    self.movements, self.collections, self.categories, self.dial_colors, self.case_materials,
                    self.straps, self.features))

    def as_filters(self) -> dict[str, Any]:
        """What the API echoes back: every constraint understood, and those set aside."""
        out: dict[str, Any] = {}
        for key in ("min_price", "max_price", "min_case_mm", "max_case_mm"):
            value = getattr(self, key)
            if value is not None:
                out[key] = str(value)
        if self.min_water_m is not None:
            out["min_water_resistance_m"] = self.min_water_m
        for key in ("movements", "collections", "categories", "dial_colors", "case_materials", "straps", "features"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        out["understood"] = chips([*self.phrases, *self.preferences.phrases])
        prefs = self.preferences
        if prefs.price:
            out["price_preference"] = prefs.price
        if prefs.size:
            out["size_preference"] = prefs.size
        if self.conversions:
            out["currency"] = [c.note() for c in self.conversions]
        if self.ignored:
            out["ignored"] = list(self.ignored)
        out["text"] = self.text
        return out


def chips(phrases: list[str]) -> list[str]:
    """Each thing understood once: no case-insensitive repeats, and no phrase that is part of a longer
    one already shown ("dress" next to "dress watch")."""
    cleaned = [re.sub(r"\s+", " ", p).strip() for p in phrases if p.strip()]
    out: list[str] = []
    for phrase in cleaned:
        lower = phrase.lower()
        if any(lower == o.lower() or re.search(rf"(?<!\w){re.escape(lower)}(?!\w)", o.lower()) for o in out):
            continue
        out = [o for o in out if not re.search(rf"(?<!\w){re.escape(o.lower())}(?!\w)", lower)]
        out.append(phrase)
    return out


def _amount(number: str | None, thousands: str | None) -> Decimal | None:
    if number is None:
        return None
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    return (value * 1000 if thousands else value).quantize(Decimal("0.01"))


def _cut(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " + text[match.end():]


def _prices(q: ParsedQuery, text: str, rates: Mapping[str, Decimal]) -> str:
    for pattern, kind in _PRICE_PATTERNS:
        while match := pattern.search(text):
            groups = [g for g in match.groups()]
            amounts = [a for a in (_amount(groups[i], groups[i + 1]) for i in range(0, len(groups), 2)) if a]
            if not amounts:
                break
            currency = currency_of(match.group(0))
            if currency != "USD":
                converted = [to_usd(a, currency, rates) for a in amounts]
                amounts = [a for a, _ in converted]
                conversion = converted[0][1]
                if conversion is not None and conversion not in q.conversions:
                    q.conversions.append(conversion)
            if kind == "between" and len(amounts) >= 2:
                low, high = sorted(amounts[:2])
                _bound(q, "min", low, match.group(0))
                _bound(q, "max", high, match.group(0))
            elif kind == "around":
                _bound(q, "min", (amounts[0] * Decimal("0.8")).quantize(Decimal("0.01")), match.group(0))
                _bound(q, "max", (amounts[0] * Decimal("1.2")).quantize(Decimal("0.01")), match.group(0))
            else:
                _bound(q, kind, amounts[0], match.group(0))
            q.phrases.append(match.group(0).strip())
            text = _cut(text, match)
    return text


def _bound(q: ParsedQuery, kind: str, value: Decimal, phrase: str) -> None:
    if kind == "max":
        q.max_price = value if q.max_price is None else min(q.max_price, value)
    else:
        q.min_price = value if q.min_price is None else max(q.min_price, value)


def _water(q: ParsedQuery, text: str) -> str:
    for pattern in _WATER_PATTERNS:
        while match := pattern.search(text):
            depth, unit = int(match.group(1)), match.group(2).lower()
            metres = depth * 10 if unit in ("bar", "atm") else depth
            q.min_water_m = max(q.min_water_m or 0, metres)
            q.phrases.append(match.group(0).strip())
            text = _cut(text, match)
    return text


def _sizes(q: ParsedQuery, text: str) -> str:
    for pattern, kind in _SIZE_PATTERNS:
        while match := pattern.search(text):
            values = [Decimal(g) for g in match.groups() if g]
            if kind == "between":
                q.min_case_mm, q.max_case_mm = min(values), max(values)
            elif kind == "max":
                q.max_case_mm = values[0] if q.max_case_mm is None else min(q.max_case_mm, values[0])
            elif kind == "min":
                q.min_case_mm = values[0] if q.min_case_mm is None else max(q.min_case_mm, values[0])
            else:  # "a 40mm watch": within a millimetre either way
                q.min_case_mm, q.max_case_mm = values[0] - 1, values[0] + 1
            q.phrases.append(match.group(0).strip())
            text = _cut(text, match)
    return text


_NEGATED = re.compile(r"\b(?:not|no|non|without|never|rather than|instead of|except|but not)\s+(?:an?\s+|the\s+)?$",
                      re.I)


def _words(q: ParsedQuery, text: str, table: dict[str, Any], target: list[str], *, keep: bool = False) -> str:
    """Find table phrases (longest first) as whole words. `keep` leaves them in the text as well,
    for words that also carry meaning for ranking (a collection's name, say)."""
    masked = text  # phrases already read, blanked, so "dress" is not read again inside "dress watch"
    for phrase in sorted(table, key=len, reverse=True):
        pattern = re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.I)
        match = pattern.search(masked)
        if not match:
            continue
        masked = pattern.sub(lambda m: " " * len(m.group(0)), masked)
        if _NEGATED.search(text[: match.start()]):  # "not a self-winding one": not a wish for it
            text = pattern.sub(" ", text)
            continue
        values = table[phrase] if isinstance(table[phrase], tuple) else (table[phrase],)
        for value in values:
            if value not in target:
                target.append(value)
        q.phrases.append(match.group(0))
        if not keep:
            text = pattern.sub(" ", text)
    return text


def _colours(q: ParsedQuery, text: str) -> str:
    for colour in COLOURS:
        pattern = re.compile(rf"\b{colour}(?:\s+|-)(?:dial|face|faced|dialed)\b|\b{colour}\b(?=.*\bdial\b)", re.I)
        match = pattern.search(text)
        if match:
            value = COLOUR_ALIASES.get(colour, colour)
            if value not in q.dial_colors:
                q.dial_colors.append(value)
            q.phrases.append(match.group(0))
            text = _cut(text, match)
    return text


def _check_contradictions(q: ParsedQuery) -> None:
    if q.min_price is not None and q.max_price is not None and q.min_price > q.max_price:
        q.ignored.append({"constraint": "price",
                          "reason": f"at least ${q.min_price} and at most ${q.max_price} cannot both hold"})
        q.min_price = q.max_price = None
    if q.min_case_mm is not None and q.max_case_mm is not None and q.min_case_mm > q.max_case_mm:
        q.ignored.append({"constraint": "case size",
                          "reason": f"at least {q.min_case_mm} mm and at most {q.max_case_mm} mm cannot both hold"})
        q.min_case_mm = q.max_case_mm = None
    if q.max_price is not None and q.max_price <= 0:
        q.ignored.append({"constraint": "price", "reason": "a maximum price of $0 matches nothing"})
        q.max_price = None


def parse_query(raw: str, *, rates: Mapping[str, Decimal] | None = None) -> ParsedQuery:
    """`rates`: USD per unit of other currencies; an amount in a currency without a rate is read as
    USD, and `conversions` says so."""
    q = ParsedQuery(raw=raw, text="")
    text = " " + raw.replace("’", "'") + " "
    text = _prices(q, text, rates or {})
    text = _water(q, text)
    text = _sizes(q, text)
    text = _words(q, text, MOVEMENTS, q.movements)
    text = _words(q, text, COLLECTIONS, q.collections, keep=True)
    text = _words(q, text, FEATURES, q.features)
    text = _colours(q, text)
    text = _words(q, text, CATEGORIES, q.categories, keep=True)
    text = _words(q, text, MATERIALS, q.case_materials)
    text = _words(q, text, STRAPS, q.straps)
    # A chronograph is both a category and a feature in the catalog: the feature is the constraint.
    _check_contradictions(q)
    text, q.preferences = read_preferences(text)
    q.text = re.sub(r"\s+", " ", re.sub(r"[^\w'$.-]+", " ", text)).strip()
    return q
