"""Search as the API offers it: run retrieval, shape the answer, remember queries that found nothing."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import structlog

from commerce.catalog.service import to_public
from common.errors import UpstreamFailure
from db.pool import Conn
from rag import repo
from rag.embedder import Embedder
from rag.models import SearchResponse, SearchResult
from rag.retriever import Mode, search

_log = structlog.get_logger(component="rag.service")


class VectorSearchUnavailable(UpstreamFailure):
    code = "vector_search_unavailable"
    title = "Semantic search is unavailable"


async def search_watches(
    conn: Conn, *, embedder: Embedder | None, query: str, mode: Mode, limit: int,
    rates: Mapping[str, Decimal] | None = None,
) -> SearchResponse:
    """`rates`: USD per unit of other currencies (app.settings), for "under 400 euros"."""
    notes: list[str] = []
    try:
        outcome = await search(conn, embedder=embedder, query=query, mode=mode, limit=limit, rates=rates,
                               near_misses=True)
    except (OSError, RuntimeError, ImportError) as exc:  # the embedding model failed to load or run
        if mode is Mode.vector:
            raise VectorSearchUnavailable("The embedding model is not available; try mode=lexical") from exc
        _log.warning("vector_search_degraded", error=str(exc))
        notes.append("semantic search unavailable: lexical results only")
        outcome = await search(conn, embedder=None, query=query, mode=mode, limit=limit, rates=rates,
                               near_misses=True)
    if outcome.exact_count == 0:  # a catalog gap, even when near misses are shown instead
        await repo.record_miss(conn, query=query, mode=mode.value, filters=outcome.filters)
    if outcome.filters.get("ignored"):
        notes.extend(f"ignored {i['constraint']}: {i['reason']}" for i in outcome.filters["ignored"])
    notes.extend(outcome.filters.get("currency", []))
    if not outcome.hits:
        notes.append("nothing in the catalog matched")
    elif outcome.exact_count < len(outcome.hits):
        relaxed = ", ".join(r["chip"] for r in outcome.filters.get("relaxed", []))
        notes.append(f"{outcome.exact_count} exact match{'es' if outcome.exact_count != 1 else ''}; "
                     f"then the closest watches that miss {relaxed}")
    return SearchResponse(
        query=query, mode=mode.value, filters=outcome.filters, notes=notes,
        results=[SearchResult(watch=to_public(w), score=score, matched=why, near_miss=n >= outcome.exact_count)
                 for n, (w, score, why) in enumerate(outcome.hits)],
    )
