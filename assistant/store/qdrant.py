"""Qdrant adapter: embedded local mode (`qdrant.path`) or a server (`qdrant.url`), one code path.

Points are written and read with qdrant-client directly: the payload is the chunk and its two
hashes, the same as the embedded engine's (`point_payload`); a hybrid search has the server score
the sparse and the dense side in one batch and fuses them in `store/fusion` (ties settled)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from assistant.domain import Chunk
from assistant.errors import IndexNotReady, StoreLocked
from assistant.store.base import EncodedChunk, ScoredChunk, SparseVec, StoredPoint
from assistant.store.filters import build_filter
from assistant.store.fusion import TIE_MARGIN, fuse_sides

if TYPE_CHECKING:
    from qdrant_client import QdrantClient

    from assistant.settings import QdrantSettings

log = logging.getLogger(__name__)

DENSE = "dense"
# windows of one article (both languages) a similarity look-up reads at most
WINDOWS_PER_CITATION = 8
SPARSE = "sparse"
_NS = uuid.UUID("6f1c2a52-3b7e-4e55-9a44-0c8f6f0b7a11")
_CHUNK_FIELDS = set(Chunk.model_fields)
_BATCH = 256  # points per write request
# Only fields a query filters or facets on: each index costs the build a pass over every
# point's payload (about 0.25 s per 15k points on Edge), and points are found by id, not chunk_id.
KEYWORD_INDEXES = (
    "citation",
    "kind",
    "lang",
    "act_slug",
    "registry.agency",
    "registry.category",
    "registry.automatable",
    "registry.automation_risk",
    "registry.act_slug",
)


def point_id(chunk_id: str) -> str:
    return str(uuid.uuid5(_NS, chunk_id))


def point_payload(item: EncodedChunk) -> dict[str, Any]:
    """What both engines store with a point: the chunk, and the hashes an incremental update
    compares to tell unchanged, payload-only and re-embedded items apart."""
    return {**item.chunk.model_dump(), "content_hash": item.content_hash, "embed_hash": item.embed_hash}


def chunk_from_payload(payload: dict[str, Any]) -> Chunk:
    return Chunk.model_validate({k: v for k, v in payload.items() if k in _CHUNK_FIELDS})


def stored_point(payload: dict[str, Any], vectors: Any = None) -> StoredPoint:
    """A point read back from either engine (payload as stored, vectors if asked for)."""
    return StoredPoint(
        chunk=chunk_from_payload(payload),
        content_hash=str(payload.get("content_hash", "")),
        embed_hash=str(payload.get("embed_hash", "")),
        payload=payload,
        vectors=vectors,
    )


class PagedReads:
    """`scroll` and `scan` over an engine's own paging (`_pages`: payload keys or all, vector
    names or all, an optional filter) — the same for both engines."""

    def _pages(
        self, name: str, payload: bool | list[str], vectors: bool | list[str], filters: dict[str, Any] | None
    ) -> Iterator[tuple[dict[str, Any], Any]]:
        raise NotImplementedError

    def scroll(
        self, name: str, *, with_vectors: bool = False, filters: dict[str, Any] | None = None
    ) -> Iterator[StoredPoint]:
        for payload, vector in self._pages(name, True, with_vectors, filters):
            yield stored_point(payload, vector)

    def scan(self, name: str, keys: list[str]) -> Iterator[tuple[dict[str, Any], list[int]]]:
        for payload, vector in self._pages(name, list(keys), [SPARSE], None):
            sparse = vector.get(SPARSE) if isinstance(vector, dict) else None
            yield payload, list(getattr(sparse, "indices", None) or [])


class QdrantStore(PagedReads):
    def __init__(self, settings: QdrantSettings, path: str) -> None:
        self._settings = settings
        self._path = path
        self._client: QdrantClient | None = None
        self._lock = threading.Lock()

    @classmethod
    def over(cls, client: QdrantClient, settings: QdrantSettings) -> QdrantStore:
        """A store on an already open client (an export's target server)."""
        store = cls(settings, "")
        store._client = client
        return store

    # -- connection -------------------------------------------------------------------------
    @property
    def client(self) -> QdrantClient:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._connect()
        return self._client

    def _connect(self) -> QdrantClient:
        from qdrant_client import QdrantClient

        if self._settings.url:
            key = self._settings.api_key.get_secret_value() if self._settings.api_key else None
            return QdrantClient(url=self._settings.url, api_key=key, timeout=30)
        try:
            return QdrantClient(path=self._path)
        except RuntimeError as exc:
            if "already accessed" in str(exc):
                raise StoreLocked(
                    f"The index at {self._path} is in use by another Kenes process (usually "
                    "`kenes serve`). Stop it, or send updates through its admin API."
                ) from exc
            raise

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- collections and the live alias ----------------------------------------------------
    @property
    def alias(self) -> str:
        return self._settings.collection

    def live_collection(self) -> str | None:
        for alias in self.client.get_aliases().aliases:
            if alias.alias_name == self.alias:
                return alias.collection_name
        return None

    def require_live(self) -> str:
        name = self.live_collection()
        if name is None:
            raise IndexNotReady("No index yet: run `kenes ingest` first.")
        return name

    def collections(self) -> list[str]:
        prefix = f"{self.alias}__"
        return sorted(c.name for c in self.client.get_collections().collections if c.name.startswith(prefix))

    def create_collection(self, name: str, dense_dim: int) -> None:
        from qdrant_client import models

        self.client.create_collection(
            collection_name=name,
            vectors_config={DENSE: models.VectorParams(size=dense_dim, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        if self._settings.url:  # payload indexes are a no-op (with a warning) in local mode
            for field in KEYWORD_INDEXES:
                self.client.create_payload_index(name, field, models.PayloadSchemaType.KEYWORD)

    def swap_alias(self, name: str) -> None:
        """Atomically point the live alias at `name` (delete + create in one request)."""
        from qdrant_client import models

        ops: list[Any] = []
        if self.live_collection() is not None:
            ops.append(models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=self.alias)))
        ops.append(
            models.CreateAliasOperation(
                create_alias=models.CreateAlias(collection_name=name, alias_name=self.alias)
            )
        )
        self.client.update_collection_aliases(change_aliases_operations=ops)

    def drop(self, name: str) -> None:
        self.client.delete_collection(name)

    def count(self, name: str, filters: dict[str, Any] | None = None) -> int:
        return int(self.client.count(name, count_filter=build_filter(filters), exact=True).count)

    def facet(self, name: str, key: str, filters: dict[str, Any] | None = None) -> dict[str, int]:
        limit = max(1, self.count(name))
        hits = self.client.facet(name, key, facet_filter=build_filter(filters), limit=limit, exact=True).hits
        return {str(h.value): int(h.count) for h in hits}

    # -- writes ----------------------------------------------------------------------------
    def add(self, name: str, items: list[EncodedChunk]) -> None:
        from qdrant_client import models

        for start in range(0, len(items), _BATCH):
            points = [
                models.PointStruct(
                    id=point_id(item.chunk.chunk_id),
                    vector={
                        DENSE: item.dense,
                        SPARSE: models.SparseVector(indices=item.sparse.indices, values=item.sparse.values),
                    },
                    payload=point_payload(item),
                )
                for item in items[start : start + _BATCH]
            ]
            self.client.upsert(name, points)

    def delete(self, name: str, chunk_ids: list[str]) -> None:
        from qdrant_client import models

        if chunk_ids:
            self.client.delete(name, models.PointIdsList(points=[point_id(c) for c in chunk_ids]))

    def copy_points(self, src: str, dst: str, points: list[StoredPoint]) -> None:
        """Copy stored points (vectors as they are, payload as given) into another collection;
        how an incremental update carries unchanged items over without re-embedding them."""
        from qdrant_client import models

        batch: list[models.PointStruct] = []
        for p in points:
            vectors = dict(p.vectors or {})
            sparse = vectors.get(SPARSE)
            if sparse is not None and not isinstance(sparse, models.SparseVector):
                # points read from another engine (Qdrant Edge): same data, its own class
                vectors[SPARSE] = models.SparseVector(
                    indices=list(sparse.indices), values=list(sparse.values)
                )
            batch.append(models.PointStruct(id=point_id(p.chunk.chunk_id), vector=vectors, payload=p.payload))
            if len(batch) == _BATCH:
                self.client.upsert(dst, batch)
                batch = []
        if batch:
            self.client.upsert(dst, batch)

    # -- reads -----------------------------------------------------------------------------
    def _pages(
        self, name: str, payload: bool | list[str], vectors: bool | list[str], filters: dict[str, Any] | None
    ) -> Iterator[tuple[dict[str, Any], Any]]:
        offset: Any = None
        while True:
            points, offset = self.client.scroll(
                name,
                limit=512,
                offset=offset,
                scroll_filter=build_filter(filters),
                with_payload=payload,
                with_vectors=vectors,
            )
            for p in points:
                yield dict(p.payload or {}), (p.vector if vectors else None)
            if offset is None:
                return

    def clone(self, src: str, dst: str) -> None:
        """Through the client, point by point (a server copies collections only via snapshots)."""
        source = self.require_live() if src == self.alias else src
        info = self.client.get_collection(source).config.params.vectors
        dim = info[DENSE].size if isinstance(info, dict) else info.size  # type: ignore[union-attr]
        self.create_collection(dst, dim)
        batch: list[StoredPoint] = []
        for point in self.scroll(source, with_vectors=True):
            batch.append(point)
            if len(batch) >= 512:
                self.copy_points(source, dst, batch)
                batch = []
        self.copy_points(source, dst, batch)

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
        from qdrant_client import models

        flt = build_filter(filters)
        depth = candidates + TIE_MARGIN
        sides: list[tuple[models.QueryRequest, float]] = []
        if sparse is not None and sparse.indices and weights[0] > 0:
            vec = models.SparseVector(indices=sparse.indices, values=sparse.values)
            sides.append((models.QueryRequest(query=vec, using=SPARSE, limit=depth, filter=flt), weights[0]))
        if dense is not None and weights[1] > 0:
            sides.append((models.QueryRequest(query=dense, using=DENSE, limit=depth, filter=flt), weights[1]))
        if not sides:
            return []
        # each side scored by the engine in one batch; the fusion is ours (store/fusion: ties)
        lists = self.client.query_batch_points(name, [request for request, _ in sides])
        fused = fuse_sides(
            [[(str(p.id), float(p.score)) for p in response.points] for response in lists],
            [weight for _, weight in sides],
            candidates,
            rrf_k,
            limit,
        )
        records = {
            str(r.id): r for r in self.client.retrieve(name, [pid for pid, _ in fused], with_payload=True)
        }
        return [
            ScoredChunk(chunk_from_payload(records[pid].payload or {}), score)
            for pid, score in fused
            if pid in records
        ]

    def similarities(self, name: str, dense: list[float], citations: list[str]) -> dict[str, float]:
        if not citations:
            return {}
        response = self.client.query_points(
            name,
            query=dense,
            using=DENSE,
            query_filter=build_filter({"citation": list(citations)}),
            limit=len(citations) * WINDOWS_PER_CITATION,
            with_payload=["citation"],
        )
        return best_per_citation((p.payload or {}, float(p.score)) for p in response.points)

    def by_citation(self, name: str, citation: str) -> list[Chunk]:
        from qdrant_client import models

        points, _ = self.client.scroll(
            name,
            scroll_filter=models.Filter(
                must=[models.FieldCondition(key="citation", match=models.MatchValue(value=citation))]
            ),
            limit=256,
            with_payload=True,
        )
        return [chunk_from_payload(p.payload or {}) for p in points]


def best_per_citation(scored: Iterable[tuple[dict[str, Any], float]]) -> dict[str, float]:
    best: dict[str, float] = {}
    for payload, score in scored:
        citation = str(payload.get("citation", ""))
        best[citation] = max(score, best.get(citation, score))
    return best
