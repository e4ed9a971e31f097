"""Accounts: register, log in, log out, who am I; and the cookie session browsers sign in with."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from api.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AuthRateLimit,
    ClientIp,
    ConnDep,
    CustomerUser,
    IssuerDep,
    MaybeUser,
    OrderLimitsDep,
    Public,
    ThrottleDep,
)
from api.guest_cart import GUEST_CART_COOKIE, guest_cart_key
from commerce.cart import service as carts
from commerce.customers import service
from commerce.customers.models import CustomerPublic, LoginRequest, RegisterRequest, TokenResponse

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED, dependencies=[Public, AuthRateLimit],
             responses={409: {"description": "Email already registered (code `email_taken`)"}})
async def register(data: RegisterRequest, conn: ConnDep) -> CustomerPublic:
    return await service.register(conn, data=data)


@router.post("/login", dependencies=[Public, AuthRateLimit],
             responses={401: {"description": "Wrong email or password (code `invalid_credentials`)"},
                        429: {"description": "Too many failures for this account from this network "
                                             "(code `login_throttled`, with Retry-After)"}})
async def login(data: LoginRequest, conn: ConnDep, issuer: IssuerDep, throttle: ThrottleDep, ip: ClientIp
                ) -> TokenResponse:
    return await service.login(conn, data=data, issuer=issuer, throttle=throttle, client_ip=ip)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT,
             summary="End this session: its token stops working at once")
async def logout(principal: CustomerUser, conn: ConnDep) -> None:
    await service.logout(conn, principal=principal)


@router.get("/me")
async def me(principal: CustomerUser, conn: ConnDep) -> CustomerPublic:
    return await service.me(conn, principal=principal)


@router.post("/session", dependencies=[Public, AuthRateLimit],
             summary="Sign a browser in: an HttpOnly session cookie, and a CSRF cookie to echo in X-CSRF-Token",
             responses={401: {"description": "Wrong email or password (code `invalid_credentials`)"}})
async def start_session(
    data: LoginRequest, request: Request, response: Response, conn: ConnDep, issuer: IssuerDep, throttle: ThrottleDep,
    ip: ClientIp, limits: OrderLimitsDep,
) -> CustomerPublic:
    token = await service.login(conn, data=data, issuer=issuer, throttle=throttle, client_ip=ip)
    principal = await service.authenticate(conn, token=token.access_token, issuer=issuer)
    guest = guest_cart_key(request)
    if guest is not None:  # what the visitor put in the cart before signing in is kept
        await carts.merge_guest_cart(conn, guest_key=guest, customer_id=principal.customer_id, limits=limits)
        response.delete_cookie(GUEST_CART_COOKIE, path="/")
    # Secure whenever the browser talks HTTPS (behind the TLS proxy too, via forwarded headers).
    secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, token.access_token, max_age=token.expires_in, httponly=True,
                        secure=secure, samesite="lax", path="/")
    # Readable by the page's script on purpose: it is the double-submit value, not a credential.
    response.set_cookie(CSRF_COOKIE, issuer.csrf_token(principal.session_id), max_age=token.expires_in, httponly=False,
                        secure=secure, samesite="lax", path="/")
    return await service.me(conn, principal=principal)


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Public],
               summary="Sign a browser out: ends the session and clears its cookies")
async def end_session(principal: MaybeUser, response: Response, conn: ConnDep) -> None:
    if principal is not None:
        await service.logout(conn, principal=principal)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
