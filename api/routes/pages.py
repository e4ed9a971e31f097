"""The storefront's server-rendered pages. Actions (cart, checkout, payment, chat) call the JSON API
from web/static/*.js with the browser's cookie session; pages only read."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import Field

from api.deps import (
    CartOwnerDep,
    CheckoutRatesDep,
    ConnDep,
    CurrencyRatesDep,
    CustomerPage,
    EmbedderDep,
    MaybeUser,
    PaymentsDep,
    Public,
)
from api.redirects import same_site_path
from api.templating import WEB, render
from commerce.cart import service as cart_service
from commerce.catalog import service as catalog
from commerce.catalog.models import Category, Movement, WatchQuery, WatchSort
from commerce.customers.models import Principal
from commerce.orders import service as orders
from commerce.orders.checkout import shipping_countries, shipping_options
from db.pool import Conn
from rag.retriever import Mode
from rag.service import search_watches

router = APIRouter(include_in_schema=False)
CATALOG_PAGE_SIZE = 100


@router.get("/favicon.ico", dependencies=[Public])
async def favicon() -> FileResponse:
    # Browsers ask for /favicon.ico on their own; the site's icon is an SVG.
    return FileResponse(WEB / "static" / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


class CatalogPageQuery(WatchQuery):
    """The catalog page's address: the filters and a page number (a bad one is a 422 page, not ignored)."""

    page: int = Field(1, ge=1, le=1000)


@router.get("/", response_class=HTMLResponse, dependencies=[Public])
async def catalog_page(
    request: Request, conn: ConnDep, user: MaybeUser, query: Annotated[CatalogPageQuery, Query()]
) -> HTMLResponse:
    page = await catalog.list_watches(conn, filters=query, limit=CATALOG_PAGE_SIZE,
                                      offset=(query.page - 1) * CATALOG_PAGE_SIZE)
    return await render(request, "catalog.html", conn=conn, user=user, page=page, filters=query,
                        categories=[c.value for c in Category], movements=[m.value for m in Movement],
                        sorts=[s.value for s in WatchSort])


@router.get("/search", response_class=HTMLResponse, dependencies=[Public])
async def search_page(
    request: Request, conn: ConnDep, embedder: EmbedderDep, user: MaybeUser, rates: CurrencyRatesDep,
    q: Annotated[str, Query(min_length=1, max_length=300)],
) -> HTMLResponse:
    response = await search_watches(conn, embedder=embedder, query=q, mode=Mode.hybrid, limit=24, rates=rates)
    chips = [{"phrase": phrase, "without": _without(q, phrase)}
             for phrase in response.filters.get("understood", [])]
    return await render(request, "search.html", conn=conn, user=user, query=q, response=response, understood=chips)


@router.get("/watches/{reference}", response_class=HTMLResponse, dependencies=[Public])
async def watch_page(request: Request, reference: str, conn: ConnDep, user: MaybeUser) -> HTMLResponse:
    watch = await catalog.get_watch(conn, reference=reference)
    specs: list[tuple[str, Any]] = [
        ("Reference", watch.reference), ("Collection", watch.collection), ("Movement",
        f"{watch.movement.value.replace('_', ' ')} ({watch.caliber})"), ("Case", f"{watch.case_diameter_mm:g} mm "
        f"{watch.case_material}"), ("Water resistance", f"{watch.water_resistance_m} m"),
        ("Crystal", watch.crystal.replace("_", " ")), ("Dial", watch.dial_color), ("Strap", watch.strap),
        ("Features", ", ".join(f.replace("_", " ") for f in watch.features) or "-")]
    return await render(request, "watch.html", conn=conn, user=user, watch=watch, specs=specs)


@router.get("/account/login", response_class=HTMLResponse, dependencies=[Public])
async def login_page(request: Request, conn: ConnDep, user: MaybeUser, next: str = "/") -> Response:
    return await _account_page(request, "login.html", conn, user, next)


@router.get("/account/register", response_class=HTMLResponse, dependencies=[Public])
async def register_page(request: Request, conn: ConnDep, user: MaybeUser, next: str = "/") -> Response:
    return await _account_page(request, "register.html", conn, user, next)


@router.get("/cart", response_class=HTMLResponse, dependencies=[Public])
async def cart_page(
    request: Request, conn: ConnDep, user: MaybeUser, owner: CartOwnerDep, rates: CheckoutRatesDep
) -> HTMLResponse:
    cart = await cart_service.get_cart(conn, owner=owner)
    return await render(request, "cart.html", conn=conn, user=user, cart=cart,
                        countries=shipping_countries(rates), shipping_options=shipping_options(rates, cart.total))


@router.get("/orders", response_class=HTMLResponse)
async def orders_page(request: Request, conn: ConnDep, user: CustomerPage) -> HTMLResponse:
    placed = await orders.list_orders(conn, customer_id=user.customer_id)
    return await render(request, "orders.html", conn=conn, user=user, orders=placed)


@router.get("/orders/{order_id}", response_class=HTMLResponse)
async def order_page(
    request: Request, order_id: int, conn: ConnDep, user: CustomerPage, payments: PaymentsDep
) -> HTMLResponse:
    order = await orders.get_order(conn, order_id=order_id, customer_id=user.customer_id)
    return await render(request, "order.html", conn=conn, user=user, order=order,
                        payment={"provider": payments.name, "simulated": payments.simulated,
                                 "publishable_key": payments.publishable_key})


async def _account_page(request: Request, template: str, conn: Conn, user: Principal | None, next_path: str
                        ) -> Response:
    """Sign-in and registration; a signed-in visitor goes straight on to where they were headed."""
    target = same_site_path(next_path)
    if user is not None:
        return RedirectResponse(target, status_code=303)
    return await render(request, template, conn=conn, user=None, next=target)


def _without(query: str, phrase: str) -> str:
    """The query with one understood phrase removed (the chip's ✕ link)."""
    rest = re.sub(re.escape(phrase), " ", query, count=1, flags=re.I)
    return re.sub(r"\s+", " ", rest).strip() or "watch"

