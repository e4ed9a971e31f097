"""Keep the search index current: embed watches and reviews whose text (or the model) changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from db.pool import Conn
from rag import repo
from rag.documents import content_hash, review_text, watch_text
from rag.embedder import Embedder

BATCH = 64
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class IndexReport:
    embedded: int
    unchanged: int


async def index_missing(conn: Conn, embedder: Embedder, *, progress: Progress | None = None) -> IndexReport:
    """Embed every watch and review whose content hash is missing or stale for this model."""
    model = embedder.index_key
    pending: list[tuple[str, int, int, str, str]] = []  # kind, item, watch, hash, text
    unchanged = 0
    for kind, rows in (("watch", await repo.watch_sources(conn)), ("review", await repo.review_sources(conn))):
        known = await repo.known_hashes(conn, kind=kind, model=model)
        for row in rows:
            text = watch_text(row) if kind == "watch" else review_text(row)
            digest = content_hash(model, text)
            if known.get(row["id"]) == digest:
                unchanged += 1
                continue
            pending.append((kind, row["id"], row["id"] if kind == "watch" else row["watch_id"], digest, text))
    if pending:
        await repo.ensure_vector_index(conn, dims=embedder.dims)
    for start in range(0, len(pending), BATCH):
        batch = pending[start:start + BATCH]
        vectors = await embedder.encode_async([p[4] for p in batch])
        for kind in ("watch", "review"):
            embedded = [(p[1], p[2], p[3], vec) for p, vec in zip(batch, vectors, strict=True) if p[0] == kind]
            if embedded:
                await repo.upsert_embeddings(conn, kind=kind, model=model, rows=embedded)
        if progress:
            progress(min(start + BATCH, len(pending)), len(pending))
    await repo.refresh_vocabulary(conn)
    return IndexReport(embedded=len(pending), unchanged=unchanged)
