"""The public catalog."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import ConnDep, Public
from commerce.catalog import service
from commerce.catalog.models import WatchDetail, WatchFilters, WatchPage, WatchQuery

router = APIRouter(prefix="/watches", tags=["catalog"], dependencies=[Public])


@router.get("", summary="Browse the catalog")
async def list_watches(conn: ConnDep, query: Annotated[WatchQuery, Query()]) -> WatchPage:
    """Every filter is optional; an empty value (`movement=`) means no filter, as HTML forms send it."""
    filters = WatchFilters.model_validate(query.model_dump(exclude={"limit", "offset"}))
    return await service.list_watches(conn, filters=filters, limit=query.limit, offset=query.offset)


@router.get("/{reference}", responses={404: {"description": "Unknown reference (code `watch_not_found`)"}})
async def get_watch(reference: str, conn: ConnDep) -> WatchDetail:
    return await service.get_watch(conn, reference=reference)


@router.get("/{reference}/image.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}}, summary="A drawing made from the watch's specs")
async def watch_image(reference: str, conn: ConnDep) -> Response:
    svg = await service.watch_image(conn, reference=reference)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=300"})
