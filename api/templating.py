"""The Jinja2 environment of the server-rendered pages (templates and assets live in web/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.guest_cart import guest_cart_key
from commerce.cart import service as cart_service
from commerce.cart.models import CartOwner
from commerce.customers.models import Principal
from db.pool import Conn

WEB = Path(__file__).resolve().parent.parent / "web"
templates = Jinja2Templates(directory=str(WEB / "templates"))


def money(value: object) -> str:
    """Dollars with cents and thousands separators, from a Decimal (never a float)."""
    return f"${value:,.2f}"


templates.env.filters["money"] = money


async def render(
    request: Request, template: str, *, conn: Conn, user: Principal | None, status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page in the site's layout: the signed-in user and their (or the guest's) cart size are in every
    header."""
    cart_count = 0
    guest = guest_cart_key(request) if user is None else None
    if user is not None or guest is not None:
        owner = CartOwner(customer_id=user.customer_id) if user is not None else CartOwner(guest_key=guest)
        cart = await cart_service.get_cart(conn, owner=owner)
        cart_count = sum(line.quantity for line in cart.items)
    values: dict[str, Any] = {"user": user, "cart_count": cart_count, "query": None, **context}
    return templates.TemplateResponse(request, template, values, status_code=status_code)
