"""Accounts: register, log in, log out, resolve a token to a caller, bootstrap the admin."""

from __future__ import annotations

import uuid

import psycopg.errors

from commerce.customers import repo
from commerce.customers.models import (
    CustomerPublic,
    LoginRequest,
    Principal,
    RegisterRequest,
    Role,
    TokenResponse,
    normalise_email,
)
from commerce.customers.security import TokenIssuer, hash_password, verify_password
from commerce.customers.throttle import LoginThrottle
from commerce.errors import CustomerNotFound, EmailTaken, InvalidCredentials, InvalidToken, LoginThrottled
from db.pool import Conn


async def register(conn: Conn, *, data: RegisterRequest) -> CustomerPublic:
    try:
        async with conn.transaction():
            row = await repo.insert(
                conn, email=str(data.email), name=data.name,
                password_hash=hash_password(data.password), role=Role.customer.value,
            )
    except psycopg.errors.UniqueViolation as exc:
        raise EmailTaken("An account with this email already exists") from exc
    return CustomerPublic.model_validate(row)


async def login(conn: Conn, *, data: LoginRequest, issuer: TokenIssuer, throttle: LoginThrottle | None = None,
                client_ip: str = "unknown") -> TokenResponse:
    """A new session for the right email and password. With a throttle, an account that keeps failing
    from the caller's network is refused for a while before the password is even looked at."""
    account = data.email.strip().lower()
    wait = throttle.retry_after(account, client_ip) if throttle else None
    if wait is not None:
        raise LoginThrottled(f"Too many failed sign-ins for this account from your network; try again in {wait} s",
                             retry_after=wait)
    row = await repo.get_by_email(conn, email=data.email)
    ok = verify_password(data.password, row["password_hash"] if row else None)
    if row is None or not ok or not row["is_active"]:
        if throttle:
            throttle.failed(account, client_ip)
        raise InvalidCredentials("Email or password is wrong")
    if throttle:
        throttle.succeeded(account, client_ip)
    session_id = uuid.uuid4()
    token, expires = issuer.issue(customer_id=row["id"], session_id=session_id)
    async with conn.transaction():
        await repo.create_session(conn, session_id=session_id, customer_id=row["id"], expires_at=expires)
    return TokenResponse(access_token=token, expires_in=int(issuer.ttl.total_seconds()))


async def logout(conn: Conn, *, principal: Principal) -> None:
    async with conn.transaction():
        await repo.revoke_session(conn, session_id=principal.session_id)


async def authenticate(conn: Conn, *, token: str, issuer: TokenIssuer) -> Principal:
    claims = issuer.verify(token)
    row = await repo.get_active_principal(conn, session_id=claims.session_id, customer_id=claims.customer_id)
    if row is None:
        raise InvalidToken("The session has ended; log in again")
    return Principal(customer_id=row["id"], email=row["email"], role=Role(row["role"]), session_id=claims.session_id)


async def me(conn: Conn, *, principal: Principal) -> CustomerPublic:
    row = await repo.get(conn, customer_id=principal.customer_id)
    if row is None:
        raise CustomerNotFound("Account not found")
    return CustomerPublic.model_validate(row)


async def set_role(conn: Conn, *, customer_id: int, role: Role) -> CustomerPublic:
    async with conn.transaction():
        row = await repo.set_role(conn, customer_id=customer_id, role=role.value)
    if row is None:
        raise CustomerNotFound(f"No customer {customer_id}")
    return CustomerPublic.model_validate(row)


async def ensure_user(conn: Conn, *, email: str, password: str, name: str, role: Role) -> None:
    """Create the account if absent; an existing one keeps its password but gets the role."""
    email = str(normalise_email(email))
    existing = await repo.get_by_email(conn, email=email)
    async with conn.transaction():
        if existing is None:
            await repo.insert(conn, email=email, name=name, password_hash=hash_password(password), role=role.value)
        elif existing["role"] != role.value:
            await repo.set_role(conn, customer_id=existing["id"], role=role.value)
