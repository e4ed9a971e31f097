"""The shopper assistant: one JSON answer, or Server-Sent Events with `Accept: text/event-stream`."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent import metrics
from agent.chat_service import ChatReply, chat_turn
from api.deps import ConnDep, EmbedderDep, MaybeUser, Public, chat_rate_limit
from db.pool import Pool

router = APIRouter(tags=["chat"], dependencies=[Public, Depends(chat_rate_limit)])
_log = structlog.get_logger(component="api.chat")
# Streaming turns run as tasks; holding them here keeps them from being garbage-collected mid-run.
_TURNS: set[asyncio.Task[None]] = set()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "message": "I need a tough dive watch that doesn't need a battery, under $600"}})

    message: str = Field(min_length=1, max_length=2000)
    session_id: uuid.UUID | None = None

    @field_validator("message")
    @classmethod
    def _text_only(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the message is empty")
        if _CONTROL.search(value):
            raise ValueError("the message contains control characters (binary data is not a question)")
        return value.strip()


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n"


@router.post("/chat", summary="Ask the shopper assistant", response_model=ChatReply,
             responses={200: {"content": {"text/event-stream": {}}}})
async def chat(data: ChatRequest, request: Request, conn: ConnDep, embedder: EmbedderDep, user: MaybeUser
               ) -> ChatReply | StreamingResponse:
    loop = request.app.state.shopper_loop
    customer_id = user.customer_id if user else None
    name = user.email.split("@")[0] if user else None
    if "text/event-stream" not in request.headers.get("accept", ""):
        return await chat_turn(conn, loop, embedder, message=data.message, session_id=data.session_id,
                               customer_id=customer_id, customer_name=name)

    pool: Pool = request.app.state.pool
    stream: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    async def emit(kind: str, text: str) -> None:
        await stream.put((kind, text))

    async def turn() -> None:
        # Its own connection: the turn outlives this handler's dependencies, and it runs to the end
        # (decision and conversation recorded) even when the shopper closes the stream early.
        try:
            async with pool.connection() as own:
                reply = await chat_turn(own, loop, embedder, message=data.message, session_id=data.session_id,
                                        customer_id=customer_id, customer_name=name, emit=emit)
            await stream.put(("reply", reply))
        except Exception:
            _log.exception("chat_stream_failed")
            await stream.put(("failed", None))

    task = asyncio.create_task(turn())
    _TURNS.add(task)
    task.add_done_callback(_TURNS.discard)
    started = time.perf_counter()

    async def events() -> AsyncIterator[str]:
        # Grounded sentences leave as soon as the model has written them (see agent/grounding.py).
        first = True
        while True:
            kind, value = await stream.get()
            if kind == "text":
                yield _event("delta", {"text": value})
                if first:
                    metrics.CHAT_FIRST_TOKEN.observe(time.perf_counter() - started)
                    first = False
            elif kind == "reset":
                yield _event("reset", {})
            elif kind == "failed":
                yield _event("error", {"detail": "The assistant could not answer; please try again"})
                return
            else:
                reply: ChatReply = value
                yield _event("products", [p.model_dump() for p in reply.products])
                yield _event("done", {"provider": reply.provider, "model": reply.model, "usage": reply.usage,
                                      "decision_id": str(reply.decision_id), "session_id": str(reply.session_id),
                                      "corrections": reply.corrections, "answer": reply.answer})
                return

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


