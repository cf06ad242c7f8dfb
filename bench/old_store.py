"""The pre-Edge embedded store, kept only so benchmarks can compare it with Qdrant Edge in the
same run (issue 14 took it out of the product): qdrant-client's local mode searched through an
in-process, read-only copy of each collection.

qdrant-client's local mode scores every point in Python on every query (a sparse dot product per
point, a payload filter per point): about 90 ms per hybrid query on the 699-point demo index and
10 s at 100k points. `MemoryIndex` loads the collection's vectors and payloads once and computes
the same thing with numpy/scipy: cosine for dense, IDF-weighted dot product for sparse (Qdrant's
``Modifier.IDF`` formula over the whole collection) and Qdrant's weighted RRF. `OldStore` is
`QdrantStore` (local mode, the store of record) searching through that copy.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy import sparse as sp

from assistant.domain import Chunk
from assistant.settings import QdrantSettings
from assistant.store.base import EncodedChunk, ScoredChunk, SparseVec, StoredPoint
from assistant.store.qdrant import DENSE, SPARSE, QdrantStore

Filters = dict[str, Any]


def _field(payload: dict[str, Any], path: str) -> Any:
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _matches(value: Any, wanted: Any) -> bool:
    """Qdrant's keyword match: a list field matches when any element does; a list condition
    (MatchAny) when the value is any of it."""
    options = list(wanted) if isinstance(wanted, list | tuple) else [wanted]
    values = value if isinstance(value, list) else [value]
    return any(v in options for v in values if v is not None)


def rrf(rankings: list[list[int]], weights: list[float], k: int, limit: int) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion exactly as qdrant-client computes it."""
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for pos, row in enumerate(ranking):
            gain = 1 / ((pos + 1.0) / weight + k - 1.0) if weight > 0 else 0.0
            scores[row] = scores.get(row, 0.0) + gain
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)[:limit]


