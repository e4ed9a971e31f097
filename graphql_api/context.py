"""What every resolver of one request shares: its connection, its caller and its dataloaders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.types import Info

from commerce.catalog import service as catalog
from commerce.catalog.models import ReviewPublic, WatchPublic
from commerce.customers.models import Principal
from db.pool import Conn
from rag.embedder import Embedder

CONTEXT_KEY = "store"


@dataclass
class StoreContext:
    """Built per request: loaders cache for one request only, so every price and stock figure is read
    live. One connection serves the request (psycopg serialises the resolvers' queries on it)."""

    conn: Conn
    principal: Principal | None
    embedder: Embedder | None
    rates: Mapping[str, Decimal]
    reviews: DataLoader[str, list[ReviewPublic]] = field(init=False)
    watches: DataLoader[str, WatchPublic | None] = field(init=False)

    def __post_init__(self) -> None:
        self.reviews = DataLoader(load_fn=self._load_reviews)
        self.watches = DataLoader(load_fn=self._load_watches)

    async def _load_reviews(self, references: list[str]) -> list[list[ReviewPublic]]:
        found = await catalog.reviews_by_reference(self.conn, references=list(dict.fromkeys(references)))
        return [found[r] for r in references]

    async def _load_watches(self, references: list[str]) -> list[WatchPublic | None]:
        found = {w.reference: w for w in await catalog.watches_by_references(self.conn, references=references)}
        return [found.get(r) for r in references]


def store(info: Info[Any, Any]) -> StoreContext:
    context: StoreContext = info.context[CONTEXT_KEY]
    return context
