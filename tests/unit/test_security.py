"""Tokens and password hashes without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from commerce.customers.security import TokenIssuer, hash_password, verify_password
from commerce.errors import InvalidToken

ISSUER = TokenIssuer(secret="s" * 40, ttl=timedelta(minutes=5))


def test_token_round_trip() -> None:
    sid = uuid.uuid4()
    token, expires = ISSUER.issue(customer_id=7, session_id=sid)
    claims = ISSUER.verify(token)
    assert (claims.customer_id, claims.session_id) == (7, sid)
    assert claims.expires_at == expires.replace(microsecond=0)


def test_expired_token() -> None:
    token, _ = ISSUER.issue(customer_id=7, session_id=uuid.uuid4(), now=datetime.now(UTC) - timedelta(hours=1))
    with pytest.raises(InvalidToken):
        ISSUER.verify(token)


def test_other_secret_other_issuer_and_hs512_are_refused() -> None:
    sid = uuid.uuid4()
    forged, _ = TokenIssuer(secret="t" * 40, ttl=timedelta(minutes=5)).issue(customer_id=7, session_id=sid)
    foreign, _ = TokenIssuer(secret="s" * 40, ttl=timedelta(minutes=5), issuer="someone-else").issue(
        customer_id=7, session_id=sid)
    now = int(datetime.now(UTC).timestamp())
    hs512 = jwt.encode({"sub": "7", "sid": str(sid), "iss": "seiko-store", "iat": now, "exp": now + 60},
                       "s" * 64, algorithm="HS512")
    unsigned = jwt.encode({"sub": "7", "sid": str(sid), "iss": "seiko-store", "iat": now, "exp": now + 60},
                          None, algorithm="none")
    for token in (forged, foreign, hs512, unsigned):
        with pytest.raises(InvalidToken):
            ISSUER.verify(token)


def test_missing_claims_are_refused() -> None:
    now = int(datetime.now(UTC).timestamp())
    token = jwt.encode({"sub": "7", "iss": "seiko-store", "iat": now, "exp": now + 60}, "s" * 40, algorithm="HS256")
    with pytest.raises(InvalidToken):
        ISSUER.verify(token)


def test_password_hashes() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2")
    assert verify_password("correct horse battery", hashed)
    assert not verify_password("wrong horse battery", hashed)
    assert not verify_password("anything", None)
    assert not verify_password("anything", "!seeded-no-login")
