"""The stock agent as a queued job: the one place the queue calls into the agent."""

from __future__ import annotations

from typing import Any

from agent.loop import AgentLoop, RunResult
from agent.stock_agent import run_stock_agent
from commerce.replenishment.models import ReorderPolicy
from db.pool import Pool
from jobs.kinds import StockAgentRun
from tools.stock import STOCK_TOOLS


async def run_stock_agent_job(pool: Pool, loop: AgentLoop, policy: ReorderPolicy, run: StockAgentRun) -> RunResult:
    # run_stock_agent still takes a connection and keeps it for the whole run, model calls included;
    # when it borrows one per short write instead (issue 14's recorder), this call stops passing one.
    async with pool.connection() as conn:
        return await run_stock_agent(conn, loop, trigger=run.trigger, policy=policy, alert=run.alert)


def stock_loop(gateway: Any, tracer: Any) -> AgentLoop:
    return AgentLoop(gateway, STOCK_TOOLS, tracer=tracer)
