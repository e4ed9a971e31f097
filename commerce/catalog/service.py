"""Catalog use cases: browse, look up, create and edit watches."""

from __future__ import annotations

from typing import Any

import psycopg.errors

from commerce.catalog import repo
from commerce.catalog.image import render_watch_svg
from commerce.catalog.models import (
    ReviewPublic,
    WatchCreate,
    WatchDetail,
    WatchFilters,
    WatchPage,
    WatchPublic,
    WatchUpdate,
)
from commerce.errors import InvalidInput, ReferenceTaken, WatchNotFound
from commerce.inventory import repo as inventory_repo
from db.pool import Conn


def image_url(reference: str) -> str:
    return f"/api/v1/watches/{reference}/image.svg"


def to_public(row: dict[str, Any]) -> WatchPublic:
    return WatchPublic.model_validate({**row, "image_url": image_url(row["reference"])})


async def list_watches(conn: Conn, *, filters: WatchFilters, limit: int, offset: int) -> WatchPage:
    rows, total = await repo.list_watches(conn, filters=filters, limit=limit, offset=offset)
    return WatchPage(items=[to_public(r) for r in rows], total=total, limit=limit, offset=offset)


async def get_watch(conn: Conn, *, reference: str) -> WatchDetail:
    row = await repo.get_watch_detail(conn, reference=reference)
    if row is None:
        raise WatchNotFound(f"No watch with reference {reference!r}", reference=reference)
    return WatchDetail.model_validate({**row, "image_url": image_url(row["reference"])})


async def get_summary(conn: Conn, *, reference: str) -> WatchPublic:
    """One active watch without its reviews: the live price and stock, in one query."""
    return await _public(conn, reference)


async def watches_by_references(conn: Conn, *, references: list[str]) -> list[WatchPublic]:
    """The active watches among `references` (unknown ones are left out), in catalog order."""
    rows = await repo.get_watches_by_references(conn, references=references)
    return [to_public(r) for r in rows]


async def reviews_by_reference(conn: Conn, *, references: list[str]) -> dict[str, list[ReviewPublic]]:
    """Each reference's reviews (an empty list for a watch without any), newest first, in one query."""
    found: dict[str, list[ReviewPublic]] = {r: [] for r in references}
    for row in await repo.reviews_for_references(conn, references=references):
        found[row["reference"]].append(ReviewPublic.model_validate(row))
    return found


async def watch_image(conn: Conn, *, reference: str) -> str:
    row = await repo.get_watch(conn, reference=reference)
    if row is None:
        raise WatchNotFound(f"No watch with reference {reference!r}", reference=reference)
    return render_watch_svg(
        reference=row["reference"],
        name=row["name"],
        dial_color=row["dial_color"],
        case_diameter_mm=float(row["case_diameter_mm"]),
        category=row["category"],
        case_material=row["case_material"],
        features=row["features"],
        strap=row["strap"],
    )


async def create_watch(conn: Conn, *, data: WatchCreate, actor_id: int) -> WatchPublic:
    values = data.model_dump(exclude={"supplier_code", "initial_stock"}, mode="python")
    values["category"] = data.category.value
    values["movement"] = data.movement.value
    try:
        async with conn.transaction():
            supplier_id = await repo.get_supplier_id(conn, code=data.supplier_code)
            if supplier_id is None:
                raise InvalidInput(f"Unknown supplier {data.supplier_code!r}", field="supplier_code")
            watch_id = await repo.insert_watch(conn, values={**values, "supplier_id": supplier_id})
            await inventory_repo.create(conn, watch_id=watch_id, available=data.initial_stock)
            if data.initial_stock:
                await inventory_repo.record_movement(
                    conn, watch_id=watch_id, delta=data.initial_stock, kind="restock",
                    reason="opening stock", balance_after=data.initial_stock, actor_id=actor_id,
                )
    except psycopg.errors.UniqueViolation as exc:
        raise ReferenceTaken(f"A watch {data.reference} already exists", reference=data.reference) from exc
    return await _public(conn, data.reference)


async def update_watch(conn: Conn, *, reference: str, data: WatchUpdate) -> WatchPublic:
    values = data.model_dump(exclude_unset=True, mode="python")
    for key in ("category", "movement"):
        if values.get(key) is not None:
            values[key] = str(values[key])
    if any(v is None for v in values.values()):
        raise InvalidInput("Fields cannot be set to null", fields=[k for k, v in values.items() if v is None])
    async with conn.transaction():
        row = await repo.get_watch(conn, reference=reference, include_inactive=True)
        if row is None:
            raise WatchNotFound(f"No watch with reference {reference!r}", reference=reference)
        await repo.update_watch(conn, watch_id=row["id"], values=values)
    return await _public(conn, reference, include_inactive=True)


async def _public(conn: Conn, reference: str, *, include_inactive: bool = False) -> WatchPublic:
    row = await repo.get_watch(conn, reference=reference, include_inactive=include_inactive)
    if row is None:
        raise WatchNotFound(f"No watch with reference {reference!r}", reference=reference)
    return to_public(row)