class MemoryIndex:
    def __init__(
        self,
        chunks: list[Chunk],
        payloads: list[dict[str, Any]],
        dense: np.ndarray,
        sparse_rows: list[tuple[list[int], list[float]]],
    ) -> None:
        self.chunks = chunks
        self.payloads = payloads
        norms = np.linalg.norm(dense, axis=1, keepdims=True) if len(dense) else dense
        self.dense = (dense / np.where(norms == 0, 1, norms)).astype(np.float32) if len(dense) else dense
        # Term ids are 31-bit hashes: map the ones that occur to compact columns.
        self.columns: dict[int, int] = {}
        data: list[float] = []
        rows: list[int] = []
        cols: list[int] = []
        for row, (indices, values) in enumerate(sparse_rows):
            for idx, val in zip(indices, values, strict=True):
                rows.append(row)
                cols.append(self.columns.setdefault(int(idx), len(self.columns)))
                data.append(float(val))
        shape = (len(chunks), max(len(self.columns), 1))
        self.sparse = sp.csc_matrix((data, (rows, cols)), shape=shape, dtype=np.float64)
        self.present = sp.csc_matrix((np.ones(len(data)), (rows, cols)), shape=shape, dtype=np.float64)
        self.doc_freq = np.diff(self.present.indptr)
        self._masks: dict[str, np.ndarray] = {}
        self._by_citation: dict[str, list[int]] = {}
        for row, chunk in enumerate(chunks):
            self._by_citation.setdefault(chunk.citation, []).append(row)
        self._lock = threading.Lock()

    @classmethod
    def from_points(cls, points: Iterable[StoredPoint], dense_name: str, sparse_name: str) -> MemoryIndex:
        chunks: list[Chunk] = []
        payloads: list[dict[str, Any]] = []
        dense: list[list[float]] = []
        sparse_rows: list[tuple[list[int], list[float]]] = []
        for p in points:
            vectors = p.vectors or {}
            vec = vectors.get(sparse_name)
            chunks.append(p.chunk)
            payloads.append(p.payload)
            dense.append(list(vectors.get(dense_name) or []))
            sparse_rows.append((list(vec.indices), list(vec.values)) if vec is not None else ([], []))
        width = max((len(d) for d in dense), default=0)
        matrix = np.array([d if len(d) == width else [0.0] * width for d in dense], dtype=np.float32)
        return cls(chunks, payloads, matrix.reshape(len(chunks), width), sparse_rows)

    def __len__(self) -> int:
        return len(self.chunks)

    # -- filters ---------------------------------------------------------------------------
    def mask(self, filters: Filters | None) -> np.ndarray:
        """Rows passing {'field': value | [any of]} and {'field!': value} (must not); cached
        per filter because a deployment only ever uses a handful of them."""
        if not filters:
            return np.ones(len(self.chunks), dtype=bool)
        key = repr(sorted((k, tuple(v) if isinstance(v, list | tuple) else v) for k, v in filters.items()))
        cached = self._masks.get(key)
        if cached is not None:
            return cached
        out = np.ones(len(self.chunks), dtype=bool)
        for name, wanted in filters.items():
            negate = name.endswith("!")
            field = name.rstrip("!")
            hit = np.fromiter(
                (_matches(_field(p, field), wanted) for p in self.payloads),
                dtype=bool,
                count=len(self.payloads),
            )
            out &= ~hit if negate else hit
        with self._lock:
            self._masks[key] = out
        return out

    # -- scoring ---------------------------------------------------------------------------
    def sparse_ranking(self, query: SparseVec, mask: np.ndarray, limit: int) -> list[int]:
        n = len(self.chunks)
        cols: list[int] = []
        weights: list[float] = []
        for idx, value in zip(query.indices, query.values, strict=True):
            col = self.columns.get(int(idx))
            if col is None:
                continue  # a term no document has adds nothing to any score
            df = int(self.doc_freq[col])
            cols.append(col)
            weights.append(value * math.log((n - df + 0.5) / (df + 0.5) + 1))
        if not cols:
            return []
        scores = (self.sparse[:, cols] @ np.array(weights)).astype(np.float32)
        overlap = (self.present[:, cols] @ np.ones(len(cols))) > 0
        scores = np.where(overlap & mask, scores, np.float32(-np.inf))
        return self._top(scores, limit)

    def dense_ranking(self, query: list[float], mask: np.ndarray, limit: int) -> list[int]:
        if not len(self.chunks) or not self.dense.shape[1]:
            return []
        q = np.asarray(query, dtype=np.float32)
        norm = float(np.linalg.norm(q))
        scores = self.dense @ (q / norm if norm else q)
        return self._top(np.where(mask, scores, np.float32(-np.inf)), limit)

    @staticmethod
    def _top(scores: np.ndarray, limit: int) -> list[int]:
        # Stable, so equal scores keep index order; Qdrant's own tie order depends on its
        # unstable sort, so the two may list exactly tied points in a different order.
        order = np.argsort(-scores, kind="stable")
        out: list[int] = []
        for row in order:
            if len(out) >= limit or scores[row] == -np.inf:
                break
            out.append(int(row))
        return out

    def query(
        self,
        dense: list[float] | None,
        sparse_query: SparseVec | None,
        *,
        limit: int,
        candidates: int,
        weights: tuple[float, float],
        rrf_k: int,
        filters: Filters | None = None,
    ) -> list[ScoredChunk]:
        mask = self.mask(filters)
        rankings: list[list[int]] = []
        used: list[float] = []
        if sparse_query is not None and sparse_query.indices and weights[0] > 0:
            rankings.append(self.sparse_ranking(sparse_query, mask, candidates))
            used.append(weights[0])
        if dense is not None and weights[1] > 0:
            rankings.append(self.dense_ranking(dense, mask, candidates))
            used.append(weights[1])
        if not rankings:
            return []
        return [ScoredChunk(self.chunks[row], score) for row, score in rrf(rankings, used, rrf_k, limit)]

    def by_citation(self, citation: str) -> list[Chunk]:
        return [self.chunks[row] for row in self._by_citation.get(citation, [])]


class OldStore(QdrantStore):
    """qdrant-client's local mode at `path`, searched through a `MemoryIndex` of each collection
    (built on a collection's first search; every write through this store drops it)."""

    def __init__(self, path: str, settings: QdrantSettings | None = None) -> None:
        super().__init__(settings or QdrantSettings(engine="local"), path)
        self._memory: dict[str, MemoryIndex] = {}
        self._copy_lock = threading.Lock()

    def memory_index(self, name: str) -> MemoryIndex:
        index = self._memory.get(name)
        if index is None:
            with self._copy_lock:
                index = self._memory.get(name)
                if index is None:
                    index = MemoryIndex.from_points(self.scroll(name, with_vectors=True), DENSE, SPARSE)
                    self._memory[name] = index
        return index

    def query(self, name: str, *args: Any, **kw: Any) -> list[ScoredChunk]:
        """QdrantStore.query's arguments (vectors, limit, candidates, weights, rrf_k, filters)."""
        return self.memory_index(name).query(*args, **kw)

    def by_citation(self, name: str, citation: str) -> list[Chunk]:
        return self.memory_index(name).by_citation(citation)

    # -- every write drops the copy it changes ----------------------------------------------------
    def add(self, name: str, items: list[EncodedChunk]) -> None:
        super().add(name, items)
        self._memory.pop(name, None)

    def delete(self, name: str, chunk_ids: list[str]) -> None:
        super().delete(name, chunk_ids)
        self._memory.pop(name, None)

    def copy_points(self, src: str, dst: str, points: list[StoredPoint]) -> None:
        super().copy_points(src, dst, points)
        self._memory.pop(dst, None)

    def drop(self, name: str) -> None:
        self._memory.pop(name, None)
        super().drop(name)

    def close(self) -> None:
        self._memory.clear()
        super().close()
