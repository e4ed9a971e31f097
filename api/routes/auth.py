"""Accounts: register, log in, log out, who am I."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import AuthRateLimit, ConnDep, CustomerUser, IssuerDep, Public
from commerce.customers import service
from commerce.customers.models import CustomerPublic, LoginRequest, RegisterRequest, TokenResponse

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED, dependencies=[Public, AuthRateLimit],
             responses={409: {"description": "Email already registered (code `email_taken`)"}})
async def register(data: RegisterRequest, conn: ConnDep) -> CustomerPublic:
    return await service.register(conn, data=data)


@router.post("/login", dependencies=[Public, AuthRateLimit],
             responses={401: {"description": "Wrong email or password (code `invalid_credentials`)"}})
async def login(data: LoginRequest, conn: ConnDep, issuer: IssuerDep) -> TokenResponse:
    return await service.login(conn, data=data, issuer=issuer)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT,
             summary="End this session: its token stops working at once")
async def logout(principal: CustomerUser, conn: ConnDep) -> None:
    await service.logout(conn, principal=principal)


@router.get("/me")
async def me(principal: CustomerUser, conn: ConnDep) -> CustomerPublic:
    return await service.me(conn, principal=principal)
