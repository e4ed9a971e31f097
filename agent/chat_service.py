"""One chat turn: session, history, the assistant's answer, grounding, storage, metrics."""

from __future__ import annotations

import time
import uuid
from typing import Any

from pydantic import BaseModel

from agent import chat_store, metrics
from agent.grounding import Emit
from agent.loop import AgentLoop
from agent.shopper import answer
from db.pool import Pool
from rag.embedder import Embedder
from tools.shopper import ShopperContext


class CitedWatch(BaseModel):
    reference: str
    name: str
    price: str
    stock_available: int
    image_url: str


class ChatReply(BaseModel):
    answer: str
    products: list[CitedWatch]
    provider: str | None
    model: str | None
    decision_id: uuid.UUID
    session_id: uuid.UUID
    usage: dict[str, Any]
    corrections: list[str]


async def chat_turn(
    loop: AgentLoop, pool: Pool, embedder: Embedder | None, *, message: str, session_id: uuid.UUID | None,
    customer_id: int | None, customer_name: str | None, emit: Emit | None = None,
) -> ChatReply:
    """One turn of a conversation; with `emit`, the grounded answer is streamed while it is written.
    Connections come from `pool` for each short step and go back before the model is called."""
    started = time.perf_counter()
    async with pool.connection() as conn:
        session = await chat_store.ensure_session(conn, session_id=session_id, customer_id=customer_id)
        past = await chat_store.history(conn, session_id=session)
    context = ShopperContext(pool=pool, embedder=embedder, customer_id=customer_id)
    result = await answer(loop, pool, context=context, question=message, history=past, session_id=session,
                          customer_name=customer_name, emit=emit)
    async with pool.connection() as conn, conn.transaction():
        await chat_store.append(conn, session_id=session, role="user", content=message)
        await chat_store.append(conn, session_id=session, role="assistant", content=result.grounded.text,
                                decision_id=result.run.decision_id)
    metrics.CHAT_REQUESTS.labels(result.run.provider or "none").inc()
    metrics.CHAT_DURATION.observe(time.perf_counter() - started)
    usage = result.run.usage
    return ChatReply(
        answer=result.grounded.text,
        products=[CitedWatch(**c, image_url=f"/api/v1/watches/{c['reference']}/image.svg")
                  for c in result.grounded.cited],
        provider=result.run.provider, model=result.run.model, decision_id=result.run.decision_id,
        session_id=session, corrections=result.grounded.corrections,
        usage={"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
               "cache_write_tokens": usage.cache_write_tokens, "cache_read_tokens": usage.cache_read_tokens,
               "cost_usd": str(result.run.cost_usd) if result.run.cost_usd is not None else None},
    )
