"""SQL for customers and their login sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from db.pool import Conn

_COLUMNS = "id, email, name, role, created_at"


async def insert(conn: Conn, *, email: str, name: str, password_hash: str, role: str) -> dict[str, Any]:
    cur = await conn.execute(
        f"""INSERT INTO customers (email, name, password_hash, role)
            VALUES (%(e)s, %(n)s, %(p)s, %(r)s) RETURNING {_COLUMNS}""",  # noqa: S608 - constant columns
        {"e": email, "n": name, "p": password_hash, "r": role},
    )
    row = await cur.fetchone()
    assert row is not None
    return row


async def get_by_email(conn: Conn, *, email: str) -> dict[str, Any] | None:
    cur = await conn.execute(
        f"SELECT {_COLUMNS}, password_hash, is_active FROM customers WHERE lower(email) = lower(%(e)s)",  # noqa: S608
        {"e": email},
    )
    return await cur.fetchone()


async def get(conn: Conn, *, customer_id: int) -> dict[str, Any] | None:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM customers WHERE id = %(id)s", {"id": customer_id})  # noqa: S608
    return await cur.fetchone()


async def set_role(conn: Conn, *, customer_id: int, role: str) -> dict[str, Any] | None:
    cur = await conn.execute(
        f"UPDATE customers SET role = %(r)s WHERE id = %(id)s RETURNING {_COLUMNS}",  # noqa: S608
        {"id": customer_id, "r": role},
    )
    return await cur.fetchone()


async def create_session(conn: Conn, *, session_id: UUID, customer_id: int, expires_at: datetime) -> None:
    await conn.execute(
        "INSERT INTO auth_sessions (id, customer_id, expires_at) VALUES (%(s)s, %(c)s, %(x)s)",
        {"s": session_id, "c": customer_id, "x": expires_at},
    )


async def revoke_session(conn: Conn, *, session_id: UUID) -> None:
    await conn.execute(
        "UPDATE auth_sessions SET revoked_at = now() WHERE id = %(s)s AND revoked_at IS NULL",
        {"s": session_id},
    )


async def get_active_principal(conn: Conn, *, session_id: UUID, customer_id: int) -> dict[str, Any] | None:
    """The session's customer, when the session is live and the account active."""
    cur = await conn.execute(
        """SELECT c.id, c.email, c.role FROM auth_sessions s JOIN customers c ON c.id = s.customer_id
           WHERE s.id = %(s)s AND s.customer_id = %(c)s AND s.revoked_at IS NULL
             AND s.expires_at > now() AND c.is_active""",
        {"s": session_id, "c": customer_id},
    )
    return await cur.fetchone()
