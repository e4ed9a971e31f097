"""Figures for the ops dashboard and the stock administration views."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from commerce.admin import repo
from commerce.errors import WatchNotFound
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


class StockLevel(BaseModel):
    reference: str
    name: str
    active: bool
    price: Decimal
    unit_cost: Decimal
    pack_size: int
    min_order_qty: int
    available: int
    reserved: int
    reorder_point: int
    on_order: int  # approved reorders not yet received
    proposed: int  # pending reorder proposals

    @property
    def low(self) -> bool:
        return self.active and self.available <= self.reorder_point


async def stock_levels(conn: Conn, *, low_only: bool = False) -> list[StockLevel]:
    return [StockLevel.model_validate(r) for r in await repo.stock_levels(conn, low_only=low_only)]


async def stock_level(conn: Conn, *, reference: str) -> StockLevel:
    rows = await repo.stock_levels(conn, low_only=False, reference=reference)
    if not rows:
        raise WatchNotFound(f"No watch {reference}")
    return StockLevel.model_validate(rows[0])
