"""Qdrant Edge adapter: the embedded default store (Qdrant's engine in-process, on disk).

One Edge shard directory per index version (`<root>/<alias>__<version>/`); the live "alias" is a
small JSON file replaced atomically (write a temp file, fsync, `os.replace`, fsync the folder), so
a promote is one rename and a process killed mid-build leaves the old version serving. The engine
does all scoring — cosine dense, sparse with the IDF modifier, weighted RRF over two prefetches —
the same query qdrant-client sends to a server. `qdrant_edge` is imported only when a store opens.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from assistant.domain import Chunk
from assistant.errors import IndexNotReady, StoreLocked
from assistant.store.base import EncodedChunk, ScoredChunk, SparseVec, StoredPoint
from assistant.store.filters import edge_filter
from assistant.store.fusion import TIE_MARGIN, fuse_sides
from assistant.store.qdrant import (
    DENSE,
    KEYWORD_INDEXES,
    SPARSE,
    WINDOWS_PER_CITATION,
    PagedReads,
    best_per_citation,
    chunk_from_payload,
    point_id,
    point_payload,
)

if TYPE_CHECKING:
    from qdrant_edge import EdgeShard

    from assistant.settings import QdrantSettings

log = logging.getLogger(__name__)

_BATCH = 256
_LOCK_FILE = ".lock"


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` so a reader (or a crash) sees the old content or the new, never half."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a power cut
    finally:
        os.close(dir_fd)


class EdgeStore(PagedReads):
    def __init__(self, settings: QdrantSettings, path: str) -> None:
        self._settings = settings
        self._root = Path(path)
        self._shards: dict[str, EdgeShard] = {}
        self._dirty: set[str] = set()  # written since their last optimize: HNSW not built yet
        self._lock = threading.RLock()
        self._lock_fh: IO[str] | None = None

    # -- the process lock ------------------------------------------------------------------
    def _open(self) -> Path:
        """Take the store-wide lock on first use: like qdrant-client's local mode, one process
        owns an embedded index (Edge also locks each shard's WAL, but the alias file and the set
        of versions need one owner too)."""
        if self._lock_fh is None:
            with self._lock:
                if self._lock_fh is None:
                    self._root.mkdir(parents=True, exist_ok=True)
                    fh = (self._root / _LOCK_FILE).open("a+", encoding="utf-8")
                    try:
                        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError as exc:
                        fh.close()
                        raise StoreLocked(
                            f"The index at {self._root} is in use by another Kenes process (usually "
                            "`kenes serve`). Stop it, or send updates through its admin API."
                        ) from exc
                    self._lock_fh = fh
        return self._root

    def close(self) -> None:
        with self._lock:
            for shard in self._shards.values():
                shard.close()
            self._shards.clear()
            self._dirty.clear()
            if self._lock_fh is not None:
                fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
                self._lock_fh.close()
                self._lock_fh = None

    # -- versions and the live alias -------------------------------------------------------
    @property
    def alias(self) -> str:
        return self._settings.collection

    def _alias_file(self) -> Path:
        return self._open() / f"{self.alias}.alias.json"

    def live_collection(self) -> str | None:
        path = self._alias_file()
        if not path.exists():
            return None
        name = str(json.loads(path.read_text(encoding="utf-8"))["collection"])
        return name if (self._root / name).is_dir() else None

    def require_live(self) -> str:
        name = self.live_collection()
        if name is None:
            raise IndexNotReady("No index yet: run `kenes ingest` first.")
        return name

    def collections(self) -> list[str]:
        prefix = f"{self.alias}__"
        return sorted(p.name for p in self._open().iterdir() if p.is_dir() and p.name.startswith(prefix))

    def create_collection(self, name: str, dense_dim: int) -> None:
        from qdrant_edge import (
            Distance,
            EdgeConfig,
            EdgeOptimizersConfig,
            EdgeShard,
            EdgeSparseVectorParams,
            EdgeVectorParams,
            HnswIndexConfig,
            Memory,
            Modifier,
            PayloadSchemaType,
            ScalarQuantizationConfig,
            ScalarType,
            UpdateOperation,
        )

        s = self._settings
        sparse_only = dense_dim <= 1  # the placeholder vector of `embeddings.mode=none`
        threshold = s.edge_indexing_threshold_kb
        if threshold is None and sparse_only:
            # 0 = never index: with no dense graph to build, the indexing optimizer only rewrote
            # every segment, which took longer than the whole sparse analysis, and sparse search
            # on the plain segments is as fast (bench/ingest, docs/benchmarks.md)
            threshold = 0
        memory = {"cold": Memory.Cold, "cached": Memory.Cached, "pinned": Memory.Pinned}
        int8 = ScalarQuantizationConfig(type=ScalarType.Int8, quantile=0.99, memory=Memory.Pinned)
        config = EdgeConfig(
            vectors={
                DENSE: EdgeVectorParams(
                    size=dense_dim,
                    distance=Distance.Cosine,
                    memory=memory[s.edge_vector_memory],
                    quantization_config=int8 if s.edge_quantization == "int8" and not sparse_only else None,
                    # the sparse-only placeholder (one dimension, the same for every point, never
                    # searched): no graph to build over a million identical points
                    hnsw_config=HnswIndexConfig(
                        m=0, ef_construct=s.edge_hnsw_ef_construct, full_scan_threshold=10_000
                    )
                    if sparse_only
                    else None,
                )
            },
            sparse_vectors={
                SPARSE: EdgeSparseVectorParams(modifier=Modifier.Idf, memory=memory[s.edge_sparse_memory])
            },
            hnsw_config=HnswIndexConfig(
                m=s.edge_hnsw_m, ef_construct=s.edge_hnsw_ef_construct, full_scan_threshold=10_000
            ),
            optimizers=EdgeOptimizersConfig(indexing_threshold=threshold),
            max_search_threads=s.edge_search_threads,
        )
        with self._lock:
            path = self._open() / name
            if path.exists():  # a build killed before it wrote anything usable
                self.drop(name)
            shard = EdgeShard.create(str(path), config)
            for field in KEYWORD_INDEXES:
                shard.update(UpdateOperation.create_field_index(field, PayloadSchemaType.Keyword))
            self._shards[name] = shard

    def swap_alias(self, name: str) -> None:
        """Point the live alias at `name`: one atomic file replace."""
        self._optimized(name)  # a version goes live with its HNSW graph built
        write_atomic(self._alias_file(), json.dumps({"collection": name}))

    def drop(self, name: str) -> None:
        with self._lock:
            shard = self._shards.pop(name, None)
            if shard is not None:
                shard.close()
            self._dirty.discard(name)
            shutil.rmtree(self._open() / name, ignore_errors=True)

    def _version(self, name: str) -> str:
        """A version's own name, also when it is read through the alias name (as on a server)."""
        return self.require_live() if name == self.alias else name

    def _shard(self, name: str) -> EdgeShard:
        name = self._version(name)
        shard = self._shards.get(name)
        if shard is None:
            with self._lock:
                shard = self._shards.get(name)
                if shard is None:
                    from qdrant_edge import EdgeShard

                    path = self._open() / name
                    if not path.is_dir():
                        raise IndexNotReady(f"No index version {name!r} in {self._root}.")
                    shard = EdgeShard.load(str(path))
                    self._shards[name] = shard
        return shard

    def _optimized(self, name: str) -> EdgeShard:
        """Merge segments and build the HNSW graph of a shard written to since its last
        optimize; Edge has no background optimizer, so this runs before the shard is searched
        (the build's probe query, or the promote) rather than on every write."""
        shard = self._shard(name)
        if name in self._dirty:
            with self._lock:
                if name in self._dirty:
                    shard.optimize()
                    shard.flush()
                    self._dirty.discard(name)
        return shard

    # -- counts and facets -----------------------------------------------------------------
    def count(self, name: str, filters: dict[str, Any] | None = None) -> int:
        from qdrant_edge import CountRequest

        return int(self._shard(name).count(CountRequest(exact=True, filter=edge_filter(filters))))

    def facet(self, name: str, key: str, filters: dict[str, Any] | None = None) -> dict[str, int]:
        """Points per value of the keyword field `key` (exact; every value, not a top few)."""
        from qdrant_edge import FacetRequest

        shard = self._shard(name)
        limit = max(1, shard.info().points_count)
        hits = shard.facet(FacetRequest(key=key, limit=limit, exact=True, filter=edge_filter(filters))).hits
        return {str(h.value): int(h.count) for h in hits}

    # -- writes ----------------------------------------------------------------------------
    def _upsert(self, name: str, points: list[Any]) -> None:
        from qdrant_edge import UpdateOperation

        shard = self._shard(name)
        for start in range(0, len(points), _BATCH):
            shard.update(UpdateOperation.upsert_points(points[start : start + _BATCH]))
        self._dirty.add(name)

    def add(self, name: str, items: list[EncodedChunk]) -> None:
        if not items:
            return
        from qdrant_edge import Point, SparseVector

        self._upsert(
            name,
            [
                Point(
                    id=point_id(item.chunk.chunk_id),
                    vector={
                        DENSE: item.dense,
                        SPARSE: SparseVector(indices=item.sparse.indices, values=item.sparse.values),
                    },
                    payload=point_payload(item),
                )
                for item in items
            ],
        )

    def delete(self, name: str, chunk_ids: list[str]) -> None:
        if not chunk_ids:
            return
        from qdrant_edge import UpdateOperation

        self._shard(name).update(UpdateOperation.delete_points([point_id(c) for c in chunk_ids]))
        self._dirty.add(name)

    def copy_points(self, src: str, dst: str, points: list[StoredPoint]) -> None:
        """Copy stored points (vectors as they are, payload as given) into another version; how
        an incremental update carries unchanged items over without re-embedding them."""
        from qdrant_edge import Point, SparseVector

        out = []
        for p in points:
            vectors = dict(p.vectors or {})
            sparse = vectors.get(SPARSE)
            if sparse is not None and not isinstance(sparse, SparseVector):
                vectors[SPARSE] = SparseVector(indices=list(sparse.indices), values=list(sparse.values))
            out.append(Point(id=point_id(p.chunk.chunk_id), vector=vectors, payload=p.payload))
        self._upsert(dst, out)

    # -- reads -----------------------------------------------------------------------------
    def _pages(
        self, name: str, payload: bool | list[str], vectors: bool | list[str], filters: dict[str, Any] | None
    ) -> Iterator[tuple[dict[str, Any], Any]]:
        from qdrant_edge import ScrollRequest

        shard = self._shard(name)
        flt = edge_filter(filters)
        offset: Any = None
        while True:
            records, offset = shard.scroll(
                ScrollRequest(offset=offset, limit=512, filter=flt, with_payload=payload, with_vector=vectors)
            )
            for r in records:
                yield dict(r.payload or {}), (r.vector if vectors else None)
            if offset is None:
                return

    def clone(self, src: str, dst: str) -> None:
        """Copy the flushed shard directory: segments, HNSW graphs and payload indexes come
        along, so an update of one act at a million chunks re-sends and re-indexes only that act."""
        from qdrant_edge import EdgeShard

        with self._lock:
            source = self._optimized(src)
            source.flush()
            path = self._open() / dst
            if path.exists():
                self.drop(dst)
            shutil.copytree(self._root / self._version(src), path, ignore=shutil.ignore_patterns(_LOCK_FILE))
            self._shards[dst] = EdgeShard.load(str(path))

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
    ) -> list[ScoredChunk]:
        from qdrant_edge import Query, QueryBatchRequest, QueryRequest, SearchParams, SparseVector

        flt = edge_filter(filters)
        params = SearchParams(hnsw_ef=self._settings.edge_hnsw_ef) if self._settings.edge_hnsw_ef else None
        depth = candidates + TIE_MARGIN
        sides: list[tuple[QueryRequest, float]] = []
        if sparse is not None and sparse.indices and weights[0] > 0:
            vec = SparseVector(indices=sparse.indices, values=sparse.values)
            sides.append(
                (QueryRequest(limit=depth, query=Query.Nearest(vec, using=SPARSE), filter=flt), weights[0])
            )
        if dense is not None and weights[1] > 0:
            near = Query.Nearest(dense, using=DENSE)
            sides.append((QueryRequest(limit=depth, query=near, filter=flt, params=params), weights[1]))
        if not sides:
            return []
        shard = self._optimized(name)
        # each side scored by the engine in one batch; the fusion is ours (store/fusion: ties)
        lists = shard.query_batch(QueryBatchRequest([request for request, _ in sides]))
        fused = fuse_sides(
            [[(str(p.id), float(p.score)) for p in points] for points in lists],
            [weight for _, weight in sides],
            candidates,
            rrf_k,
            limit,
        )
        records = {
            str(r.id): r
            for r in shard.retrieve([pid for pid, _ in fused], with_payload=True, with_vector=False)
        }
        return [
            ScoredChunk(chunk_from_payload(records[pid].payload or {}), score)
            for pid, score in fused
            if pid in records
        ]

    def similarities(self, name: str, dense: list[float], citations: list[str]) -> dict[str, float]:
        from qdrant_edge import Query, QueryRequest

        if not citations:
            return {}
        request = QueryRequest(
            limit=len(citations) * WINDOWS_PER_CITATION,
            query=Query.Nearest(dense, using=DENSE),
            filter=edge_filter({"citation": list(citations)}),
            with_payload=["citation"],  # the score per citation is all that is read
        )
        points = self._optimized(name).query(request)
        return best_per_citation((p.payload or {}, float(p.score)) for p in points)

    def by_citation(self, name: str, citation: str) -> list[Chunk]:
        from qdrant_edge import ScrollRequest

        records, _ = self._shard(name).scroll(
            ScrollRequest(limit=256, filter=edge_filter({"citation": citation}), with_payload=True)
        )
        return [chunk_from_payload(r.payload or {}) for r in records]

    def shard_path(self, name: str) -> Path:
        """The directory of one version, flushed: what an export copies."""
        shard = self._optimized(name)
        shard.flush()
        return self._root / self._version(name)
