"""Alertmanager's webhook, the alert history, and the low-stock drill with the job it queues."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, status
from pydantic import ValidationError

from alerts import drill, intake
from alerts import repo as alerts_repo
from alerts.models import AgentJob, AlertList, AlertRecord, AmPayload, DrillReceipt, IntakeReceipt
from api.deps import ConnDep, MachineToken, OpsUser
from common.errors import BadRequest

router = APIRouter(tags=["alerts"])


class MalformedAlertPayload(BadRequest):
    code = "malformed_alert_payload"
    title = "Not an Alertmanager webhook payload (version 4)"


@router.post("/alerts/alertmanager", status_code=status.HTTP_202_ACCEPTED, dependencies=[MachineToken],
             summary="Alertmanager webhook (version 4), with `Authorization: Bearer <token>`",
             responses={400: {"description": "Malformed payload"}, 401: {"description": "Wrong or missing token"}},
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "schema": AmPayload.model_json_schema(ref_template="#/components/schemas/{model}")}}}})
async def alertmanager_webhook(
    request: Request, conn: ConnDep, authorization: Annotated[str | None, Header()] = None
) -> IntakeReceipt:
    scheme, _, token = (authorization or "").partition(" ")
    intake.check_token(token if scheme.lower() == "bearer" else None, request.app.state.alert_token)
    try:
        payload = AmPayload.model_validate_json(await request.body())
    except ValidationError as exc:
        raise MalformedAlertPayload(f"{exc.error_count()} problem(s): {exc.errors()[0]['msg']}") from exc
    return await intake.receive(conn, payload)


@router.get("/ops/alerts", summary="Alert history, newest first")
async def list_alerts(
    _: OpsUser, conn: ConnDep, status: Literal["firing", "resolved"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AlertList:
    rows = await alerts_repo.list_alerts(conn, status=status, limit=limit)
    return AlertList(items=[AlertRecord.model_validate(r) for r in rows])


@router.post("/ops/drills/low-stock", status_code=status.HTTP_202_ACCEPTED,
             summary="Run the low-stock drill: a synthetic alert that queues a stock-agent run (trigger `drill`)")
async def low_stock_drill(principal: OpsUser, conn: ConnDep) -> DrillReceipt:
    return await drill.start_low_stock_drill(conn, requested_by=principal.email)


@router.get("/ops/jobs/{job_id}",
            summary="A queued job (such as the drill's stock-agent run): its status and, once done, its decision",
            responses={404: {"description": "No such job (`job_not_found`)"}})
async def get_job(job_id: int, _: OpsUser, conn: ConnDep) -> AgentJob:
    return await drill.get_job(conn, job_id=job_id)
