"""Hybrid retrieval: vector candidates (watches and their reviews) and lexical candidates (full text,
with synonyms and reference prefixes, after trigram spelling correction), fused by normalised scores
with soft preferences (vague words) as a ranking feature, filtered by the constraints read from the
query. When fewer than a page meet them, the closest near misses follow, each saying what it misses.
A query with no real word and nothing near in meaning finds nothing. Out-of-stock watches are
demoted and marked."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from psycopg import sql

from db.pool import Conn
from rag import repo
from rag.embedder import Embedder
from rag.query_parser import ParsedQuery, parse_query
from rag.ranking import HYBRID, LEXICAL_ONLY, VECTOR_ONLY, Weights, normalise, soft_score
from rag.relax import MAX_MISSED, Miss, is_near, misses
from rag.relax import cost as miss_cost

CANDIDATES = 50
MISS_PENALTY = 1.0  # score lost per unit of miss (a price 10 % over costs 0.1)
NEAR_MISSES = 10  # at most this many near misses follow the exact matches
EXACT_BELOW = 3000  # filters expected to pass fewer watches are ranked by exact distance
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
    exact_count: int = 0  # hits after these are near misses


def constraint_clauses(q: ParsedQuery) -> tuple[list[sql.Composable], dict[str, Any]]:
    """Each parsed constraint as one SQL condition over `watches w`, parameterised."""
    clauses: list[sql.Composable] = []
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
    return clauses, params


def where_clause(q: ParsedQuery) -> tuple[sql.Composable, dict[str, Any]]:
    """The parsed constraints as SQL over `watches w` and `inventory i`, parameterised."""
    clauses, params = constraint_clauses(q)
    return sql.SQL(" AND ").join([sql.SQL("w.active"), *clauses]), params


def near_clause(q: ParsedQuery) -> tuple[sql.Composable, sql.Composable, dict[str, Any]]:
    """Watches that break at least one and at most MAX_MISSED of the constraints, and an SQL
    distance that orders them (constraints broken first, then how far off the numbers are)."""
    clauses, params = constraint_clauses(q)
    missed = sql.SQL(" + ").join(sql.SQL("(NOT coalesce({}, false))::int").format(c) for c in clauses)
    where = sql.SQL("w.active AND ({missed}) BETWEEN 1 AND {most}").format(missed=missed,
                                                                        most=sql.Literal(MAX_MISSED))
    spread: list[sql.Composable] = [sql.SQL("({})").format(missed)]
    if q.max_price is not None:
        spread.append(sql.SQL("greatest(w.price - %(max_price)s, 0) / %(max_price)s"))
    if q.min_price is not None:
        spread.append(sql.SQL("greatest(%(min_price)s - w.price, 0) / %(min_price)s"))
    if q.min_water_m is not None:
        spread.append(sql.SQL("greatest(%(min_water)s - w.water_resistance_m, 0)::numeric / %(min_water)s"))
    if q.min_case_mm is not None:
        spread.append(sql.SQL("greatest(%(min_mm)s - w.case_diameter_mm, 0) / 4"))
    if q.max_case_mm is not None:
        spread.append(sql.SQL("greatest(w.case_diameter_mm - %(max_mm)s, 0) / 4"))
    return where, sql.SQL(" + ").join(spread), params


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


_SYNONYMS: dict[str, str] = {
    # what shoppers write -> words the catalog uses for it (added to the lexical query, never removed)
    "dive": "diver", "diving": "diver", "divers": "diver", "diver": "dive", "scuba": "diver",
    "lume": "lumibrite luminous", "glow": "lumibrite lume", "luminous": "lumibrite",
    "dual": "gmt", "gmt": "24-hour", "travel": "gmt", "traveller": "gmt", "traveler": "gmt",
    "chrono": "chronograph", "stopwatch": "chronograph", "tachymeter": "chronograph",
    "waterproof": "water", "mop": "mother-of-pearl", "nacre": "mother-of-pearl",
    "handwound": "hand-wound", "automatic": "self-winding", "sapphire": "sapphire",
}
# Below this the nearest watch is not near. MiniLM gives keyboard mashing 0.17-0.22 but also real,
# vague wishes ("tough everyday beater" 0.17): the threshold only decides for real words.
NONSENSE_SIMILARITY = 0.15


def content_words(q: ParsedQuery) -> list[str]:
    """Words left to rank by: not filler ('a watch for my'), and not words already read as a
    constraint ('diver' in "big oversized diver" is met by every exact match, so it orders nothing)."""
    read = {w for phrase in q.phrases for w in re.findall(r"[a-z]{3,}", phrase.lower())}
    return [w for w in re.findall(r"[a-z]{3,}", q.text.lower())
            if w not in _STOPWORDS and w not in _EVERYWHERE and w not in read]


def unaccent(text: str) -> str:
    """'Présage' -> 'Presage': the catalog is written without accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def lexical_query(text: str) -> tuple[str, str, list[str]]:
    """The shopper's words for full text (words found everywhere dropped), the same with synonyms
    added, and the reference prefixes ('SPB14', 'SRPD') to match as prefixes."""
    words = [w for w in re.findall(r"[\w'-]+", text) if w.lower().strip("'") not in _EVERYWHERE]
    extra = [_SYNONYMS[w.lower()] for w in words if w.lower() in _SYNONYMS]
    prefixes = [w.lower() for w in words
                if re.fullmatch(r"[A-Za-z]{2,5}\d{1,4}[A-Za-z0-9]*", w) or re.fullmatch(r"[A-Z]{3,5}\d*", w)]
    return " ".join(words), " ".join([*words, *extra]), prefixes


