from __future__ import annotations

from typing import Protocol


class Embedder(Protocol):
    """Dense text embeddings. Implementations load their model lazily and are thread-safe."""

    name: str

    @property
    def dim(self) -> int: ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...
