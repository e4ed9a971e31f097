"""The schema: the queries, thin over the domain services, and the limits and error masking."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import MaskErrors
from strawberry.types import Info

from commerce.catalog import service as catalog
from commerce.catalog.models import WatchFilters, WatchSort
from commerce.orders import service as orders
from common.errors import InvalidInput, Unauthorized
from graphql_api.context import store
from graphql_api.errors import MASKED_MESSAGE, domain_errors, should_mask
from graphql_api.limits import MAX_LIMIT, limits
from graphql_api.types import Order, SearchResults, Watch, WatchFilter, WatchPage
from rag.retriever import Mode
from rag.service import search_watches


def _page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    if not 0 <= offset <= 100_000:
        raise InvalidInput("offset must be between 0 and 100000", field="offset")


@strawberry.type
class Query:
    @strawberry.field(description="A page of the catalog, filtered and sorted as GET /api/v1/watches.")
    async def watches(self, info: Info[Any, Any], filter: WatchFilter | None = None,
                      sort: WatchSort = WatchSort.featured, limit: int = 20, offset: int = 0) -> WatchPage:
        with domain_errors():
            _page(limit, offset)
            filters = WatchFilters.model_validate({**(vars(filter) if filter else {}), "sort": sort})
            page = await catalog.list_watches(store(info).conn, filters=filters, limit=limit, offset=offset)
        return WatchPage(items=[Watch.from_public(w) for w in page.items], total=page.total, limit=page.limit,
                         offset=page.offset)

    @strawberry.field(description="One watch with live price and stock; null when there is no such watch.")
    async def watch(self, info: Info[Any, Any], reference: str) -> Watch | None:
        found = await store(info).watches.load(reference.strip().upper())
        return Watch.from_public(found) if found is not None else None

    @strawberry.field(description="Plain-language search, the same hybrid search as GET /api/v1/search.")
    async def search(self, info: Info[Any, Any], query: str, limit: int = 10,
                     mode: Mode = Mode.hybrid) -> SearchResults:
        context = store(info)
        with domain_errors():
            if not query.strip() or len(query) > 300:
                raise InvalidInput("query must be 1 to 300 characters", field="query")
            if not 1 <= limit <= 50:
                raise InvalidInput("limit must be between 1 and 50", field="limit")
            found = await search_watches(context.conn, embedder=context.embedder, query=query.strip(), mode=mode,
                                         limit=limit, rates=context.rates)
        return SearchResults.from_response(found)

    @strawberry.field(description="The caller's own orders, newest first (needs a bearer token).")
    async def my_orders(self, info: Info[Any, Any], limit: int = 20) -> list[Order]:
        context = store(info)
        with domain_errors():
            if context.principal is None:
                raise Unauthorized("Send an access token as `Authorization: Bearer <token>`")
            _page(limit, 0)
            mine = await orders.list_orders(context.conn, customer_id=context.principal.customer_id, limit=limit)
        return [Order.from_public(o) for o in mine]


def build_schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(
        query=Query,
        # Factories: each request gets fresh extension instances (they hold per-request state).
        extensions=[*limits(), lambda: MaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE)],
    )


SCHEMA = build_schema()
