"""Search API schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from commerce.catalog.models import WatchPublic


class SearchResult(BaseModel):
    watch: WatchPublic
    score: float
    matched: list[str]
    # A near miss breaks a stated constraint (its `matched` starts with which one and by how much);
    # near misses come after every exact match.
    near_miss: bool = False


class SearchResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "query": "automatic diver under $500", "mode": "hybrid",
        "filters": {"max_price": "500.00", "movements": ["automatic"], "categories": ["diver"],
                    "understood": ["under $500", "automatic", "diver"], "text": "diver", "exact_matches": 1,
                    "relaxed": [{"constraint": "category", "chip": "diver"}]},
        "results": []}})

    query: str
    mode: str
    filters: dict[str, Any]
    results: list[SearchResult]
    notes: list[str] = []