async def _gather(conn: Conn, *, where: sql.Composable, params: dict[str, Any], vector: Any, model: str,
                  own_words: str, lexical_text: str, prefixes: list[str]) -> dict[int, Hit]:
    """Candidates from the vector index (watches and reviews) and from full text, under `where`."""
    hits: dict[int, Hit] = {}
    if vector is not None:
        # A narrow filter (the planner expects few watches) is ranked exactly: cheaper than walking
        # the graph until enough pass (at 100k watches, 0.8 % passing took 270 ms that way).
        narrow = bool(params) and await repo.estimated_rows(conn, where=where, params=params) <= EXACT_BELOW
        rows = await repo.vector_candidates_both(conn, model=model, vector=vector, where=where, params=params,
                                                 limit=CANDIDATES, exact=narrow)
        for row in rows:  # most similar first: the first review seen for a watch is its best
            hit = hits.setdefault(row["watch_id"], Hit(row["watch_id"]))
            if row["kind"] == "watch":
                hit.similarity = float(row["similarity"])
            elif hit.review_similarity is None:
                hit.review_id, hit.review_similarity = row["item_id"], float(row["similarity"])
    if lexical_text or prefixes:
        rows = await repo.lexical_candidates(conn, text=lexical_text, words=own_words, prefixes=prefixes,
                                             where=where, params=params, limit=CANDIDATES)
        for row in rows:
            hits.setdefault(row["watch_id"], Hit(row["watch_id"])).lexical_rank = float(row["rank"])
    return hits


def _score(hits: dict[int, Hit], watches: dict[int, dict[str, Any]], q: ParsedQuery, weights: Weights,
           quantiles: list[Decimal], prior: dict[int, float]) -> None:
    """Normalised score fusion: semantic, review and lexical scores scaled to [0, 1] over the
    candidates and weighted, plus the soft preferences as a ranking feature."""
    vec = normalise({k: h.similarity for k, h in hits.items() if h.similarity is not None})
    rev = normalise({k: h.review_similarity for k, h in hits.items() if h.review_similarity is not None})
    top_lex = max((h.lexical_rank or 0.0 for h in hits.values()), default=0.0)
    active = (weights.vector if vec else 0.0) + (weights.review if rev else 0.0) + (weights.lexical if top_lex else 0.0)
    prefs = q.preferences
    # "cheapest", or nothing in the words but the preference ("watch for a small wrist"): then the
    # semantic score is noise and the preference decides the order.
    decisive = prefs.price_strength >= 2 or not content_words(q)
    soft_weight = weights.strong_price if decisive else weights.soft
    for key, hit in hits.items():
        relevance = (weights.vector * vec.get(key, 0.0) + weights.review * rev.get(key, 0.0)
                     + weights.lexical * ((hit.lexical_rank or 0.0) / top_lex if top_lex else 0.0))
        relevance = relevance / active if active else prior.get(key, 0.0)
        hit.score = relevance + soft_weight * soft_score(watches[key], prefs, quantiles)
        if watches[key]["stock_available"] == 0:
            hit.score *= OUT_OF_STOCK_FACTOR


