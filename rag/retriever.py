"""Hybrid retrieval: vector candidates (watches and their reviews) and lexical candidates (full text,
after trigram spelling correction), fused by reciprocal rank, filtered by the constraints read from
the query, with out-of-stock watches demoted and marked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from psycopg import sql

from db.pool import Conn
from rag import repo
from rag.embedder import Embedder
from rag.query_parser import ParsedQuery, parse_query

RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of the very top ranks
CANDIDATES = 50
OUT_OF_STOCK_FACTOR = 0.9  # RRF scores are close together: a tenth drops a watch a few places
_STOPWORDS = frozenset((
    "a", "an", "and", "any", "are", "for", "from", "have", "need", "that", "the", "this", "with", "want",
    "looking", "something", "watch", "watches", "which", "what", "who", "whose", "would", "like", "good",
    "great", "nice", "best", "under", "over", "than", "more", "less", "about", "around", "between", "into",
    "does", "doesnt", "don't", "doesn't", "not", "without", "some", "very", "really", "just", "also", "please",
    "show", "find", "me", "my", "our", "your", "their", "its",
))


# Words in (nearly) every catalog document: they rank nothing and make a full-text query match the
# whole table, which is slow at 100k watches.
_EVERYWHERE = frozenset({"watch", "watches", "dial", "seiko", "timepiece"})


class Mode(StrEnum):
    hybrid = "hybrid"
    vector = "vector"
    lexical = "lexical"


@dataclass
class Hit:
    watch_id: int
    score: float = 0.0
    similarity: float | None = None
    lexical_rank: float | None = None
    review_id: int | None = None
    review_similarity: float | None = None


@dataclass
class SearchOutcome:
    hits: list[tuple[dict[str, Any], float, list[str]]]
    filters: dict[str, Any]
    corrections: dict[str, str] = field(default_factory=dict)
    vector_available: bool = True


def where_clause(q: ParsedQuery) -> tuple[sql.Composable, dict[str, Any]]:
    """The parsed constraints as SQL over `watches w` and `inventory i`, parameterised."""
    clauses: list[sql.Composable] = [sql.SQL("w.active")]
    params: dict[str, Any] = {}

    def add(clause: str, **values: Any) -> None:
        clauses.append(sql.SQL(clause))
        params.update(values)

    if q.min_price is not None:
        add("w.price >= %(min_price)s", min_price=q.min_price)
    if q.max_price is not None:
        add("w.price <= %(max_price)s", max_price=q.max_price)
    if q.min_water_m is not None:
        add("w.water_resistance_m >= %(min_water)s", min_water=q.min_water_m)
    if q.min_case_mm is not None:
        add("w.case_diameter_mm >= %(min_mm)s", min_mm=q.min_case_mm)
    if q.max_case_mm is not None:
        add("w.case_diameter_mm <= %(max_mm)s", max_mm=q.max_case_mm)
    if q.movements:
        add("w.movement = ANY(%(movements)s)", movements=q.movements)
    if q.collections:
        add("w.collection = ANY(%(collections)s)", collections=q.collections)
    if q.categories:
        add("w.category = ANY(%(categories)s)", categories=q.categories)
    if q.dial_colors:
        add("w.dial_color ~* %(colours)s", colours=r"\m(" + "|".join(map(re.escape, q.dial_colors)) + r")\M")
    if q.case_materials:
        add("w.case_material ~* %(materials)s", materials=r"\m(" + "|".join(map(re.escape, q.case_materials)) + r")")
    if q.straps:
        add("w.strap = ANY(%(straps)s)", straps=q.straps)
    if q.features:
        add("(w.features @> %(features)s OR (w.category = 'chronograph' AND %(features)s = ARRAY['chronograph']))",
            features=q.features)
    return sql.SQL(" AND ").join(clauses), params


def allowed_edits(word: str) -> int:
    """Edits a misspelling may be away from its word: one for short words, two from six letters
    (a transposition, 'turtel', is two edits)."""
    return 2 if len(word) >= 6 else 1


async def correct_spelling(conn: Conn, text: str, embedder: Embedder | None) -> tuple[str, dict[str, str]]:
    """Replace misspelt words by the nearest catalog word. Real words are left alone even when the
    catalog lacks them ('gift' is not 'gilt'), as are three-letter words ('dad' is not 'day')."""
    corrections: dict[str, str] = {}
    for word in sorted(set(re.findall(r"[A-Za-z]{4,}", text))):
        lower = word.lower()
        if lower in _STOPWORDS or (embedder is not None and embedder.knows_word(lower)):
            continue
        better = await repo.correct_word(conn, word=lower, max_distance=allowed_edits(lower))
        if better and better != lower:
            corrections[word] = better
    for wrong, right in corrections.items():
        text = re.sub(rf"\b{re.escape(wrong)}\b", right, text)
    return text, corrections


def _fuse(lists: list[list[int]], weights: list[float]) -> dict[int, float]:
    scores: dict[int, float] = {}
    for ranked, weight in zip(lists, weights, strict=True):
        for rank, watch_id in enumerate(ranked, start=1):
            scores[watch_id] = scores.get(watch_id, 0.0) + weight / (RRF_K + rank)
    return scores


async def search(conn: Conn, *, embedder: Embedder | None, query: str, mode: Mode, limit: int) -> SearchOutcome:
    corrected, corrections = await correct_spelling(conn, query, embedder)
    parsed = parse_query(corrected)
    # The embedding model reads the shopper's own words: it copes with most typos, and a wrong
    # "correction" would change the meaning. Corrections serve the constraints and the lexical side.
    meaning = parse_query(query).text
    where, params = where_clause(parsed)
    hits: dict[int, Hit] = {}
    lists: list[list[int]] = []
    weights: list[float] = []
    text = parsed.text
    vector_available = embedder is not None

    if text and mode in (Mode.hybrid, Mode.vector) and embedder is not None:
        vector = (await embedder.encode_async([meaning or text]))[0]
        for kind, weight in (("watch", 1.0), ("review", 0.5)):
            rows = await repo.vector_candidates(conn, kind=kind, model=embedder.index_key, vector=vector,
                                                where=where, params=params, limit=CANDIDATES)
            ranked: list[int] = []
            for row in rows:
                hit = hits.setdefault(row["watch_id"], Hit(row["watch_id"]))
                if kind == "watch":
                    hit.similarity = float(row["similarity"])
                elif hit.review_similarity is None:
                    hit.review_id, hit.review_similarity = row["item_id"], float(row["similarity"])
                if row["watch_id"] not in ranked:
                    ranked.append(row["watch_id"])
            lists.append(ranked)
            weights.append(weight)
    lexical_text = " ".join(w for w in text.split() if w.lower().strip(".,!?'") not in _EVERYWHERE)
    if lexical_text and mode in (Mode.hybrid, Mode.lexical):
        references = [t.lower() for t in re.findall(r"\b[A-Za-z]{2,5}\d{2,4}[A-Za-z0-9]*\b", text)]
        rows = await repo.lexical_candidates(conn, text=lexical_text, prefixes=references, where=where,
                                             params=params, limit=CANDIDATES)
        for row in rows:
            hits.setdefault(row["watch_id"], Hit(row["watch_id"])).lexical_rank = float(row["rank"])
        lists.append([row["watch_id"] for row in rows])
        weights.append(1.0)
    if not text or (not lists and parsed.has_constraints):
        # Nothing left to rank by but the constraints: every watch meeting them, in stock first.
        ids = await repo.filtered_watches(conn, where=where, params=params, limit=CANDIDATES)
        for watch_id in ids:
            hits.setdefault(watch_id, Hit(watch_id))
        lists.append(ids)
        weights.append(1.0)

    for watch_id, score in _fuse(lists, weights).items():
        hits[watch_id].score = score
    watches = await repo.watches_by_id(conn, ids=list(hits))
    for hit in hits.values():
        if watches[hit.watch_id]["stock_available"] == 0:
            hit.score *= OUT_OF_STOCK_FACTOR
    ranked_hits = sorted(hits.values(), key=lambda h: (-h.score, h.watch_id))[:limit]
    titles = await repo.review_titles(conn, ids=[h.review_id for h in ranked_hits if h.review_id is not None])
    results = [(watches[h.watch_id], round(h.score, 6), explain(h, watches[h.watch_id], parsed, titles, corrections))
               for h in ranked_hits]
    filters = parsed.as_filters()
    if corrections:
        filters["corrected"] = corrections
    return SearchOutcome(hits=results, filters=filters, corrections=corrections, vector_available=vector_available)


def explain(hit: Hit, watch: dict[str, Any], q: ParsedQuery, titles: dict[int, str],
            corrections: dict[str, str]) -> list[str]:
    """Why this watch is in the results, in words a shopper can check."""
    reasons: list[str] = []
    price = Decimal(watch["price"])
    if q.max_price is not None or q.min_price is not None:
        bounds = " and ".join(part for part in (
            f"at least ${q.min_price:,.2f}" if q.min_price is not None else "",
            f"at most ${q.max_price:,.2f}" if q.max_price is not None else "") if part)
        reasons.append(f"price ${price:,.2f} is {bounds}")
    if q.min_water_m is not None:
        reasons.append(f"water resistant to {watch['water_resistance_m']} m (asked {q.min_water_m} m or more)")
    if q.min_case_mm is not None or q.max_case_mm is not None:
        reasons.append(f"case {watch['case_diameter_mm']:g} mm")
    for label, wanted, actual in (("movement", q.movements, watch["movement"]),
                                  ("collection", q.collections, watch["collection"]),
                                  ("category", q.categories, watch["category"]),
                                  ("strap", q.straps, watch["strap"])):
        if wanted:
            reasons.append(f"{label}: {actual.replace('_', ' ')}")
    if q.dial_colors:
        reasons.append(f"dial: {watch['dial_color']}")
    if q.case_materials:
        reasons.append(f"case: {watch['case_material']}")
    if q.features:
        reasons.append("has " + ", ".join(f.replace("_", " ") for f in q.features))
    if hit.lexical_rank is not None:
        words = sorted({w for w in re.findall(r"[a-z0-9]{3,}", q.text.lower())
                        if w not in _STOPWORDS and w in watch["search_document"].lower()})
        if words:
            reasons.append("mentions " + ", ".join(f"'{w}'" for w in words))
    if hit.similarity is not None and hit.similarity >= 0.3:
        reasons.append(f"close in meaning to '{q.text}' ({hit.similarity:.2f})")
    if hit.review_id is not None and hit.review_similarity is not None and hit.review_similarity >= 0.35:
        reasons.append(f"a review says: \"{titles.get(hit.review_id, '')}\"")
    if corrections:
        reasons.append("read " + ", ".join(f"'{a}' as '{b}'" for a, b in corrections.items()))
    if watch["stock_available"] == 0:
        reasons.append("out of stock (shown lower)")
    if not reasons:
        reasons.append("nearest match in the catalog")
    return reasons
