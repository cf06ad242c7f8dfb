"""The vector-store boundary: what retrieval and ingest need, nothing Qdrant-specific."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.domain import Chunk


@dataclass(frozen=True)
class SparseVec:
    indices: list[int]
    values: list[float]


@dataclass
class EncodedChunk:
    chunk: Chunk
    dense: list[float]
    sparse: SparseVec
    lexical: str
    content_hash: str
    embed_hash: str


@dataclass
class StoredPoint:
    chunk: Chunk
    content_hash: str
    embed_hash: str
    payload: dict[str, Any] = field(default_factory=dict)
    vectors: Any = None


@dataclass(frozen=True)
class ScoredChunk:
    chunk: Chunk
    score: float


class VectorStore(Protocol):
    def live_collection(self) -> str | None: ...

    def collections(self) -> list[str]: ...

    def create_collection(self, name: str, dense_dim: int) -> None: ...

    def add(self, name: str, items: list[EncodedChunk]) -> None: ...

    def delete(self, name: str, chunk_ids: list[str]) -> None: ...

    def copy_points(self, src: str, dst: str, points: list[StoredPoint]) -> None: ...

    def require_live(self) -> str: ...

    def count(self, name: str, filters: dict[str, Any] | None = None) -> int: ...

    def facet(self, name: str, key: str, filters: dict[str, Any] | None = None) -> dict[str, int]:
        """Points per value of a keyword payload field (e.g. registry rows per agency)."""
        ...

    def scroll(
        self, name: str, *, with_vectors: bool = False, filters: dict[str, Any] | None = None
    ) -> Iterator[StoredPoint]: ...

    def scan(self, name: str, keys: list[str]) -> Iterator[tuple[dict[str, Any], list[int]]]:
        """Every point's payload fields `keys` and sparse-vector indices, nothing else: how a
        read model sums up a million chunks without holding them."""
        ...

    def clone(self, src: str, dst: str) -> None:
        """A new version `dst` holding exactly the points of `src` (vectors, payloads, indexes),
        made without re-sending them one by one where the engine allows."""
        ...

    def query(
        self,
        name: str,
        dense: list[float] | None,
        sparse: SparseVec | None,
        *,
        limit: int,
        candidates: int,
        weights: tuple[float, float],
        rrf_k: int,
        filters: dict[str, Any] | None = None,
    ) -> list[ScoredChunk]: ...

    def similarities(self, name: str, dense: list[float], citations: list[str]) -> dict[str, float]:
        """The dense similarity of each of `citations` (its best window, any language) to the
        question vector `dense`: what the learned ranker reads beside the fused rank."""
        ...

    def by_citation(self, name: str, citation: str) -> list[Chunk]: ...

    def swap_alias(self, name: str) -> None: ...

    def drop(self, name: str) -> None: ...

    def close(self) -> None: ...
