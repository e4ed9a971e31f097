"""Embedding backends: query latency, bulk throughput and the search quality each one gives.

    .venv/bin/python bench/embedding_bench.py [--queries 200] [--docs 1000]

For every backend of all-MiniLM-L6-v2 that works offline: p50/p95 latency of one short query
(the labelled queries, one at a time, after a warm-up), documents/s embedding the real catalog
documents (`rag.documents.watch_text` over the seeded watches, repeated to `--docs`), and hybrid
NDCG@10 on the labelled set (evals/search) with the catalog re-indexed by that backend in an
embedded PostgreSQL of its own (a temp dir). Backends:

- torch: `rag.embedder.Embedder()`, what the store runs;
- st-onnx / st-onnx-int8: `Embedder(backend="onnx")` and sentence-transformers' dynamic int8
  export, when `optimum-onnx[onnxruntime]` is installed and works with the installed transformers;
- ort-fp32 / ort-int8: the same weights exported with `torch.onnx` and run by onnxruntime directly
  (mean pooling, unit length: what sentence-transformers does), when `onnxruntime` is installed;
- served-int8: what the store serves (`rag.onnx_embedder.OnnxQueryEmbedder`): per-channel int8, one
  thread, the `tokenizers` tokenizer; queries only (its bulk rows are torch's, which indexes).

Verdict: "adopt" when the speedup (the smaller of query-p50 and docs/s ratios vs torch) is >= 1.5x
and hybrid NDCG@10 is at most 0.01 below torch's. A figure-printing benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import structlog
from numpy.typing import NDArray
from psycopg.rows import dict_row

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.runtime import prepare_database
from app.settings import Settings
from db.embedded import EmbeddedPostgres
from evals.search.harness import evaluate, load_cases
from rag.documents import watch_text
from rag.embedder import Embedder, resolve_model_path
from rag.indexer import index_missing
from rag.onnx_embedder import OnnxQueryEmbedder
from rag.retriever import Mode


class OrtEmbedder(Embedder):
    """all-MiniLM-L6-v2 exported with torch.onnx and run by onnxruntime itself (no optimum)."""

    def __init__(self, source: Embedder, folder: Path, *, int8: bool) -> None:
        super().__init__(source.model_name)
        import torch

        ort: Any = importlib.import_module("onnxruntime")  # optional: not a project dependency
        quantization: Any = importlib.import_module("onnxruntime.quantization")

        st = source._load()
        self._tokenizer, self._max_len, self._dims = st.tokenizer, int(st.max_seq_length), source.dims
        self._vocab = frozenset(self._tokenizer.get_vocab())
        path = folder / "model.onnx"
        if not path.exists():
            sample = dict(self._tokenizer(["a watch", "a longer sentence about a watch"], padding=True,
                                          return_tensors="pt"))
            names = ["input_ids", "attention_mask", "token_type_ids"]

            class Hidden(torch.nn.Module):
                def __init__(self, model: Any) -> None:
                    super().__init__()
                    self.model = model

                def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                    return self.model(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(Hidden(st[0].auto_model).eval(), tuple(sample[n] for n in names), str(path),
                                  input_names=names, output_names=["hidden"], opset_version=17, dynamo=False,
                                  dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "hidden"]})
        if int8:
            quantization.quantize_dynamic(path, folder / "model-int8.onnx",
                                         weight_type=quantization.QuantType.QInt8)
            path = folder / "model-int8.onnx"
        self._model = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    @property
    def dims(self) -> int:
        return self._dims

    def knows_word(self, word: str) -> bool:  # the base class reads the tokenizer off a SentenceTransformer
        return word.lower() in self._vocab

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        out: list[NDArray[np.float32]] = []
        for start in range(0, len(texts), batch_size):
            batch = self._tokenizer(list(texts[start:start + batch_size]), padding=True, truncation=True,
                                    max_length=self._max_len, return_tensors="np")
            feeds = {k: np.asarray(batch[k], dtype=np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
            hidden = self._model.run(None, feeds)[0]
            mask = feeds["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            out.append((pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32))
        return np.vstack(out)


def st_onnx(tmp: Path, *, int8: bool) -> Embedder:
    """sentence-transformers' own ONNX backend; int8 via export_dynamic_quantized_onnx_model."""
    if not int8:
        return Embedder(backend="onnx")
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.backend import export_dynamic_quantized_onnx_model

    folder = tmp / "st-onnx"
    shutil.copytree(resolve_model_path(Embedder().model_name), folder)
    model = SentenceTransformer(str(folder), backend="onnx", device="cpu")
    model.save_pretrained(str(folder))
    export_dynamic_quantized_onnx_model(model, "avx2", str(folder))
    # Put the int8 file where Embedder(backend="onnx") looks (onnx/model.onnx).
    shutil.copyfile(folder / "onnx" / "model_qint8_avx2.onnx", folder / "onnx" / "model.onnx")
    return Embedder(str(folder), backend="onnx")


@dataclass
class Result:
    backend: str
    reason: str = ""
    p50: float = 0.0
    p95: float = 0.0
    docs_per_s: float = 0.0
    ndcg: float = 0.0


