"""SQL for the admin views that read across contexts (stock with what is on order)."""

from __future__ import annotations

from typing import Any

from db.pool import Conn


async def stock_levels(conn: Conn, *, low_only: bool, reference: str | None = None) -> list[dict[str, Any]]:
    """Every watch (or one) with its stock, reorder point, units on order (approved reorders) and units
    proposed (pending reorders); the lowest stock relative to its reorder point first."""
    cur = await conn.execute(
        """SELECT w.reference, w.name, w.active, w.price, w.unit_cost, w.pack_size, w.min_order_qty,
                  i.available, i.reserved, i.reorder_point,
                  coalesce(sum(p.quantity) FILTER (WHERE p.status = 'approved'), 0)::int AS on_order,
                  coalesce(sum(p.quantity) FILTER (WHERE p.status = 'pending'), 0)::int AS proposed
           FROM watches w JOIN inventory i ON i.watch_id = w.id
           LEFT JOIN reorder_proposals p ON p.watch_id = w.id AND p.status IN ('approved', 'pending')
           WHERE (NOT %(low)s OR (w.active AND i.available <= i.reorder_point))
             AND (%(ref)s::text IS NULL OR w.reference = %(ref)s)
           GROUP BY w.id, i.watch_id
           ORDER BY (i.available::float8 / greatest(i.reorder_point, 1)), w.reference""",
        {"low": low_only, "ref": reference},
    )
    return await cur.fetchall()
