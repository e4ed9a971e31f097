"""Query embeddings from the int8 ONNX copy of the model rank like torch's on the labelled set."""

from __future__ import annotations

import pytest

from db.pool import Conn
from evals.search.harness import evaluate, load_cases
from rag.embedder import Embedder, resolve_model_path
from rag.onnx_embedder import OnnxQueryEmbedder, export_int8
from rag.retriever import Mode
from tests.fix_app import EMBEDDER

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def onnx_embedder(tmp_path_factory: pytest.TempPathFactory) -> OnnxQueryEmbedder:
    embedder = OnnxQueryEmbedder(EMBEDDER.model_name, cache_dir=tmp_path_factory.mktemp("models"))
    embedder.prepare()
    return embedder


async def test_onnx_int8_ndcg_is_within_a_hundredth_of_torch(conn: Conn, onnx_embedder: OnnxQueryEmbedder) -> None:
    cases = load_cases()
    torch_score = await evaluate(conn, EMBEDDER, cases, Mode.hybrid)
    onnx_score = await evaluate(conn, onnx_embedder, cases, Mode.hybrid)
    assert onnx_embedder.query_backend == "onnx-int8"
    assert abs(onnx_score.ndcg - torch_score.ndcg) <= 0.01, (onnx_score.ndcg, torch_score.ndcg)
    vectors = onnx_embedder.encode(["automatic diver under $500"]) @ EMBEDDER.encode(["automatic diver under $500"]).T
    assert vectors[0, 0] > 0.97


async def test_stored_vectors_are_keyed_by_the_backend_that_made_them(conn: Conn,
                                                                      onnx_embedder: OnnxQueryEmbedder) -> None:
    # Indexing stays on torch, so the ONNX query embedder reads the torch vectors; any other backend
    # would index under its own key ("model@backend") and never mix with them.
    assert onnx_embedder.index_key == EMBEDDER.index_key == "all-MiniLM-L6-v2"
    cur = await conn.execute("SELECT DISTINCT model FROM search_embeddings")
    assert [r["model"] for r in await cur.fetchall()] == ["all-MiniLM-L6-v2"]
    assert Embedder(backend="onnx").index_key == "all-MiniLM-L6-v2@onnx"


def test_the_export_is_cached_on_disk(onnx_embedder: OnnxQueryEmbedder) -> None:
    folder = next(p for p in onnx_embedder.cache_dir.iterdir() if p.is_dir())
    model = folder / "model-int8.onnx"
    before = model.stat().st_mtime_ns
    assert export_int8(resolve_model_path(EMBEDDER.model_name), folder) == model
    assert model.stat().st_mtime_ns == before, "a second start loads the file, it does not export again"
    assert not list(folder.glob("*.tmp")), "no half-written files are left"
