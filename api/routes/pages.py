"""The storefront's server-rendered pages (templates and assets live in web/)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import ConnDep, EmbedderDep, Public
from commerce.catalog import service as catalog
from commerce.catalog.models import Category, Movement, WatchQuery, WatchSort
from rag.retriever import Mode
from rag.service import search_watches

WEB = Path(__file__).resolve().parent.parent.parent / "web"
templates = Jinja2Templates(directory=str(WEB / "templates"))
router = APIRouter(dependencies=[Public], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def catalog_page(request: Request, conn: ConnDep, query: Annotated[WatchQuery, Query()]) -> HTMLResponse:
    page = await catalog.list_watches(conn, filters=query, limit=100, offset=0)
    return templates.TemplateResponse(request, "catalog.html", {
        "page": page, "filters": query, "categories": [c.value for c in Category],
        "movements": [m.value for m in Movement], "sorts": [s.value for s in WatchSort], "query": None})


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    request: Request, conn: ConnDep, embedder: EmbedderDep, q: Annotated[str, Query(min_length=1, max_length=300)]
) -> HTMLResponse:
    response = await search_watches(conn, embedder=embedder, query=q, mode=Mode.hybrid, limit=24)
    chips = [{"phrase": phrase, "without": _without(q, phrase)}
             for phrase in response.filters.get("understood", [])]
    return templates.TemplateResponse(request, "search.html", {"query": q, "response": response, "understood": chips})


@router.get("/watches/{reference}", response_class=HTMLResponse)
async def watch_page(request: Request, reference: str, conn: ConnDep) -> HTMLResponse:
    watch = await catalog.get_watch(conn, reference=reference)
    specs: list[tuple[str, Any]] = [
        ("Reference", watch.reference), ("Collection", watch.collection), ("Movement",
        f"{watch.movement.value.replace('_', ' ')} ({watch.caliber})"), ("Case", f"{watch.case_diameter_mm:g} mm "
        f"{watch.case_material}"), ("Water resistance", f"{watch.water_resistance_m} m"),
        ("Crystal", watch.crystal.replace("_", " ")), ("Dial", watch.dial_color), ("Strap", watch.strap),
        ("Features", ", ".join(f.replace("_", " ") for f in watch.features) or "-")]
    return templates.TemplateResponse(request, "watch.html", {"watch": watch, "specs": specs, "query": None})


def _without(query: str, phrase: str) -> str:
    """The query with one understood phrase removed (the chip's ✕ link)."""
    rest = re.sub(re.escape(phrase), " ", query, count=1, flags=re.I)
    return re.sub(r"\s+", " ", rest).strip() or "watch"
