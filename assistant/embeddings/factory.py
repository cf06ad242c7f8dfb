from __future__ import annotations

from assistant.embeddings.base import Embedder
from assistant.settings import EmbeddingSettings


def build_embedder(settings: EmbeddingSettings) -> Embedder:
    if settings.mode == "hashing":
        from assistant.embeddings.hashing import HashingEmbedder

        return HashingEmbedder()
    from assistant.embeddings.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(settings)
