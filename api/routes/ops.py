"""The ops API for AI operations: the decision log and what the models cost."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.deps import AdminUser, ConnDep, OpsUser
from common.errors import NotFound
from decision_log import service
from decision_log.models import CostReport, DecisionDetail, DecisionPage
from evals.ab import repo as eval_repo
from prompts.models import PromptSummary, PromptVersion
from prompts.registry import PromptRegistry

router = APIRouter(prefix="/ops", tags=["ops"])


class EvalRunNotFound(NotFound):
    code = "eval_run_not_found"
    title = "Eval run not found"


@router.get("/decisions", summary="Agent runs, newest first, filterable")
async def list_decisions(
    _: OpsUser, conn: ConnDep,
    agent: Literal["stock", "shopper", "eval"] | None = None,
    provider: Literal["claude", "ollama", "offline"] | None = None,
    outcome: Annotated[str | None, Query(max_length=40)] = None,
    trigger: Annotated[str | None, Query(max_length=200, description="prefix, e.g. alert: or chat:")] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DecisionPage:
    return await service.list_decisions(conn, agent=agent, provider=provider, outcome=outcome, trigger=trigger,
                                        since=since, limit=limit, offset=offset)


@router.get("/decisions/{decision_id}", summary="One run with its tool calls and every LLM call attempt")
async def get_decision(decision_id: uuid.UUID, _: OpsUser, conn: ConnDep) -> DecisionDetail:
    return await service.get_decision(conn, decision_id=decision_id)


@router.get("/costs", summary="LLM calls, tokens and USD grouped by model, day, agent, provider or outcome")
async def costs(
    _: OpsUser, conn: ConnDep,
    by: Annotated[str, Query(max_length=60, examples=["model,day"])] = "model,day",
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> CostReport:
    return await service.costs(conn, by=by, days=days)


class PromptList(BaseModel):
    items: list[PromptSummary]


class LabelMove(BaseModel):
    version: int = Field(ge=1)


class NewPromptVersion(BaseModel):
    template: str = Field(min_length=1, max_length=50_000)


@router.get("/prompts", summary="Every prompt, its versions and where each label points")
async def list_prompts(_: OpsUser, conn: ConnDep) -> PromptList:
    return PromptList(items=await PromptRegistry().list_prompts(conn))


@router.put("/prompts/{name}/labels/{label}", status_code=204,
            summary="Point a label (production, candidate, ...) at a version")
async def move_label(name: str, label: str, data: LabelMove, _: AdminUser, conn: ConnDep) -> None:
    await PromptRegistry().set_label(conn, name, label, data.version)


@router.post("/prompts/{name}/versions", status_code=201, summary="Register a prompt variant (e.g. for an A/B eval)")
async def create_prompt_version(name: str, data: NewPromptVersion, _: AdminUser, conn: ConnDep) -> PromptVersion:
    return await PromptRegistry().create_version(conn, name, data.template)


class EvalRunSummary(BaseModel):
    id: uuid.UUID
    suite: str
    prompt_name: str
    baseline: str
    candidate: str
    repetitions: int
    mean_diff: float | None
    diff_low: float | None
    diff_high: float | None
    p_value: float | None
    not_worse: bool | None
    created_at: datetime


class EvalRunList(BaseModel):
    items: list[EvalRunSummary]


@router.get("/evals", summary="Prompt A/B eval runs, newest first")
async def list_eval_runs(_: OpsUser, conn: ConnDep) -> EvalRunList:
    return EvalRunList(items=[EvalRunSummary.model_validate(r) for r in await eval_repo.list_runs(conn, limit=100)])


@router.get("/evals/{run_id}/report", response_class=HTMLResponse, summary="The run's HTML report")
async def eval_report(run_id: uuid.UUID, _: OpsUser, conn: ConnDep) -> HTMLResponse:
    html = await eval_repo.report_html(conn, run_id=run_id)
    if not html:
        raise EvalRunNotFound(f"No eval run {run_id}")
    return HTMLResponse(html)
