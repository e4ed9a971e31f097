"""SQL for the catalog aggregate (watches, their reviews and suppliers). Parameterised throughout."""

from __future__ import annotations

from typing import Any

from psycopg import sql

from commerce.catalog.models import WatchFilters, WatchSort
from db.pool import Conn

WATCH_COLUMNS = sql.SQL(
    """w.id, w.reference, w.name, w.collection, w.category, w.movement, w.caliber,
       w.case_diameter_mm::float8 AS case_diameter_mm, w.case_material, w.water_resistance_m,
       w.crystal, w.dial_color, w.strap, w.features, w.price, w.description,
       i.available AS stock_available"""
)

_ORDER_BY: dict[WatchSort, sql.Composable] = {
    # "featured": what can be bought first, then the catalog's own order.
    WatchSort.featured: sql.SQL("(i.available > 0) DESC, w.id"),
    WatchSort.price_asc: sql.SQL("w.price ASC, w.id"),
    WatchSort.price_desc: sql.SQL("w.price DESC, w.id"),
    WatchSort.name: sql.SQL("w.name ASC, w.id"),
    WatchSort.newest: sql.SQL("w.created_at DESC, w.id DESC"),
}


def _where(filters: WatchFilters) -> tuple[sql.Composable, dict[str, Any]]:
    clauses: list[sql.Composable] = [sql.SQL("w.active")]
    params: dict[str, Any] = {}
    if filters.collection:
        clauses.append(sql.SQL("lower(w.collection) = lower(%(collection)s)"))
        params["collection"] = filters.collection
    if filters.category:
        clauses.append(sql.SQL("w.category = %(category)s"))
        params["category"] = filters.category.value
    if filters.movement:
        clauses.append(sql.SQL("w.movement = %(movement)s"))
        params["movement"] = filters.movement.value
    if filters.min_price is not None:
        clauses.append(sql.SQL("w.price >= %(min_price)s"))
        params["min_price"] = filters.min_price
    if filters.max_price is not None:
        clauses.append(sql.SQL("w.price <= %(max_price)s"))
        params["max_price"] = filters.max_price
    if filters.in_stock is True:
        clauses.append(sql.SQL("i.available > 0"))
    elif filters.in_stock is False:
        clauses.append(sql.SQL("i.available = 0"))
    return sql.SQL(" AND ").join(clauses), params


