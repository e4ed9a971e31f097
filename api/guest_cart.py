"""The guest cart's cookie: a random token the browser keeps; the database knows only its hash."""

from __future__ import annotations

import hashlib
import re
import secrets

from starlette.requests import Request

# HttpOnly and SameSite=Lax: page scripts cannot read it and other sites cannot send it with their
# writes. Signing in merges the guest's cart into the customer's and deletes the cookie.
GUEST_CART_COOKIE = "seiko_cart"
GUEST_CART_DAYS = 30
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def guest_cart_key(request: Request) -> str | None:
    token = request.cookies.get(GUEST_CART_COOKIE)
    return _hash(token) if token is not None and _TOKEN.match(token) else None


def new_guest_cart() -> tuple[str, str]:
    """A new cookie token and the key it names."""
    token = secrets.token_urlsafe(32)
    return token, _hash(token)
