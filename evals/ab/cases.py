"""Eval cases as data (evals/cases/*.yaml), and capturing new ones from the decision log."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from db.pool import Conn

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"


@dataclass(frozen=True)
class StockCase:
    id: str
    alert: dict[str, Any]
    stock: dict[str, int]
    expect_tools: tuple[str, ...]
    bands: dict[str, tuple[int, int]]
    forbid: tuple[str, ...] = ()
    restock_all: bool = False
    # The store's history the case starts from: proposals already made (pending, approved = on order,
    # rejected with a reason, ...) `age_hours` ago, and reorder spend already made today.
    proposals: tuple[PriorProposal, ...] = ()
    spent_today_usd: Decimal = Decimal(0)
    note: str = ""  # what a careful planner would do here, and why


@dataclass(frozen=True)
class PriorProposal:
    reference: str
    quantity: int
    status: str  # pending | approved | rejected | expired | received
    age_hours: float = 1.0
    reason: str | None = None  # why it was rejected


@dataclass(frozen=True)
class ShopperCase:
    id: str
    question: str
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)


def load_stock_cases(path: Path = CASES_DIR / "stock.yaml") -> list[StockCase]:
    return [StockCase(id=c["id"], alert=c["alert"], stock=dict(c.get("stock") or {}),
                      expect_tools=tuple(c.get("expect_tools") or ()),
                      bands={k: (int(v[0]), int(v[1])) for k, v in (c.get("bands") or {}).items()},
                      forbid=tuple(c.get("forbid") or ()), restock_all=bool(c.get("restock_all")),
                      proposals=tuple(PriorProposal(reference=p["reference"], quantity=int(p["quantity"]),
                                                    status=p["status"], age_hours=float(p.get("age_hours", 1.0)),
                                                    reason=p.get("reason"))
                                      for p in c.get("proposals") or ()),
                      spent_today_usd=Decimal(str(c.get("spent_today_usd", 0))), note=str(c.get("note", "")))
            for c in yaml.safe_load(path.read_text())]


def load_shopper_cases(path: Path = CASES_DIR / "shopper.yaml") -> list[ShopperCase]:
    return [ShopperCase(id=c["id"], question=c["question"], must=tuple(c.get("must") or ()),
                        must_not=tuple(c.get("must_not") or ())) for c in yaml.safe_load(path.read_text())]


async def capture_from_decisions(conn: Conn, *, agent: str, limit: int = 20) -> list[dict[str, Any]]:
    """Real alerts and questions from the decision log, as case skeletons to label and add to a suite;
    searches that found nothing are candidates too."""
    cur = await conn.execute(
        """SELECT d.trigger, d.metadata, d.final_text,
                  (SELECT content FROM chat_messages m WHERE m.decision_id = d.id) AS answer
           FROM decisions d WHERE d.agent = %(a)s ORDER BY d.created_at DESC LIMIT %(l)s""",
        {"a": agent, "l": limit})
    cases = [{"id": f"captured-{i}", "trigger": r["trigger"], "metadata": r["metadata"], "answer": r["final_text"]}
             for i, r in enumerate(await cur.fetchall())]
    misses = await conn.execute("SELECT DISTINCT query FROM search_misses ORDER BY query LIMIT %(l)s", {"l": limit})
    cases += [{"id": f"zero-result-{i}", "question": r["query"], "must": [], "must_not": []}
              for i, r in enumerate(await misses.fetchall())]
    return cases
