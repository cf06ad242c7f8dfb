"""The embedder of sparse-only mode (`embeddings.mode = none`): no model, no dense signal.

The store keeps one dense vector per point, so every chunk gets the same one-dimensional
placeholder; retrieval never queries it (the settings force `retrieval.dense_weight` to 0).
Measured on the demo dev sets, the packaged English-centric MiniLM adds little to the lexical
side for Russian and Kazakh (docs/benchmarks.md), while it is nearly all of an ingest's time.
"""

from __future__ import annotations

PLACEHOLDER = [1.0]


class NoDenseEmbedder:
    name = "none"

    @property
    def dim(self) -> int:
        return len(PLACEHOLDER)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(PLACEHOLDER) for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return list(PLACEHOLDER)