def measure(embedders: dict[str, Embedder], queries: list[str], docs: list[str], rounds: int) -> list[Result]:
    """In rounds: each backend in turn gets a slice of the queries (one at a time) and of the
    documents, so load from anything else on the machine falls on all backends alike. Backends are
    not interleaved query by query: each one's thread pool spins for a while after a call and would
    slow the next backend down; a few untimed calls start each turn."""
    latencies: dict[str, list[float]] = {name: [] for name in embedders}
    busy = dict.fromkeys(embedders, 0.0)
    for part in range(rounds):
        for name, embedder in embedders.items():
            embedder.encode(docs[:16])
            for query in queries[:10]:
                embedder.encode([query])
            for query in queries[part::rounds]:
                started = time.perf_counter()
                embedder.encode([query])
                latencies[name].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            embedder.encode(docs[part::rounds])
            busy[name] += time.perf_counter() - started
    results = []
    for name in embedders:
        cuts = statistics.quantiles(latencies[name], n=100)
        results.append(Result(name, p50=cuts[49], p95=cuts[94], docs_per_s=len(docs) / busy[name]))
    return results


async def quality(url: str, embedder: Embedder) -> float:
    """Hybrid NDCG@10 with the catalog indexed by this embedder, in its own database."""
    await prepare_database(url, Settings(_env_file=None))
    async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
        await index_missing(conn, embedder)
        return (await evaluate(conn, embedder, load_cases(), Mode.hybrid)).ndcg


def catalog_docs() -> list[str]:
    """The documents the indexer embeds for the seed catalog (as the database returns the rows)."""
    from db.seed.catalog import WATCHES

    return [watch_text({**vars(w), "features": list(w.features), "case_diameter_mm": float(w.case_diameter_mm)})
            for w in WATCHES]


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def run(args: argparse.Namespace, tmp: Path) -> list[Result]:
    torch_embedder = Embedder()
    candidates: list[tuple[str, Any]] = [
        ("torch", lambda: torch_embedder),
        ("st-onnx", lambda: st_onnx(tmp, int8=False)),
        ("st-onnx-int8", lambda: st_onnx(tmp, int8=True)),
        ("ort-fp32", lambda: OrtEmbedder(torch_embedder, tmp, int8=False)),
        ("ort-int8", lambda: OrtEmbedder(torch_embedder, tmp, int8=True)),
        ("served-int8", lambda: OnnxQueryEmbedder(torch_embedder.model_name, cache_dir=tmp / "served")),
    ]
    embedders: dict[str, Embedder] = {}
    failed: dict[str, str] = {}
    for name, build in candidates:
        if name == "st-onnx-int8" and "st-onnx" in failed:
            failed[name] = "needs st-onnx"
            continue
        try:
            embedders[name] = build()
            embedders[name].encode(["probe"])
        except Exception as exc:  # a backend that cannot load offline is a row, not a crash
            embedders.pop(name, None)
            failed[name] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
    base_queries = [case.query for case in load_cases()]
    queries = [base_queries[i % len(base_queries)] for i in range(args.queries)]
    docs = catalog_docs()
    docs = [docs[i % len(docs)] for i in range(args.docs)]
    print(f"timing {', '.join(embedders)} in 4 rounds ...", flush=True)
    measured = {r.backend: r for r in measure(embedders, queries, docs, rounds=4)}
    for name, embedder in embedders.items():
        print(f"indexing and evaluating {name} in its own database ...", flush=True)
        with EmbeddedPostgres(tmp / f"pg-{name}") as pg:
            measured[name].ndcg = asyncio.run(quality(pg.uri, embedder))
    return [measured.get(name) or Result(name, reason=failed[name]) for name, _ in candidates]


def report(results: list[Result], args: argparse.Namespace) -> None:
    import torch

    base = results[0]
    print(f"\n{args.queries} single queries after warm-up, {args.docs} catalog documents (batch 64), "
          f"torch threads {torch.get_num_threads()}, sentence-transformers {version('sentence-transformers')}, "
          f"transformers {version('transformers')}, onnxruntime {version('onnxruntime')}, "
          f"optimum-onnx {version('optimum-onnx')}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'backend':<13} {'q p50 ms':>9} {'q p95 ms':>9} {'docs/s':>8} {'speedup q/bulk':>15} "
          f"{'hybrid NDCG@10':>15}  verdict")
    for r in results:
        if r.reason:
            print(f"{r.backend:<13} {'unavailable: ' + r.reason[:100]}")
            continue
        q_speed, bulk_speed = base.p50 / r.p50, r.docs_per_s / base.docs_per_s
        verdict = ("baseline" if r is base else
                   "adopt" if min(q_speed, bulk_speed) >= 1.5 and base.ndcg - r.ndcg <= 0.01 else "keep torch")
        print(f"{r.backend:<13} {r.p50:>9.2f} {r.p95:>9.2f} {r.docs_per_s:>8.0f} "
              f"{f'{q_speed:.2f}x / {bulk_speed:.2f}x':>15} {r.ndcg:>15.4f}  {verdict}")
    for r in results:
        if len(r.reason) > 100:
            print(f"note: {r.backend}: {r.reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--docs", type=int, default=1000)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    with tempfile.TemporaryDirectory() as tmp:
        report(run(args, Path(tmp)), args)


if __name__ == "__main__":
    main()
