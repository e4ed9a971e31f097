"""The one place both agent loops are built: their gateway, tools, recorder, the AI pool and the
AI bulkhead. The API (chat) and the worker (stock runs) receive the same AgentServices."""

from __future__ import annotations

from agent.capacity import AiCapacity
from agent.gateway import Gateway
from agent.loop import AgentLoop
from agent.services import AgentServices
from agent.tracing import Tracer
from app.settings import Settings
from db.pool import open_pool
from decision_log.recorder import DecisionRecorder
from tools.shopper import SHOPPER_TOOLS
from tools.stock import STOCK_TOOLS


async def open_agents(settings: Settings, url: str, *, gateway: Gateway, tracer: Tracer) -> AgentServices:
    """Opens the AI pool (close it with `close_agents`). It is small on purpose: agents only borrow
    it for short writes and reads, never across a model call, so a few connections serve hundreds of
    conversations, and the store's own pool is never touched by AI work."""
    pool = await open_pool(url, min_size=1, max_size=settings.ai_db_pool_max, wait_s=settings.ai_db_wait_s,
                           name="seiko-ai")
    recorder = DecisionRecorder(pool)
    return AgentServices(
        pool=pool,
        stock=AgentLoop(gateway, STOCK_TOOLS, recorder, tracer=tracer),
        shopper=AgentLoop(gateway, SHOPPER_TOOLS, recorder, tracer=tracer),
        capacity=AiCapacity(settings.ai_max_in_flight),
        policy=settings.reorder_policy,
    )


async def close_agents(agents: AgentServices) -> None:
    await agents.pool.close()