def _is_nonsense(q: ParsedQuery, hits: dict[int, Hit], embedder: Embedder | None) -> bool:
    """Nothing read from the words, no word found in the catalog, and either no real word at all
    ('asdfqwer zzz') or nothing close in meaning."""
    if q.has_constraints or q.preferences.any or any(h.lexical_rank for h in hits.values()):
        return False
    words = content_words(q)
    if not words:  # only constraints (perhaps set aside as contradictory): not nonsense
        return False
    if embedder is not None and words and not any(embedder.knows_word(w) for w in words):
        return True
    return max((h.similarity or 0.0 for h in hits.values()), default=0.0) < NONSENSE_SIMILARITY


async def search(conn: Conn, *, embedder: Embedder | None, query: str, mode: Mode, limit: int,
                 rates: Mapping[str, Decimal] | None = None, weights: Weights | None = None,
                 near_misses: bool = False) -> SearchOutcome:
    """Exact matches first; with `near_misses`, when they are fewer than `limit`, the closest near
    misses after them, each saying which constraint it misses (`exact_count` tells them apart).
    Off by default: a caller that presents every hit as meeting the constraints (the assistant's
    tool) keeps exact matches only. `rates` converts other currencies to USD."""
    query = unaccent(query)
    corrected, corrections = await correct_spelling(conn, query, embedder)
    parsed = parse_query(corrected, rates=rates)
    weights = weights or {Mode.hybrid: HYBRID, Mode.vector: VECTOR_ONLY, Mode.lexical: LEXICAL_ONLY}[mode]
    text = parsed.text
    vector = None
    if text and mode in (Mode.hybrid, Mode.vector) and embedder is not None:
        # The embedding model reads the corrected words too: corrections only touch words in neither
        # the catalog nor the model's vocabulary, which the model would split into fragments (on the
        # labelled set: vector NDCG@10 0.779 against 0.770 with the raw words).
        vector = (await embedder.encode_async([text]))[0]
    own_words, lexical_text, prefixes = lexical_query(text) if mode in (Mode.hybrid, Mode.lexical) else ("", "", [])
    model = embedder.index_key if embedder is not None else ""
    quantiles = await repo.price_quantiles(conn) if parsed.preferences.price else []

    async def pool(where: sql.Composable, params: dict[str, Any], order: sql.Composable | None) -> dict[int, Hit]:
        hits = await _gather(conn, where=where, params=params, vector=vector, model=model,
                             own_words=own_words, lexical_text=lexical_text, prefixes=prefixes)
        prior: dict[int, float] = {}
        if not hits and (not text or order is not None):
            # Nothing to rank by but the constraints: the watches that meet them (or come closest).
            ids = await repo.filtered_watches(conn, where=where, params=params, limit=CANDIDATES, order=order)
            hits = {i: Hit(i) for i in ids}
            prior = {i: 0.1 * (1 - rank / len(ids)) for rank, i in enumerate(ids)}
        elif order is not None:
            for i in await repo.filtered_watches(conn, where=where, params=params, limit=CANDIDATES // 2, order=order):
                hits.setdefault(i, Hit(i))
        if vector is not None and mode is Mode.hybrid:
            missing = [i for i, h in hits.items() if h.similarity is None]
            for i, sim in (await repo.similarities(conn, model=model, vector=vector, ids=missing)).items():
                hits[i].similarity = sim
        watches.update(await repo.watches_by_id(conn, ids=[i for i in hits if i not in watches]))
        _score(hits, watches, parsed, weights, quantiles, prior)
        return hits

    watches: dict[int, dict[str, Any]] = {}
    where, params = where_clause(parsed)
    exact = await pool(where, params, None)
    if _is_nonsense(parsed, exact, embedder):
        exact = {}
    ranked = sorted(exact.values(), key=lambda h: (-h.score, h.watch_id))[:limit]
    near: list[tuple[Hit, list[Miss]]] = []
    if near_misses and len(ranked) < limit and parsed.has_constraints:
        near_where, order, near_params = near_clause(parsed)
        relaxed = await pool(near_where, near_params, order)
        for hit in relaxed.values():
            missed = misses(watches[hit.watch_id], parsed)
            if is_near(missed):
                hit.score -= MISS_PENALTY * miss_cost(missed)
                near.append((hit, missed))
        near = sorted(near, key=lambda n: (-n[0].score, n[0].watch_id))[:min(limit - len(ranked), NEAR_MISSES)]
    shown = ranked + [h for h, _ in near]
    titles = await repo.review_titles(conn, ids=[h.review_id for h in shown if h.review_id is not None])
    results = [(watches[h.watch_id], round(h.score, 6), explain(h, watches[h.watch_id], parsed, titles, corrections))
               for h in ranked]
    results += [(watches[h.watch_id], round(h.score, 6),
                 explain(h, watches[h.watch_id], parsed, titles, corrections, missed)) for h, missed in near]
    filters = parsed.as_filters()
    if corrections:
        filters["corrected"] = corrections
    filters["exact_matches"] = len(ranked)
    if near:
        chips: dict[str, str] = {}
        for _, missed in near:
            for m in missed:
                chips.setdefault(m.constraint, m.chip)
        filters["relaxed"] = [{"constraint": k, "chip": v} for k, v in chips.items()]
    return SearchOutcome(hits=results, filters=filters, corrections=corrections,
                         vector_available=embedder is not None, exact_count=len(ranked))


def explain(hit: Hit, watch: dict[str, Any], q: ParsedQuery, titles: dict[int, str],
            corrections: dict[str, str], missed: list[Miss] | None = None) -> list[str]:
    """Why this watch is in the results, in words a shopper can check; a near miss first says what
    it misses and by how much."""
    reasons: list[str] = [f"near miss: {m.detail}" for m in missed or []]
    off = {m.constraint for m in missed or []}
    price = Decimal(watch["price"])
    if (q.max_price is not None or q.min_price is not None) and "price" not in off:
        bounds = " and ".join(part for part in (
            f"at least ${q.min_price:,.2f}" if q.min_price is not None else "",
            f"at most ${q.max_price:,.2f}" if q.max_price is not None else "") if part)
        reasons.append(f"price ${price:,.2f} is {bounds}")
    if q.min_water_m is not None and "water_resistance" not in off:
        reasons.append(f"water resistant to {watch['water_resistance_m']} m (asked {q.min_water_m} m or more)")
    if (q.min_case_mm is not None or q.max_case_mm is not None) and "case_size" not in off:
        reasons.append(f"case {watch['case_diameter_mm']:g} mm")
    for label, wanted, actual in (("movement", q.movements, watch["movement"]),
                                  ("collection", q.collections, watch["collection"]),
                                  ("category", q.categories, watch["category"]),
                                  ("strap", q.straps, watch["strap"])):
        if wanted and label not in off:
            reasons.append(f"{label}: {actual.replace('_', ' ')}")
    if q.dial_colors and "dial" not in off:
        reasons.append(f"dial: {watch['dial_color']}")
    if q.case_materials and "case" not in off:
        reasons.append(f"case: {watch['case_material']}")
    if q.features and "features" not in off:
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
    prefs = q.preferences
    if prefs.price and "price" not in off and q.max_price is None and q.min_price is None:
        reasons.append(f"price ${price:,.2f} ({'lower' if prefs.price == 'low' else 'higher'} prices first)")
    if prefs.size and q.min_case_mm is None and q.max_case_mm is None:
        reasons.append(f"case {watch['case_diameter_mm']:g} mm ({prefs.size} sizes first)")
    if corrections:
        reasons.append("read " + ", ".join(f"'{a}' as '{b}'" for a, b in corrections.items()))
    if watch["stock_available"] == 0:
        reasons.append("out of stock (shown lower)")
    reasons = [r for r in reasons if r]
    if not reasons:
        reasons.append("nearest match in the catalog")
    return reasons
