"""The ops console: server-rendered pages for the ops and admin roles under /ops.

Pages only read; actions (approve, reject, receive, the drill, stock adjustments, order status) are
made by web/static/ops.js through the JSON API with the browser's cookie session."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import BaseModel, Field, field_validator

from alerts import repo as alerts_repo
from alerts.models import AlertRecord
from api import spend_chart
from api.deps import ConnDep, OpsPage
from api.templating import render
from commerce.admin import service as admin
from commerce.customers.models import Principal, Role
from commerce.inventory import service as inventory
from commerce.inventory.models import Movement
from commerce.orders import service as orders
from commerce.orders.models import MANUAL_TRANSITIONS, OrderStatus
from commerce.replenishment import service as replenishment
from commerce.replenishment.models import ProposalStatus
from db.pool import Conn
from decision_log import service as decisions

router = APIRouter(prefix="/ops", include_in_schema=False)

AGENTS = ("stock", "shopper", "eval")
PROVIDERS = ("claude", "ollama", "offline")
OUTCOMES = ("completed", "error", "step_limit", "token_limit", "deadline", "limit")
PAGE_SIZE = 50


class _Form(BaseModel):
    """A filter form's query string: an empty field (the "All" choice, a blank date) means no filter."""

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


class DecisionFilters(_Form):
    agent: Literal["stock", "shopper", "eval"] | None = None
    provider: Literal["claude", "ollama", "offline"] | None = None
    outcome: str | None = Field(None, max_length=40)
    trigger: str | None = Field(None, max_length=200)
    since: date | None = None  # from this day (UTC) on
    until: date | None = None  # up to and including this day
    offset: int = Field(0, ge=0, le=1_000_000)


class ProposalFilters(_Form):
    status: ProposalStatus | None = None
    run: uuid.UUID | None = None  # the proposals one agent run made


class AlertFilters(_Form):
    status: Literal["firing", "resolved"] | None = None


