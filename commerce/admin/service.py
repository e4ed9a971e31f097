"""Figures for the ops dashboard."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from commerce.inventory import repo as inventory_repo
from commerce.orders import repo as orders_repo
from db.pool import Conn


class LowStockWatch(BaseModel):
    reference: str
    name: str
    available: int
    reserved: int
    reorder_point: int


class Dashboard(BaseModel):
    revenue_total: Decimal
    revenue_30d: Decimal
    orders_30d: int
    orders_by_status: dict[str, int]
    low_stock_count: int
    low_stock: list[LowStockWatch]


async def dashboard(conn: Conn) -> Dashboard:
    revenue = await orders_repo.revenue_summary(conn)
    low = await inventory_repo.list_low_stock(conn)
    return Dashboard(
        revenue_total=revenue["revenue_total"],
        revenue_30d=revenue["revenue_30d"],
        orders_30d=revenue["orders_30d"],
        orders_by_status=await orders_repo.count_by_status(conn),
        low_stock_count=len(low),
        low_stock=[LowStockWatch.model_validate(r) for r in low],
    )
