"""The public catalog."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import ConnDep, Public
from commerce.catalog import service
from commerce.catalog.models import Category, Movement, WatchDetail, WatchFilters, WatchPage, WatchSort

router = APIRouter(prefix="/watches", tags=["catalog"], dependencies=[Public])


@router.get("", summary="Browse the catalog")
async def list_watches(
    conn: ConnDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    collection: Annotated[str | None, Query(max_length=80)] = None,
    category: Category | None = None,
    movement: Movement | None = None,
    min_price: Annotated[Decimal | None, Query(ge=0, max_digits=12, decimal_places=2)] = None,
    max_price: Annotated[Decimal | None, Query(ge=0, max_digits=12, decimal_places=2)] = None,
    in_stock: bool | None = None,
    sort: WatchSort = WatchSort.featured,
) -> WatchPage:
    filters = WatchFilters(collection=collection, category=category, movement=movement, min_price=min_price,
                           max_price=max_price, in_stock=in_stock, sort=sort)
    return await service.list_watches(conn, filters=filters, limit=limit, offset=offset)


@router.get("/{reference}", responses={404: {"description": "Unknown reference (code `watch_not_found`)"}})
async def get_watch(reference: str, conn: ConnDep) -> WatchDetail:
    return await service.get_watch(conn, reference=reference)


@router.get("/{reference}/image.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}}, summary="A drawing made from the watch's specs")
async def watch_image(reference: str, conn: ConnDep) -> Response:
    svg = await service.watch_image(conn, reference=reference)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=300"})