class OrderFilters(_Form):
    status: OrderStatus | None = None
    offset: int = Field(0, ge=0, le=1_000_000)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _when(moment: datetime | None) -> Markup:
    """A timestamp as a <time> element, shown in UTC (the zone of the logs and the spend days)."""
    if moment is None:
        return Markup("–")
    utc = moment.astimezone(UTC)
    return Markup('<time datetime="{}">{}</time>').format(utc.isoformat(), utc.strftime("%Y-%m-%d %H:%M UTC"))


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def _pager(total: int, offset: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    """Where a page of a long list starts and ends, and the offsets of its neighbours (None at the ends)."""
    return {"first": offset + 1 if total else 0, "last": min(total, offset + size),
            "prev": max(0, offset - size) if offset else None, "next": offset + size if offset + size < total else None}


async def _page(request: Request, template: str, *, conn: Conn, user: Principal, section: str,
                **context: Any) -> HTMLResponse:
    """A console page: the section its navigation marks current, and the console's formatting helpers."""
    return await render(request, template, conn=conn, user=user, section=section, usd=spend_chart.usd, when=_when,
                        pretty=_pretty, is_admin=user.role is Role.admin, **context)


@router.get("", response_class=HTMLResponse)
async def overview(request: Request, conn: ConnDep, user: OpsPage) -> HTMLResponse:
    pending = await replenishment.list_proposals(conn, status=ProposalStatus.pending, limit=500)
    recent_alerts = [AlertRecord.model_validate(r) for r in await alerts_repo.list_alerts(conn, status=None, limit=5)]
    runs = await decisions.list_decisions(conn, limit=5)
    return await _page(request, "ops/overview.html", conn=conn, user=user, section="overview", pending=pending,
                       alerts=recent_alerts, runs=runs.items, spent_today=await decisions.spent_today(conn),
                       dashboard=await admin.dashboard(conn))


@router.get("/reorders", response_class=HTMLResponse)
async def reorders_page(
    request: Request, conn: ConnDep, user: OpsPage, filters: Annotated[ProposalFilters, Query()]
) -> HTMLResponse:
    proposals = await replenishment.list_proposals(conn, status=filters.status, limit=200)
    if filters.run is not None:
        proposals = [p for p in proposals if p.decision_id == filters.run]
    runs = await decisions.get_decisions(conn, ids=list({p.decision_id for p in proposals if p.decision_id}))
    per_run = Counter(p.decision_id for p in proposals)
    autonomy = await replenishment.autonomy(conn)
    return await _page(request, "ops/reorders.html", conn=conn, user=user, section="reorders",
                       proposals=proposals, runs=runs, per_run=per_run, filters=filters, autonomy=autonomy,
                       statuses=[s.value for s in ProposalStatus])


@router.get("/alerts", response_class=HTMLResponse)
async def alerts_page(
    request: Request, conn: ConnDep, user: OpsPage, filters: Annotated[AlertFilters, Query()]
) -> HTMLResponse:
    rows = await alerts_repo.list_alerts(conn, status=filters.status, limit=200)
    return await _page(request, "ops/alerts.html", conn=conn, user=user, section="alerts", filters=filters,
                       alerts=[AlertRecord.model_validate(r) for r in rows])


@router.get("/decisions", response_class=HTMLResponse)
async def decisions_page(
    request: Request, conn: ConnDep, user: OpsPage, filters: Annotated[DecisionFilters, Query()]
) -> HTMLResponse:
    page = await decisions.list_decisions(
        conn, agent=filters.agent, provider=filters.provider, outcome=filters.outcome, trigger=filters.trigger,
        since=_midnight(filters.since) if filters.since else None,
        until=_midnight(filters.until + timedelta(days=1)) if filters.until else None,
        limit=PAGE_SIZE, offset=filters.offset)
    query = {k: v for k, v in filters.model_dump(mode="json", exclude={"offset"}).items() if v is not None}
    return await _page(request, "ops/decisions.html", conn=conn, user=user, section="decisions", page=page,
                       filters=filters, filter_query=query, agents=AGENTS, providers=PROVIDERS,
                       outcomes=OUTCOMES, pager=_pager(page.total, filters.offset))


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
async def decision_page(request: Request, decision_id: uuid.UUID, conn: ConnDep, user: OpsPage) -> HTMLResponse:
    detail = await decisions.get_decision(conn, decision_id=decision_id)
    made = [p for p in await replenishment.list_proposals(conn, status=None, limit=500) if p.decision_id == detail.id]
    return await _page(request, "ops/decision.html", conn=conn, user=user, section="decisions", run=detail,
                       proposals=made, trace_url=request.app.state.config.trace_url(detail.trace_id))


@router.get("/spend", response_class=HTMLResponse)
async def spend_page(
    request: Request, conn: ConnDep, user: OpsPage, days: Annotated[int, Query(ge=1, le=90)] = 14
) -> HTMLResponse:
    by_model_day = await decisions.costs(conn, by="model,day", days=days)
    chart = spend_chart.build(by_model_day.rows, days=days, today=datetime.now(UTC).date())
    by_agent = await decisions.costs(conn, by="agent,provider", days=days)
    return await _page(request, "ops/spend.html", conn=conn, user=user, section="spend", days=days, chart=chart,
                       rows=by_model_day.rows, by_agent=by_agent.rows,
                       fallbacks=await decisions.fallback_counts(conn, days=days),
                       spent_today=await decisions.spent_today(conn))


@router.get("/inventory", response_class=HTMLResponse)
async def inventory_page(request: Request, conn: ConnDep, user: OpsPage, low: bool = False) -> HTMLResponse:
    levels = await admin.stock_levels(conn, low_only=low)
    return await _page(request, "ops/inventory.html", conn=conn, user=user, section="inventory", levels=levels,
                       low=low)


@router.get("/inventory/{reference}", response_class=HTMLResponse)
async def stock_page(request: Request, reference: str, conn: ConnDep, user: OpsPage) -> HTMLResponse:
    level = await admin.stock_level(conn, reference=reference)
    ledger = [Movement.model_validate(r) for r in await inventory.movements(conn, reference=reference, limit=50)]
    return await _page(request, "ops/stock.html", conn=conn, user=user, section="inventory", level=level,
                       ledger=ledger)


@router.get("/orders", response_class=HTMLResponse)
async def orders_page(
    request: Request, conn: ConnDep, user: OpsPage, filters: Annotated[OrderFilters, Query()]
) -> HTMLResponse:
    items, total = await orders.list_all_orders(conn, status=filters.status, limit=PAGE_SIZE, offset=filters.offset)
    # The next step forward first, cancelling last: the preselected choice is never the destructive one.
    nexts = {o.id: [s.value for s in OrderStatus if s in MANUAL_TRANSITIONS[o.status]] for o in items}
    # Admins refund through the provider: a paid order, or a cancelled one whose payment landed late.
    refundable = {o.id: user.role is Role.admin and o.status in (OrderStatus.paid, OrderStatus.cancelled)
                  and o.payment is not None and o.payment.status == "succeeded" for o in items}
    return await _page(request, "ops/orders.html", conn=conn, user=user, section="orders", orders=items,
                       total=total, filters=filters, next_statuses=nexts, statuses=[s.value for s in OrderStatus],
                       pager=_pager(total, filters.offset), refundable=refundable)
