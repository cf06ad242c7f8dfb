"""Hybrid retrieval: BM25-style sparse vectors over lemmas/stems (the strong side for Russian and
Kazakh with the packaged English-centric embedder) fused by weighted RRF with dense vectors."""

from __future__ import annotations

import time
from typing import Any, Literal

from assistant.domain import Lang, SearchHit, SearchResult
from assistant.embeddings.base import Embedder
from assistant.settings import RetrievalSettings
from assistant.store.base import SparseVec, VectorStore
from assistant.text.lang import detect_lang
from assistant.text.sparse import SparseEncoder

Mode = Literal["hybrid", "sparse", "dense"]


class HybridRetriever:
    def __init__(
        self, store: VectorStore, embedder: Embedder, sparse: SparseEncoder, settings: RetrievalSettings
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.sparse = sparse
        self.settings = settings

    def similarities(self, result: SearchResult, citations: list[str]) -> dict[str, float]:
        """Dense similarity of each citation to the question of `result` (its vector reused),
        for the learned ranker; empty when the dense side is off (sparse-only mode has no model)."""
        if self.embedder.name == "none" or not citations:
            return {}
        vector = result.query_vector or self.embedder.embed_query(result.query)
        return self.store.similarities(result.index_version, vector, citations)

    def search(
        self,
        query: str,
        *,
        top_k: int | None = None,
        lang: Lang | None = None,
        filters: dict[str, Any] | None = None,
        mode: Mode = "hybrid",
        collection: str | None = None,
    ) -> SearchResult:
        started = time.perf_counter()
        top_k = top_k or self.settings.top_k
        lang = lang or detect_lang(query)
        name = collection or self.store.live_collection()
        if name is None:
            from assistant.errors import IndexNotReady

            raise IndexNotReady("No index yet: run `kenes ingest` first.")
        flt = dict(filters or {})
        if lang == "ru":
            # a Russian question wants Russian text; Kazakh questions may still land on
            # Russian-only acts and on the (Russian) registry, bridged lexically
            flt.setdefault("lang!", "kk")
        weights = {
            "hybrid": (self.settings.sparse_weight, self.settings.dense_weight),
            "sparse": (1.0, 0.0),
            "dense": (0.0, 1.0),
        }[mode]
        t0 = time.perf_counter()
        sparse = SparseVec(*self.sparse.encode_query(query, lang)) if weights[0] > 0 else None
        dense = self.embedder.embed_query(query) if weights[1] > 0 else None
        t1 = time.perf_counter()
        scored = self.store.query(
            name,
            dense,
            sparse,
            limit=top_k * 4,
            candidates=self.settings.candidates,
            weights=weights,
            rrf_k=self.settings.rrf_k,
            filters=flt,
        )
        t2 = time.perf_counter()
        # RRF scores are sums of 1/(k + rank), so exact ties are common, and the engine orders
        # tied points differently from one process to the next: the chunk id settles them, so
        # a question gets the same sources every time (and a refit the same training rows)
        scored = sorted(scored, key=lambda s: (-s.score, s.chunk.chunk_id))
        hits: list[SearchHit] = []
        seen: dict[str, int] = {}
        for item in scored:
            citation = item.chunk.citation
            if citation in seen:
                # same article in both languages: show the one in the language asked
                idx = seen[citation]
                if hits[idx].chunk.lang != lang and item.chunk.lang == lang:
                    hits[idx] = SearchHit(chunk=item.chunk, score=hits[idx].score)
                continue
            seen[citation] = len(hits)
            hits.append(SearchHit(chunk=item.chunk, score=item.score))
        hits = hits[:top_k]
        timings = {
            "encode_ms": (t1 - t0) * 1000,
            "store_ms": (t2 - t1) * 1000,
            "total_ms": (time.perf_counter() - started) * 1000,
        }
        return SearchResult(
            query=query, lang=lang, hits=hits, timings=timings, index_version=name, query_vector=dense
        )
