"""SQL for chat sessions and their messages."""

from __future__ import annotations

import uuid

from db.pool import Conn


async def ensure_session(conn: Conn, *, session_id: uuid.UUID | None, customer_id: int | None) -> uuid.UUID:
    """The caller's session: a new one, or an existing one that belongs to this caller (a session
    id of someone else's starts a fresh session rather than reading their conversation)."""
    if session_id is not None:
        cur = await conn.execute(
            "UPDATE chat_sessions SET last_at = now() WHERE id = %(id)s AND customer_id IS NOT DISTINCT FROM %(c)s "
            "RETURNING id", {"id": session_id, "c": customer_id})
        if await cur.fetchone():
            return session_id
    new_id = uuid.uuid4()
    await conn.execute("INSERT INTO chat_sessions (id, customer_id) VALUES (%(id)s, %(c)s)",
                       {"id": new_id, "c": customer_id})
    return new_id


async def history(conn: Conn, *, session_id: uuid.UUID, turns: int = 6) -> list[tuple[str, str]]:
    cur = await conn.execute(
        "SELECT role, content FROM (SELECT id, role, content FROM chat_messages WHERE session_id = %(s)s "
        "ORDER BY id DESC LIMIT %(n)s) t ORDER BY id", {"s": session_id, "n": turns})
    return [(r["role"], r["content"]) for r in await cur.fetchall()]


async def append(conn: Conn, *, session_id: uuid.UUID, role: str, content: str,
                 decision_id: uuid.UUID | None = None) -> None:
    await conn.execute(
        "INSERT INTO chat_messages (session_id, role, content, decision_id) VALUES (%(s)s, %(r)s, %(c)s, %(d)s)",
        {"s": session_id, "r": role, "c": content, "d": decision_id})
