"""Sparse-only mode: no dense model, a placeholder vector, and retrieval that never uses it."""

from __future__ import annotations

from pathlib import Path

from assistant.embeddings.factory import build_embedder
from assistant.embeddings.none import NoDenseEmbedder
from assistant.settings import EmbeddingSettings, Settings


def test_none_mode_builds_the_placeholder_embedder(tmp_path: Path) -> None:
    embedder = build_embedder(EmbeddingSettings(mode="none"), tmp_path)
    assert isinstance(embedder, NoDenseEmbedder) and embedder.name == "none"
    assert embedder.dim == 1
    assert embedder.embed_documents(["а", "б"]) == [[1.0], [1.0]]
    assert embedder.embed_query("в") == [1.0]


def test_none_mode_turns_the_dense_side_of_retrieval_off() -> None:
    assert Settings(embeddings={"mode": "none"}).retrieval.dense_weight == 0.0  # type: ignore[arg-type]
    assert Settings().retrieval.dense_weight > 0
