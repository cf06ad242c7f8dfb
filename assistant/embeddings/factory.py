from __future__ import annotations

from pathlib import Path

from assistant.embeddings.base import Embedder
from assistant.settings import EmbeddingSettings


def build_embedder(settings: EmbeddingSettings, cache_dir: Path) -> Embedder:
    if settings.mode == "none":
        from assistant.embeddings.none import NoDenseEmbedder

        return NoDenseEmbedder()
    if settings.mode == "hashing":
        from assistant.embeddings.hashing import HashingEmbedder

        return HashingEmbedder()
    if settings.mode == "e5":
        from assistant.embeddings.e5 import E5Embedder

        return E5Embedder(settings)
    from assistant.embeddings.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(settings, cache_dir)
