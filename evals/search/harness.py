"""Search quality on the labelled set in queries.yaml: NDCG@10 and recall@10 per mode."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from statistics import mean
from typing import Any

import yaml

from db.pool import Conn
from evals.search.metrics import ndcg_at_k, recall_at_k
from rag.embedder import Embedder
from rag.retriever import Mode, search

CASES = Path(__file__).with_name("queries.yaml")
FRESH = Path(__file__).with_name("queries_fresh.yaml")  # written before the tuning of issue 18
SETS = {"project": CASES, "fresh": FRESH}
K = 10


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    query: str
    relevant: dict[str, int]


@dataclass(frozen=True)
class ModeScore:
    mode: Mode
    ndcg: float
    recall: float
    by_kind: dict[str, float]  # mean NDCG@10 per kind of query
    per_case: dict[str, float]


def load_cases(path: Path = CASES) -> list[Case]:
    raw: list[dict[str, Any]] = yaml.safe_load(path.read_text())
    return [Case(id=c["id"], kind=c["kind"], query=c["query"], relevant=dict(c.get("relevant") or {}))
            for c in raw]


async def evaluate(conn: Conn, embedder: Embedder, cases: list[Case], mode: Mode,
                   rates: Mapping[str, Decimal] | None = None) -> ModeScore:
    """`rates`: the currency rates the store is configured with (app.settings), passed in."""
    ndcgs: dict[str, float] = {}
    recalls: dict[str, float] = {}
    for case in cases:
        outcome = await search(conn, embedder=embedder, query=case.query, mode=mode, limit=K, rates=rates,
                               near_misses=True)
        ranked = [watch["reference"] for watch, _, _ in outcome.hits]
        ndcgs[case.id] = ndcg_at_k(ranked, case.relevant, K)
        recalls[case.id] = recall_at_k(ranked, case.relevant, K)
    kinds = sorted({c.kind for c in cases})
    by_kind = {kind: mean(ndcgs[c.id] for c in cases if c.kind == kind) for kind in kinds}
    return ModeScore(mode=mode, ndcg=mean(ndcgs.values()), recall=mean(recalls.values()), by_kind=by_kind,
                     per_case=ndcgs)
