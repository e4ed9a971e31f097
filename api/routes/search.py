"""Search the catalog in plain language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from api.deps import ConnDep, CurrencyRatesDep, EmbedderDep, Public
from rag.models import SearchResponse
from rag.retriever import Mode
from rag.service import search_watches

router = APIRouter(tags=["search"], dependencies=[Public])

SearchText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


@router.get("/search", summary="Hybrid (semantic + full-text) search with constraints read from the words",
            description="Exact matches first; when they are fewer than `limit`, the closest near misses "
                        "(`near_miss: true`), each saying in `matched` which constraint it misses and by how much.",
            responses={502: {"description": "mode=vector while the embedding model is unavailable"}})
async def search(
    conn: ConnDep,
    embedder: EmbedderDep,
    rates: CurrencyRatesDep,
    q: Annotated[SearchText, Query(description="What the shopper typed, e.g. 'automatic diver under $500'")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    mode: Mode = Mode.hybrid,
) -> SearchResponse:
    return await search_watches(conn, embedder=embedder, query=q, mode=mode, limit=limit, rates=rates)
