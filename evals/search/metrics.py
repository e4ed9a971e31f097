"""Ranking metrics for graded relevance."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(grades: Sequence[int]) -> float:
    """Discounted cumulative gain with exponential gain: sum (2^g - 1) / log2(rank + 1)."""
    return float(sum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(grades, start=1)))


def ndcg_at_k(ranked: Sequence[str], relevance: Mapping[str, int], k: int = 10) -> float:
    """NDCG@k. A query whose right answer is "nothing" scores 1 for an empty list, else 0."""
    if not relevance:
        return 1.0 if not ranked else 0.0
    ideal = dcg(sorted(relevance.values(), reverse=True)[:k])
    return dcg([relevance.get(ref, 0) for ref in ranked[:k]]) / ideal


def recall_at_k(ranked: Sequence[str], relevance: Mapping[str, int], k: int = 10) -> float:
    if not relevance:
        return 1.0 if not ranked else 0.0
    return len(set(ranked[:k]) & set(relevance)) / len(relevance)
