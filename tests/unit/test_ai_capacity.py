"""The AI bulkhead: chats are admitted or refused at once; background runs wait their turn in order."""

from __future__ import annotations

import asyncio

import pytest

from agent.capacity import AiCapacity


async def test_a_full_house_refuses_at_once_and_a_released_slot_is_reused() -> None:
    capacity = AiCapacity(2)
    first, second = capacity.try_admit(), capacity.try_admit()
    assert first is not None and second is not None
    assert capacity.try_admit() is None
    first.release()
    first.release()  # releasing twice frees one slot, not two
    assert capacity.in_flight == 1
    third = capacity.try_admit()
    assert third is not None
    assert capacity.try_admit() is None


async def test_waiting_runs_are_served_in_order_and_chats_do_not_jump_the_queue() -> None:
    capacity = AiCapacity(1)
    holder = capacity.try_admit()
    assert holder is not None
    served: list[str] = []

    async def background(name: str) -> None:
        async with await capacity.admit():
            served.append(name)
            await asyncio.sleep(0)

    waiting = [asyncio.create_task(background(n)) for n in ("a", "b")]
    await asyncio.sleep(0)
    holder.release()
    assert capacity.try_admit() is None, "a chat does not take the slot a waiting run was promised"
    await asyncio.gather(*waiting)
    assert served == ["a", "b"]
    assert capacity.in_flight == 0


async def test_a_cancelled_waiter_passes_its_wake_up_on() -> None:
    capacity = AiCapacity(1)
    holder = capacity.try_admit()
    assert holder is not None
    first = asyncio.create_task(capacity.admit())
    second = asyncio.create_task(capacity.admit())
    await asyncio.sleep(0)
    holder.release()  # wakes `first`...
    first.cancel()  # ...which is cancelled before it runs: `second` must get the slot
    admitted = await asyncio.wait_for(second, timeout=5)
    assert capacity.in_flight == 1
    admitted.release()
    with pytest.raises(asyncio.CancelledError):
        await first


def test_capacity_must_admit_something() -> None:
    with pytest.raises(ValueError, match="at least one"):
        AiCapacity(0)
