"""The store's policies (shipping, returns, warranty, ...), read from the one policy document."""

from __future__ import annotations

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
    """The policies a question is about, most keywords first (a question may touch two)."""
    words = text.lower()
    hits = []
    for policy in policies().values():
        count = sum(bool(re.search(rf"\b{re.escape(k)}\b", words)) for k in policy.keywords)
        if count:
            hits.append((count, policy))
    return [p for _, p in sorted(hits, key=lambda h: -h[0])]
