"""The admin and ops API: dashboard, orders, inventory, products, users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, status

from api.deps import AdminUser, ConnDep, EmbedderDep, OpsUser, PoolDep
from commerce.admin.service import Dashboard, dashboard
from commerce.catalog import service as catalog
from commerce.catalog.models import WatchCreate, WatchPublic, WatchUpdate
from commerce.customers import service as customers
from commerce.customers.models import CustomerPublic, RoleUpdate
from commerce.inventory import service as inventory
from commerce.inventory.models import AdjustmentIn, AdjustmentOut, Movement, MovementList
from commerce.orders import service as orders
from commerce.orders.models import OrderAdminList, OrderPublic, OrderStatus, StatusUpdate
from db.pool import Pool
from rag.embedder import Embedder
from rag.indexer import index_missing

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/dashboard", summary="Revenue, orders and watches at or below their reorder point")
async def get_dashboard(_: OpsUser, conn: ConnDep) -> Dashboard:
    return await dashboard(conn)


@router.get("/orders")
async def list_orders(
    _: OpsUser, conn: ConnDep, status: OrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
) -> OrderAdminList:
    items, total = await orders.list_all_orders(conn, status=status, limit=limit, offset=offset)
    return OrderAdminList(items=items, total=total, limit=limit, offset=offset)


@router.patch("/orders/{order_id}", summary="Move an order to its next status",
              responses={409: {"description": "Transition not allowed (`invalid_status_transition`)"}})
async def update_order_status(order_id: int, data: StatusUpdate, principal: OpsUser, conn: ConnDep) -> OrderPublic:
    return await orders.change_status(conn, order_id=order_id, new_status=data.status, reason=data.reason,
                                      actor_id=principal.customer_id)


@router.post("/inventory/{reference}/adjustments", status_code=status.HTTP_201_CREATED,
             summary="Add or remove stock, with a reason recorded in the ledger",
             responses={409: {"description": "Would go negative (`stock_would_go_negative`)"}})
async def adjust_stock(reference: str, data: AdjustmentIn, principal: OpsUser, conn: ConnDep) -> AdjustmentOut:
    result = await inventory.adjust_stock(conn, reference=reference, delta=data.delta, reason=data.reason,
                                          actor_id=principal.customer_id)
    return AdjustmentOut.model_validate(result)


@router.get("/inventory/{reference}/movements", summary="The stock ledger of one watch")
async def stock_movements(
    reference: str, _: OpsUser, conn: ConnDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> MovementList:
    rows = await inventory.movements(conn, reference=reference, limit=limit)
    return MovementList(items=[Movement.model_validate(r) for r in rows])


async def _reindex(pool: Pool, embedder: Embedder) -> None:
    async with pool.connection() as conn:
        await index_missing(conn, embedder)


@router.post("/watches", status_code=status.HTTP_201_CREATED,
             responses={409: {"description": "Reference exists (`reference_taken`)"}})
async def create_watch(
    data: WatchCreate, principal: AdminUser, conn: ConnDep, pool: PoolDep, embedder: EmbedderDep,
    background: BackgroundTasks,
) -> WatchPublic:
    watch = await catalog.create_watch(conn, data=data, actor_id=principal.customer_id)
    background.add_task(_reindex, pool, embedder)  # the new watch becomes findable by meaning
    return watch


@router.patch("/watches/{reference}")
async def update_watch(
    reference: str, data: WatchUpdate, _: AdminUser, conn: ConnDep, pool: PoolDep, embedder: EmbedderDep,
    background: BackgroundTasks,
) -> WatchPublic:
    watch = await catalog.update_watch(conn, reference=reference, data=data)
    background.add_task(_reindex, pool, embedder)  # only rows whose text changed are embedded again
    return watch


@router.patch("/users/{customer_id}/role", summary="Make an account customer, ops or admin")
async def set_role(customer_id: int, data: RoleUpdate, _: AdminUser, conn: ConnDep) -> CustomerPublic:
    return await customers.set_role(conn, customer_id=customer_id, role=data.role)
