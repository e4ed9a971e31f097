"""Vague and comparative words read as soft preferences: they reorder results, never filter them.

"cheap", "luxury", "small wrist", "for my wife", "like a Submariner" say something about price, size
or style without a number. Prices are judged against the catalog's own price distribution (a
"cheap" watch is in its lower part, whatever the catalog sells); sizes against what fits a wrist.
A famous model ("like a Rolex Submariner") is mapped to the attributes that make it what it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

# word -> (direction, strength): strength 2 ranks by price itself ("cheapest"), 1 leans that way.
PRICE_WORDS: dict[str, tuple[str, int]] = {
    "cheapest": ("low", 2), "least expensive": ("low", 2), "lowest price": ("low", 2),
    "cheap": ("low", 2), "cheaper": ("low", 2), "inexpensive": ("low", 1), "affordable": ("low", 1),
    "budget": ("low", 1), "entry-level": ("low", 1), "entry level": ("low", 1), "best value": ("low", 1),
    "good value": ("low", 1), "value for money": ("low", 1), "bang for the buck": ("low", 1),
    "low cost": ("low", 1), "low-cost": ("low", 1), "starter": ("low", 1),
    "luxury": ("high", 1), "luxurious": ("high", 1), "high-end": ("high", 1), "high end": ("high", 1),
    "premium": ("high", 1), "expensive": ("high", 1), "top of the line": ("high", 1), "top-tier": ("high", 1),
    "splurge": ("high", 1), "grail": ("high", 1), "most expensive": ("high", 2), "priciest": ("high", 2),
}
SIZE_WORDS: dict[str, str] = {
    "small wrist": "small", "small wrists": "small", "slim wrist": "small", "thin wrist": "small",
    "skinny wrist": "small", "petite": "small", "small": "small", "smaller": "small", "compact": "small",
    "slim": "small", "thin": "small", "dainty": "small", "tiny": "small",
    "big": "large", "bigger": "large", "large": "large", "oversized": "large", "chunky": "large",
    "huge": "large", "wrist presence": "large", "large wrist": "large", "big wrist": "large",
}
SMALL_MM, LARGE_MM = 38.6, 42.5  # at most / at least this, for "small" and "large"


@dataclass(frozen=True)
class Style:
    """Attributes that make a watch look and work like something: each one met earns a share."""

    categories: tuple[str, ...] = ()
    dial_colors: tuple[str, ...] = ()
    straps: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    size: str | None = None
    price: str | None = None
    words: str = ""  # what the semantic side reads instead of the brand name


# Famous models and what they stand for (the store sells none of them).
ICONS: dict[str, Style] = {
    "submariner": Style(("diver",), ("black",), ("bracelet",), ("rotating_bezel",),
                        words="black dive watch steel bracelet"),
    "sea-dweller": Style(("diver",), ("black",), ("bracelet",), ("screw_down_crown",), words="professional dive watch"),
    "seamaster": Style(("diver",), ("blue",), ("bracelet",), ("rotating_bezel",), words="blue dive watch"),
    "fifty fathoms": Style(("diver",), ("black",), (), ("rotating_bezel",), words="vintage dive watch"),
    "black bay": Style(("diver",), ("black", "brown", "grey"), ("bracelet",), ("rotating_bezel",),
                       words="vintage heritage dive watch"),
    "speedmaster": Style(("chronograph",), ("black", "charcoal"), ("bracelet",), ("chronograph",),
                         words="chronograph tachymeter"),
    "daytona": Style(("chronograph",), ("white", "black"), ("bracelet",), ("chronograph",),
                     words="racing chronograph tachymeter"),
    "navitimer": Style(("pilot",), ("black",), (), ("chronograph",), words="pilot chronograph slide rule"),
    "explorer": Style(("field",), ("black",), ("bracelet",), (), words="black dial field watch"),
    "gmt-master": Style(("sports",), ("black", "blue"), ("bracelet",), ("gmt",), words="gmt travel watch"),
    "gmt master": Style(("sports",), ("black", "blue"), ("bracelet",), ("gmt",), words="gmt travel watch"),
    "datejust": Style(("dress",), ("silver", "blue"), ("bracelet",), ("date",), words="dress watch steel bracelet"),
    "santos": Style(("dress",), ("silver", "white"), ("bracelet",), (), words="dress watch steel bracelet"),
    "tank": Style(("dress",), ("white", "silver"), ("leather",), (), words="elegant dress watch leather"),
    "reverso": Style(("dress",), ("white", "silver"), ("leather",), (), words="elegant dress watch leather"),
    "royal oak": Style(("sports",), ("blue", "grey"), ("bracelet",), (), words="integrated bracelet sports"),
    "nautilus": Style(("sports",), ("blue", "grey"), ("bracelet",), (), words="integrated bracelet sports"),
    "prx": Style(("sports",), ("blue", "grey"), ("bracelet",), (), words="integrated bracelet"),
    "aqua terra": Style(("sports",), ("blue", "grey"), ("bracelet",), (), words="everyday sports watch"),
    "snowflake": Style(("dress",), ("white", "silver"), (), (), ("Grand Seiko",), words="textured white dial"),
    "apple watch": Style(("sports",), (), (), (), words="smart everyday sports watch"),
    "casio g-shock": Style(("sports",), ("black",), ("silicone", "rubber"), (), words="tough everyday beater"),
    "g-shock": Style(("sports",), ("black",), ("silicone", "rubber"), (), words="tough everyday beater"),
    "skx": Style(("diver", "sports"), ("black",), (), ("rotating_bezel",), words="skx dive watch"),
}
# Nicknames that usually come with a colour ("a Pepsi GMT"): the colours the shopper means.
NICKNAMES: dict[str, tuple[str, ...]] = {"pepsi": ("blue", "black"), "batman": ("blue", "black"),
                                          "hulk": ("green",), "kermit": ("green",)}
AUDIENCES: dict[str, Style] = {
    "women's": Style(collections=("Seiko Lukia",), categories=("dress",), size="small"),
    "womens": Style(collections=("Seiko Lukia",), categories=("dress",), size="small"),
    "women": Style(collections=("Seiko Lukia",), categories=("dress",), size="small"),
    "woman": Style(collections=("Seiko Lukia",), categories=("dress",), size="small"),
    "ladies": Style(collections=("Seiko Lukia",), categories=("dress",), size="small"),
    "lady": Style(collections=("Seiko Lukia",), categories=("dress",), size="small"),
    "my wife": Style(collections=("Seiko Lukia",), categories=("dress",), size="small"),
    "my girlfriend": Style(collections=("Seiko Lukia",), categories=("dress",), size="small"),
    "her": Style(collections=("Seiko Lukia",), size="small"),
    "teen": Style(categories=("sports", "casual", "field"), price="low"),
    "teenage": Style(categories=("sports", "casual", "field"), price="low"),
    "teenager": Style(categories=("sports", "casual", "field"), price="low"),
    "student": Style(categories=("sports", "casual", "field"), price="low"),
    "kid": Style(categories=("sports", "casual", "field"), price="low"),
    "my son": Style(categories=("sports", "casual", "field"), price="low"),
    "traveller": Style(features=("gmt", "world_time")), "traveler": Style(features=("gmt", "world_time")),
    "travelling": Style(features=("gmt", "world_time")), "traveling": Style(features=("gmt", "world_time")),
    "frequent flyer": Style(features=("gmt", "world_time")), "jet lag": Style(features=("gmt", "world_time")),
    "office": Style(categories=("dress",)), "suit": Style(categories=("dress",)),
    "hiker": Style(categories=("field",)), "hikes": Style(categories=("field",)),
    "hiking": Style(categories=("field",)), "outdoors": Style(categories=("field",)),
    "collector": Style(collections=("King Seiko", "Grand Seiko"), price="high"),
}


_LIGHT = Style(materials=("titanium",))
_TOUGH = Style(categories=("diver", "sports", "field"), features=("screw_down_crown", "lumibrite"))
# How a watch should feel to wear: several may apply at once.
FEEL: dict[str, Style] = {
    "lightweight": _LIGHT, "light weight": _LIGHT, "featherweight": _LIGHT, "really light": _LIGHT,
    "very light": _LIGHT, "light on the wrist": _LIGHT, "forget i'm wearing": _LIGHT,
    "tough": _TOUGH, "rugged": _TOUGH, "beater": _TOUGH, "indestructible": _TOUGH, "durable": _TOUGH,
}


@dataclass
class Preferences:
    """Soft wishes read from vague words; each becomes a ranking feature between 0 and 1."""

    price: str | None = None  # "low" or "high"
    price_strength: int = 0
    size: str | None = None  # "small" or "large"
    styles: list[Style] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    icon_words: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.price or self.size or self.styles)


def _find(text: str, phrase: str) -> re.Match[str] | None:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text, re.I)


def read_preferences(text: str) -> tuple[str, Preferences]:
    """Soft preferences in `text`, and the text with price and size words and famous names taken out
    (the name is replaced by the words that describe it, for the semantic side)."""
    prefs = Preferences()
    for phrase in sorted(PRICE_WORDS, key=len, reverse=True):
        if match := _find(text, phrase):
            direction, strength = PRICE_WORDS[phrase]
            if prefs.price is None:
                prefs.price, prefs.price_strength = direction, strength
                prefs.phrases.append(match.group(0))
            text = text[: match.start()] + " " + text[match.end():]
    for phrase in sorted(SIZE_WORDS, key=len, reverse=True):
        if match := _find(text, phrase):
            if prefs.size is None:
                prefs.size = SIZE_WORDS[phrase]
                prefs.phrases.append(match.group(0))
            text = text[: match.start()] + " " + text[match.end():]
    for name in sorted(ICONS, key=len, reverse=True):
        pattern = r"(?:\b(?:rolex|omega|cartier|tudor|breitling|blancpain|jaeger-lecoultre|jlc|audemars piguet|ap|"
        pattern += rf"patek philippe|patek|tissot|grand seiko|casio)\s+)?(?<![\w-]){re.escape(name)}(?![\w-])"
        if match := re.search(pattern, text, re.I):
            style = ICONS[name]
            colours = tuple(c for nick, cs in NICKNAMES.items() if _find(text, nick) for c in cs)
            if colours:
                style = replace(style, dial_colors=colours)
            prefs.styles.append(style)
            prefs.phrases.append(match.group(0))
            prefs.icon_words.append(style.words)
            text = text[: match.start()] + " " + style.words + " " + text[match.end():]
    for nick in NICKNAMES:
        if match := _find(text, nick):
            text = text[: match.start()] + " " + text[match.end():]
    for phrase in sorted(FEEL, key=len, reverse=True):
        if _find(text, phrase) and FEEL[phrase] not in prefs.styles:
            prefs.styles.append(FEEL[phrase])
    for phrase in sorted(AUDIENCES, key=len, reverse=True):
        if _find(text, phrase):
            style = AUDIENCES[phrase]
            prefs.styles.append(style)
            if style.size and prefs.size is None:
                prefs.size = style.size
            if style.price and prefs.price is None:
                prefs.price, prefs.price_strength = style.price, 1
            break
    return text, prefs
