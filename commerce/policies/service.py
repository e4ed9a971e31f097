"""The store's policies (shipping, returns, warranty, ...), read from the one policy document."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DOCUMENT = Path(__file__).with_name("store_policies.yaml")


@dataclass(frozen=True)
class Policy:
    topic: str
    title: str
    keywords: tuple[str, ...]
    text: str


@cache
def policies() -> dict[str, Policy]:
    raw = yaml.safe_load(DOCUMENT.read_text())
    return {topic: Policy(topic, entry["title"], tuple(entry["keywords"]), " ".join(entry["text"].split()))
            for topic, entry in raw.items()}


def topics() -> tuple[str, ...]:
    return tuple(policies())


def matching(text: str) -> list[Policy]:
    """The policies a question is about, most keywords first (a question may touch two). A keyword of
    one word also matches a word misspelt by a letter or two ("retrun" for "return")."""
    lowered = text.lower()
    words = re.findall(r"[a-z]+", lowered)
    hits = []
    for policy in policies().values():
        count = sum(bool(re.search(rf"\b{re.escape(k)}\b", lowered)) or _misspelt(k, words) for k in policy.keywords)
        if count:
            hits.append((count, policy))
    return [p for _, p in sorted(hits, key=lambda h: -h[0])]


def _misspelt(keyword: str, words: list[str]) -> bool:
    # Same first letter and about the same length: "retrun" is "return", "diver" is not "deliver".
    if " " in keyword or len(keyword) < 6:
        return False
    return any(len(w) >= 6 and w[0] == keyword[0] and abs(len(w) - len(keyword)) <= 1
               and difflib.SequenceMatcher(None, w, keyword).ratio() >= 0.8 for w in words)
