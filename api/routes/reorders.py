"""Reorder proposals for ops: list, approve, reject, receive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ApiConfigDep, ConnDep, OpsUser
from commerce.replenishment import earned, service
from commerce.replenishment.models import (
    ApprovalNote,
    AutonomyState,
    DecisionNote,
    ProposalList,
    ProposalPublic,
    ProposalStatus,
)
from db.pool import Conn
from decision_log import service as decisions
from telemetry import spans

router = APIRouter(prefix="/ops/reorders", tags=["ops"])


@router.get("", summary="Reorder proposals, newest first")
async def list_reorders(
    _: OpsUser, conn: ConnDep, status: ProposalStatus | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> ProposalList:
    return ProposalList(items=await service.list_proposals(conn, status=status, limit=limit))


@router.get("/autonomy", summary="Earned autonomy per demand class: on or off, why, and the evidence")
async def autonomy(_: OpsUser, conn: ConnDep) -> list[AutonomyState]:
    return [AutonomyState.model_validate(row) for row in await service.autonomy(conn)]


@router.get("/{proposal_id}")
async def get_reorder(proposal_id: int, _: OpsUser, conn: ConnDep) -> ProposalPublic:
    return await service.get(conn, proposal_id=proposal_id)


@router.post("/{proposal_id}/approve", summary="Approve: the proposal becomes a purchase order (on order)",
             responses={409: {"description": "Not pending (`proposal_not_pending`)"},
                        422: {"description": "A changed quantity breaks the pack size or minimum "
                                             "(`reorder_quantity_not_allowed`)"}})
async def approve(proposal_id: int, principal: OpsUser, conn: ConnDep, config: ApiConfigDep,
                  data: ApprovalNote | None = None) -> ProposalPublic:
    """Approve as proposed, or with `quantity` changed (the agent's own stays as `proposed_quantity`)."""
    async with _decision_span(conn, proposal_id, "approve"):
        decided = await service.decide(conn, proposal_id=proposal_id, approve=True, by=principal.email,
                                       reason=data.reason if data else None,
                                       quantity=data.quantity if data else None)
    await earned.evaluate_autonomy(conn, config.reorder_policy)
    return decided


@router.post("/{proposal_id}/reject", responses={409: {"description": "Not pending (`proposal_not_pending`)"}})
async def reject(proposal_id: int, data: DecisionNote, principal: OpsUser, conn: ConnDep,
                 config: ApiConfigDep) -> ProposalPublic:
    async with _decision_span(conn, proposal_id, "reject"):
        decided = await service.decide(conn, proposal_id=proposal_id, approve=False, by=principal.email,
                                       reason=data.reason)
    await earned.evaluate_autonomy(conn, config.reorder_policy)
    return decided


@asynccontextmanager
async def _decision_span(conn: Conn, proposal_id: int, verb: str) -> AsyncIterator[None]:
    """A person's decision on a proposal is a span of its own request's trace, linked to the agent run
    that proposed it (a trace of its own, begun by an alert). Untraced requests skip the lookups."""
    if not spans.tracing():
        yield
        return
    proposal = await service.get(conn, proposal_id=proposal_id)
    proposed_by = await decisions.trace_of(conn, decision_id=proposal.decision_id)
    attributes: dict[str, str | int] = {"seiko.reorder.id": proposal_id, "seiko.reorder.reference": proposal.reference}
    if proposal.decision_id is not None:
        attributes["seiko.decision_id"] = str(proposal.decision_id)
    with spans.linked_span(f"{verb} reorder", proposed_by, attributes):
        yield


@router.post("/{proposal_id}/receive", summary="The supplier delivered: add the units to stock",
             responses={409: {"description": "Not approved (`proposal_not_pending`)"}})
async def receive(proposal_id: int, principal: OpsUser, conn: ConnDep) -> ProposalPublic:
    return await service.receive(conn, proposal_id=proposal_id, by=principal.email, actor_id=principal.customer_id)