async def list_watches(
    conn: Conn, *, filters: WatchFilters, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of watches and the total matching, in one round trip."""
    where, params = _where(filters)
    query = sql.SQL(
        """SELECT {cols}, count(*) OVER () AS total_count
           FROM watches w JOIN inventory i ON i.watch_id = w.id
           WHERE {where} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"""
    ).format(cols=WATCH_COLUMNS, where=where, order=_ORDER_BY[filters.sort])
    cur = await conn.execute(query, {**params, "limit": limit, "offset": offset})
    rows = await cur.fetchall()
    if rows:
        return rows, int(rows[0]["total_count"])
    if offset == 0:
        return [], 0
    # Past the last page the window function sees no rows; count separately.
    count = await conn.execute(
        sql.SQL("SELECT count(*) AS n FROM watches w JOIN inventory i ON i.watch_id = w.id WHERE {w}").format(
            w=where
        ),
        params,
    )
    row = await count.fetchone()
    return [], int(row["n"]) if row else 0


async def get_watch(conn: Conn, *, reference: str, include_inactive: bool = False) -> dict[str, Any] | None:
    query = sql.SQL(
        """SELECT {cols}, w.active, w.supplier_id, w.unit_cost, w.pack_size, w.min_order_qty
           FROM watches w JOIN inventory i ON i.watch_id = w.id
           WHERE w.reference = %(reference)s {active}"""
    ).format(cols=WATCH_COLUMNS, active=sql.SQL("") if include_inactive else sql.SQL("AND w.active"))
    cur = await conn.execute(query, {"reference": reference})
    return await cur.fetchone()


async def get_watch_detail(conn: Conn, *, reference: str) -> dict[str, Any] | None:
    """A watch with its reviews and their average, in one round trip."""
    cur = await conn.execute(
        sql.SQL(
            """SELECT {cols}, r.reviews, r.rating_average, r.review_count
               FROM watches w JOIN inventory i ON i.watch_id = w.id
               CROSS JOIN LATERAL (
                   SELECT coalesce(json_agg(json_build_object(
                              'author', v.author, 'rating', v.rating, 'title', v.title, 'body', v.body,
                              'created_at', v.created_at) ORDER BY v.created_at DESC, v.id DESC), '[]') AS reviews,
                          round(avg(v.rating), 1) AS rating_average, count(v.id) AS review_count
                   FROM reviews v WHERE v.watch_id = w.id) r
               WHERE w.reference = %(reference)s AND w.active"""
        ).format(cols=WATCH_COLUMNS),
        {"reference": reference},
    )
    return await cur.fetchone()


async def get_watches_by_references(conn: Conn, *, references: list[str]) -> list[dict[str, Any]]:
    cur = await conn.execute(
        sql.SQL("SELECT {cols} FROM watches w JOIN inventory i ON i.watch_id = w.id "
                "WHERE w.reference = ANY(%(refs)s) AND w.active ORDER BY w.id").format(cols=WATCH_COLUMNS),
        {"refs": references},
    )
    return await cur.fetchall()


async def reviews_for_references(conn: Conn, *, references: list[str]) -> list[dict[str, Any]]:
    """The reviews of many active watches in one query (a page of watches needs one, not one each),
    newest first within each watch."""
    cur = await conn.execute(
        """SELECT w.reference, v.author, v.rating, v.title, v.body, v.created_at
           FROM reviews v JOIN watches w ON w.id = v.watch_id
           WHERE w.reference = ANY(%(refs)s) AND w.active
           ORDER BY w.reference, v.created_at DESC, v.id DESC""",
        {"refs": references},
    )
    return await cur.fetchall()


async def get_supplier_id(conn: Conn, *, code: str) -> int | None:
    cur = await conn.execute("SELECT id FROM suppliers WHERE code = %(code)s", {"code": code})
    row = await cur.fetchone()
    return int(row["id"]) if row else None


async def insert_watch(conn: Conn, *, values: dict[str, Any]) -> int:
    columns = list(values)
    query = sql.SQL("INSERT INTO watches ({cols}) VALUES ({vals}) RETURNING id").format(
        cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
        vals=sql.SQL(", ").join(sql.Placeholder(c) for c in columns),
    )
    cur = await conn.execute(query, values)
    row = await cur.fetchone()
    assert row is not None
    return int(row["id"])


async def update_watch(conn: Conn, *, watch_id: int, values: dict[str, Any]) -> None:
    if not values:
        return
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in values
    )
    await conn.execute(
        sql.SQL("UPDATE watches SET {a}, updated_at = now() WHERE id = %(watch_id)s").format(a=assignments),
        {**values, "watch_id": watch_id},
    )


async def reference_prefix_exists(conn: Conn, *, prefix: str) -> bool:
    """Whether some active watch's reference starts with `prefix` (model names use short forms)."""
    cur = await conn.execute(
        "SELECT EXISTS (SELECT 1 FROM watches WHERE active AND reference LIKE %(p)s) AS found",
        {"p": prefix.replace("%", "").replace("_", "") + "%"},
    )
    row = await cur.fetchone()
    return bool(row and row["found"])


async def active_watches(conn: Conn) -> list[dict[str, Any]]:
    """Every active watch with its live stock (the catalog is small; callers rank or filter it)."""
    cur = await conn.execute(
        sql.SQL("SELECT {cols} FROM watches w JOIN inventory i ON i.watch_id = w.id WHERE w.active "
                "ORDER BY w.reference").format(cols=WATCH_COLUMNS))
    return await cur.fetchall()
