"""Reorder proposals for ops: list, approve, reject, receive."""

from __future__ import annotations

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
    decided = await service.decide(conn, proposal_id=proposal_id, approve=True, by=principal.email,
                                   reason=data.reason if data else None, quantity=data.quantity if data else None)
    await earned.evaluate_autonomy(conn, config.reorder_policy)
    return decided


@router.post("/{proposal_id}/reject", responses={409: {"description": "Not pending (`proposal_not_pending`)"}})
async def reject(proposal_id: int, data: DecisionNote, principal: OpsUser, conn: ConnDep,
                 config: ApiConfigDep) -> ProposalPublic:
    decided = await service.decide(conn, proposal_id=proposal_id, approve=False, by=principal.email,
                                   reason=data.reason)
    await earned.evaluate_autonomy(conn, config.reorder_policy)
    return decided


@router.post("/{proposal_id}/receive", summary="The supplier delivered: add the units to stock",
             responses={409: {"description": "Not approved (`proposal_not_pending`)"}})
async def receive(proposal_id: int, principal: OpsUser, conn: ConnDep) -> ProposalPublic:
    return await service.receive(conn, proposal_id=proposal_id, by=principal.email, actor_id=principal.customer_id)
