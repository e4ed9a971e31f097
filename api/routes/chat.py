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
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent import metrics
from agent.capacity import Admission
from agent.chat_service import ChatReply, chat_turn
from agent.services import AgentServices
from api.deps import ApiConfigDep, ChatUser, EmbedderDep, Public, chat_rate_limit
from common.errors import Unavailable

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


class AssistantBusy(Unavailable):
    code = "assistant_busy"
    title = "The assistant is busy"


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n"


def _admit(agents: AgentServices, retry_after_s: int) -> Admission:
    """A slot in the AI bulkhead now, or a prompt 503: a full house never makes a shopper wait unboundedly."""
    admission = agents.capacity.try_admit()
    if admission is None:
        raise AssistantBusy("Too many conversations at once; ask again in a few seconds",
                            retry_after_s=retry_after_s)
    return admission


@router.post("/chat", summary="Ask the shopper assistant", response_model=ChatReply,
             responses={200: {"content": {"text/event-stream": {}}},
                        503: {"description": "The assistant is at capacity; retry after `Retry-After` seconds"}})
async def chat(data: ChatRequest, request: Request, embedder: EmbedderDep, user: ChatUser,
               config: ApiConfigDep) -> ChatReply | StreamingResponse:
    # No store connection is taken here: the turn borrows from the AI pool per short step, and holds
    # nothing while the model writes (see agent/chat_service.py).
    agents: AgentServices = request.app.state.agents
    customer_id = user.customer_id if user else None
    name = user.email.split("@")[0] if user else None
    admission = _admit(agents, config.ai_retry_after_s)
    if "text/event-stream" not in request.headers.get("accept", ""):
        async with admission:
            try:
                return await chat_turn(agents.shopper, agents.pool, embedder, message=data.message,
                                       session_id=data.session_id, customer_id=customer_id, customer_name=name)
            except PoolTimeout as exc:
                raise AssistantBusy("The assistant's share of the database is busy; ask again shortly",
                                    retry_after_s=config.ai_retry_after_s) from exc

    stream: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    async def emit(kind: str, text: str) -> None:
        await stream.put((kind, text))

    async def turn() -> None:
        # The turn runs to the end (decision and conversation recorded) even when the shopper closes
        # the stream early; it owns its admission and gives it back when done.
        async with admission:
            try:
                reply = await chat_turn(agents.shopper, agents.pool, embedder, message=data.message,
                                        session_id=data.session_id, customer_id=customer_id, customer_name=name,
                                        emit=emit)
                await stream.put(("reply", reply))
            except Exception:
                _log.exception("chat_stream_failed")
                await stream.put(("failed", None))

    task = asyncio.create_task(turn())
    _TURNS.add(task)
    task.add_done_callback(_TURNS.discard)
    started = time.perf_counter()
    heartbeat = config.sse_heartbeat_s

    async def events() -> AsyncIterator[str]:
        # Grounded sentences leave as soon as the model has written them (see agent/grounding.py).
        # While a slow model thinks, a comment line every `heartbeat` seconds keeps proxies and
        # browsers from timing the stream out.
        first = True
        while True:
            try:
                kind, value = await asyncio.wait_for(stream.get(), timeout=heartbeat)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
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
