"""Query embeddings served by ONNX Runtime from an int8 copy of the packaged model.

A search embeds one short query; torch spends most of that time in Python and operator dispatch.
The same weights exported to ONNX and quantised to int8 (dynamic, per-tensor) answer in a
millisecond or two. Torch stays for the export and for indexing, so the stored vectors are torch's:
a query vector from int8 lands within about 0.01 cosine of torch's, which keeps ranking the same
(tests/integration/test_onnx_parity.py holds NDCG@10 within 0.01 on the labelled set).

The export happens once, at install (`seiko rag export-onnx`) or on first start, into a cache folder
keyed by the model and the versions that produced it; later starts only load the file.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import structlog
from numpy.typing import NDArray

from rag.embedder import Embedder, resolve_model_path

_log = structlog.get_logger(component="rag.onnx_embedder")
QUERY_BATCH = 8  # up to this many texts go through ONNX Runtime; bigger batches (indexing) use torch
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Bump when the export changes: per-channel int8 kept cosine to torch at 0.993 on the labelled
# queries, where per-tensor gave 0.963.
EXPORT_FORMAT = "int8-per-channel-1"


def _fingerprint(model_path: str) -> str:
    """What the exported file depends on: the model's weights file and the exporter's versions."""
    weights = Path(model_path) / "model.safetensors"
    size = weights.stat().st_size if weights.exists() else 0
    versions = "-".join(metadata.version(p) for p in ("torch", "onnxruntime"))
    return f"{EXPORT_FORMAT}-{size}-{versions}"


def export_int8(model_path: str, folder: Path) -> Path:
    """Export the transformer to ONNX with torch, quantise it to int8, and return the int8 file.
    Written to a temporary name and renamed, so a crash never leaves a half file behind."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    final = folder / "model-int8.onnx"
    stamp = folder / "export.json"
    fingerprint = _fingerprint(model_path)
    if final.exists() and stamp.exists() and json.loads(stamp.read_text()).get("fingerprint") == fingerprint:
        return final
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModel.from_pretrained(model_path).eval()
    sample = dict(tokenizer(["a watch", "a longer sentence about a watch"], padding=True, return_tensors="pt"))

    class Hidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    fp32 = folder / "model-fp32.onnx.tmp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Hidden(model), tuple(sample[n] for n in _INPUTS), str(fp32), input_names=list(_INPUTS),
                          output_names=["hidden"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*_INPUTS, "hidden"]})
    partial = folder / "model-int8.onnx.tmp"
    quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()
    partial.replace(final)
    stamp.write_text(json.dumps({"fingerprint": fingerprint, "model": model_path}))
    return final


class OnnxQueryEmbedder(Embedder):
    """Embeds queries with ONNX Runtime (int8) and bulk text with torch; vectors are stored under the
    torch model's key, since indexing is done by torch."""

    def __init__(self, model: str, *, cache_dir: Path, threads: int = 1) -> None:
        super().__init__(model, backend="torch")
        self.cache_dir = cache_dir
        self.threads = threads  # one thread: a ten-token query is too small to split
        self._session: Any = None
        self._tokenizer: Any = None
        self._onnx_lock = threading.Lock()
        self._failed = False  # export or load failed once: torch answers queries from then on

    @property
    def query_backend(self) -> str:
        return "torch" if self._failed else "onnx-int8"

    def prepare(self) -> Path:
        """Export (once) and load the int8 model; safe to call from several threads."""
        with self._onnx_lock:
            path = resolve_model_path(self.model_name)
            onnx_file = export_int8(path, self.cache_dir / Path(path).name)
            if self._session is None:
                import onnxruntime as ort
                from tokenizers import Tokenizer

                options = ort.SessionOptions()
                options.intra_op_num_threads = self.threads
                options.inter_op_num_threads = 1
                self._session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
                tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
                tokenizer.enable_truncation(max_length=256)  # the model's max_seq_length
                tokenizer.enable_padding()
                self._tokenizer = tokenizer
            return onnx_file

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        if len(texts) > QUERY_BATCH or self._failed:
            return super().encode(texts, batch_size=batch_size)
        if self._session is None:
            try:
                self.prepare()
            except (ImportError, OSError, RuntimeError) as exc:  # no onnxruntime, read-only cache...
                _log.warning("onnx_query_embedder_unavailable", error=str(exc), fallback="torch")
                self._failed = True
                return super().encode(texts, batch_size=batch_size)
        encodings = self._tokenizer.encode_batch(list(texts))
        feeds = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                 "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                 "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
        hidden = self._session.run(None, feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)  # mean pooling
        unit: NDArray[np.float32] = (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)
        return unit

    def knows_word(self, word: str) -> bool:
        if self._vocabulary is None:  # the tokenizer's vocabulary, without loading torch
            if self._tokenizer is None:
                self.prepare()
            self._vocabulary = frozenset(self._tokenizer.get_vocab(with_added_tokens=False))
        return word.lower() in self._vocabulary

    async def warm_up(self) -> None:
        await self.encode_async(["warm up"])  # exports on first start, then loads the cached file
