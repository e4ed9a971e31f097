"""Password hashing (argon2) and signed access tokens (JWT, HS256 only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError

from commerce.errors import InvalidToken

_hasher = PasswordHash.recommended()
# Verifying against this when the email is unknown keeps login timing the same for both cases.
_DUMMY_HASH = _hasher.hash("not-a-real-password-but-a-timing-shield")

ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        return _hasher.verify(password, password_hash or _DUMMY_HASH) and password_hash is not None
    except UnknownHashError:  # an account that cannot log in (e.g. seeded history buyers)
        _hasher.verify(password, _DUMMY_HASH)
        return False


@dataclass(frozen=True)
class TokenClaims:
    customer_id: int
    session_id: uuid.UUID
    expires_at: datetime


@dataclass(frozen=True)
class TokenIssuer:
    secret: str
    ttl: timedelta
    issuer: str = "seiko-store"

    def issue(self, *, customer_id: int, session_id: uuid.UUID, now: datetime | None = None) -> tuple[str, datetime]:
        issued = now or datetime.now(UTC)
        expires = issued + self.ttl
        payload = {
            "sub": str(customer_id),
            "sid": str(session_id),
            "iss": self.issuer,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
        }
        return jwt.encode(payload, self.secret, algorithm=ALGORITHM), expires

    def csrf_token(self, session_id: uuid.UUID) -> str:
        """The CSRF value of one session: an HMAC of its id, so it cannot be planted or reused across
        sessions (a cookie set by another subdomain, or an old session's value, does not match)."""
        mac = hmac.new(self.secret.encode(), b"csrf:" + session_id.bytes, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def verify(self, token: str) -> TokenClaims:
        try:
            # A fixed algorithm list refuses `alg: none` and algorithm-confusion tokens.
            payload: dict[str, Any] = jwt.decode(
                token, self.secret, algorithms=[ALGORITHM], issuer=self.issuer,
                options={"require": ["sub", "sid", "exp", "iat", "iss"]},
            )
            return TokenClaims(
                customer_id=int(payload["sub"]),
                session_id=uuid.UUID(payload["sid"]),
                expires_at=datetime.fromtimestamp(payload["exp"], UTC),
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidToken("The access token is invalid or has expired") from exc
