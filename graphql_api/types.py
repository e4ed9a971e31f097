"""The GraphQL types, each built from the domain's public model in one place (`from_public`)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from commerce.catalog.models import Category, Movement, ReviewPublic, WatchPublic, WatchSort
from commerce.orders.models import OrderPublic
from graphql_api.context import store
from rag.models import SearchResponse
from rag.retriever import Mode

CategoryEnum = strawberry.enum(Category, name="Category")
MovementEnum = strawberry.enum(Movement, name="Movement")
WatchSortEnum = strawberry.enum(WatchSort, name="WatchSort")
SearchModeEnum = strawberry.enum(Mode, name="SearchMode")


@strawberry.type(description="A customer's review of a watch.")
class Review:
    author: str
    rating: int
    title: str
    body: str
    created_at: datetime

    @classmethod
    def from_public(cls, review: ReviewPublic) -> Review:
        return cls(author=review.author, rating=review.rating, title=review.title, body=review.body,
                   created_at=review.created_at)


@strawberry.federation.type(keys=["reference"], description="A watch in the catalog. `price` (USD) and "
                            "`stockAvailable` are read live from the database with each request.")
class Watch:
    reference: str
    name: str
    collection: str
    category: Category
    movement: Movement
    caliber: str
    case_diameter_mm: float
    case_material: str
    water_resistance_m: int
    crystal: str
    dial_color: str
    strap: str
    features: list[str]
    price: Decimal
    stock_available: int
    description: str
    image_url: str

    @classmethod
    def from_public(cls, watch: WatchPublic) -> Watch:
        return cls(**{name: getattr(watch, name) for name in _WATCH_FIELDS})

    @strawberry.field(description="Newest first. Loaded for a whole page of watches in one query.")
    async def reviews(self, info: Info[Any, Any]) -> list[Review]:
        return [Review.from_public(r) for r in await store(info).reviews.load(self.reference)]

    @strawberry.field(description="The mean rating to one decimal, or null without reviews.")
    async def rating_average(self, info: Info[Any, Any]) -> Decimal | None:
        reviews = await store(info).reviews.load(self.reference)
        if not reviews:
            return None
        # Rounded half up, as PostgreSQL's round() gives the HTTP API's `rating_average`.
        return (Decimal(sum(r.rating for r in reviews)) / len(reviews)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @strawberry.field
    async def review_count(self, info: Info[Any, Any]) -> int:
        return len(await store(info).reviews.load(self.reference))

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], reference: str) -> Watch | None:
        """A federation gateway's entity lookup: batched like every other watch lookup."""
        found = await store(info).watches.load(reference)
        return cls.from_public(found) if found is not None else None


_WATCH_FIELDS = ("reference", "name", "collection", "category", "movement", "caliber", "case_diameter_mm",
                 "case_material", "water_resistance_m", "crystal", "dial_color", "strap", "features", "price",
                 "stock_available", "description", "image_url")


@strawberry.type
class WatchPage:
    items: list[Watch]
    total: int
    limit: int
    offset: int


@strawberry.input(description="Every filter is optional; prices are USD.")
class WatchFilter:
    collection: str | None = None
    category: Category | None = None
    movement: Movement | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None


@strawberry.type
class SearchHit:
    watch: Watch
    score: float
    matched: list[str] = strawberry.field(description="Why it was chosen; a near miss says what it misses")
    near_miss: bool


@strawberry.type(description="The same answer as GET /api/v1/search.")
class SearchResults:
    query: str
    mode: str
    filters: JSON = strawberry.field(description="What was read out of the query")
    notes: list[str]
    results: list[SearchHit]

    @classmethod
    def from_response(cls, found: SearchResponse) -> SearchResults:
        return cls(query=found.query, mode=found.mode, filters=found.model_dump(mode="json")["filters"],
                   notes=found.notes,
                   results=[SearchHit(watch=Watch.from_public(r.watch), score=r.score, matched=r.matched,
                                      near_miss=r.near_miss) for r in found.results])


@strawberry.type
class OrderLine:
    reference: str
    name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@strawberry.type(description="One of the caller's own orders; money in `currency`.")
class Order:
    id: int
    status: str
    items: list[OrderLine]
    subtotal: Decimal
    shipping_cost: Decimal
    tax: Decimal
    total: Decimal
    currency: str
    created_at: datetime
    paid_at: datetime | None

    @classmethod
    def from_public(cls, order: OrderPublic) -> Order:
        return cls(id=order.id, status=order.status.value, subtotal=order.subtotal, shipping_cost=order.shipping_cost,
                   tax=order.tax, total=order.total, currency=order.currency, created_at=order.created_at,
                   paid_at=order.paid_at,
                   items=[OrderLine(reference=i.reference, name=i.name, quantity=i.quantity, unit_price=i.unit_price,
                                    line_total=i.line_total) for i in order.items])
