"""What the agents need at run time, built once by the composition root (app/agents.py)."""

from __future__ import annotations

from dataclasses import dataclass

from agent.capacity import AiCapacity
from agent.loop import AgentLoop
from commerce.replenishment.models import ReorderPolicy
from db.pool import Pool


@dataclass(frozen=True)
class AgentServices:
    """`pool` is the AI share of the database: agents borrow from it for short writes and reads, and
    never from the store's pool, so a crowd of slow conversations cannot starve the catalog."""

    pool: Pool
    stock: AgentLoop
    shopper: AgentLoop
    capacity: AiCapacity
    policy: ReorderPolicy
