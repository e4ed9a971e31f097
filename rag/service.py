"""Search as the API offers it: run retrieval, shape the answer, remember queries that found nothing."""

from __future__ import annotations

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
    conn: Conn, *, embedder: Embedder | None, query: str, mode: Mode, limit: int
) -> SearchResponse:
    notes: list[str] = []
    try:
        outcome = await search(conn, embedder=embedder, query=query, mode=mode, limit=limit)
    except (OSError, RuntimeError, ImportError) as exc:  # the embedding model failed to load or run
        if mode is Mode.vector:
            raise VectorSearchUnavailable("The embedding model is not available; try mode=lexical") from exc
        _log.warning("vector_search_degraded", error=str(exc))
        notes.append("semantic search unavailable: lexical results only")
        outcome = await search(conn, embedder=None, query=query, mode=mode, limit=limit)
    if not outcome.hits:
        await repo.record_miss(conn, query=query, mode=mode.value, filters=outcome.filters)
    if outcome.filters.get("ignored"):
        notes.extend(f"ignored {i['constraint']}: {i['reason']}" for i in outcome.filters["ignored"])
    return SearchResponse(
        query=query, mode=mode.value, filters=outcome.filters, notes=notes,
        results=[SearchResult(watch=to_public(w), score=score, matched=why) for w, score, why in outcome.hits],
    )
