"""The shopper assistant: one JSON answer, or Server-Sent Events with `Accept: text/event-stream`."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent import metrics
from agent.chat_service import ChatReply, chat_turn
from api.deps import ConnDep, EmbedderDep, MaybeUser, Public, chat_rate_limit

router = APIRouter(tags=["chat"], dependencies=[Public, Depends(chat_rate_limit)])
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

    started = time.perf_counter()
    reply = await chat_turn(conn, loop, embedder, message=data.message, session_id=data.session_id,
                            customer_id=customer_id, customer_name=name)

    async def events() -> AsyncIterator[str]:
        # The answer is grounded (prices, stock, references checked) before any of it is sent.
        words = re.split(r"(\s+)", reply.answer)
        first = True
        for start in range(0, len(words), 12):
            yield _event("delta", {"text": "".join(words[start:start + 12])})
            if first:
                metrics.CHAT_FIRST_TOKEN.observe(time.perf_counter() - started)
                first = False
        yield _event("products", [p.model_dump() for p in reply.products])
        yield _event("done", {"provider": reply.provider, "model": reply.model, "usage": reply.usage,
                              "decision_id": str(reply.decision_id), "session_id": str(reply.session_id),
                              "corrections": reply.corrections})

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


