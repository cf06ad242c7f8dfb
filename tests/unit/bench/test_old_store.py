"""bench/old_store: the pre-Edge in-process search copy (Qdrant's fusion formula, filter
semantics, IDF, tie order) and the old store searching through it, kept for the benchmarks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qdrant_client import models
from qdrant_client.hybrid.fusion import reciprocal_rank_fusion

from assistant.domain import Chunk
from assistant.store.base import SparseVec
from bench.old_store import MemoryIndex, OldStore, rrf
from tests.unit.store import test_qdrant as store_tests
from tests.unit.store.test_qdrant import CHUNKS, EMBEDDER, encode, query


def chunk(i: int, **payload: object) -> Chunk:
    return Chunk(chunk_id=f"c{i}", citation=f"law#st{i}", kind="act", lang="ru", title="", text=str(i))


def index(payloads: list[dict[str, object]], sparse: list[tuple[list[int], list[float]]]) -> MemoryIndex:
    dense = np.eye(len(payloads), 4, dtype=np.float32) + 0.01
    return MemoryIndex([chunk(i) for i in range(len(payloads))], payloads, dense, sparse)


@pytest.mark.parametrize("weights", [[1.0, 1.0], [1.0, 0.15], [0.5, 2.0], [1.0, 0.0]])
def test_rrf_is_qdrant_clients_formula(weights: list[float]) -> None:
    a, b = [3, 1, 4, 0], [1, 5, 3, 2, 6]

    def points(ids: list[int]) -> list[models.ScoredPoint]:
        return [models.ScoredPoint(id=i, version=0, score=0.0) for i in ids]

    theirs = reciprocal_rank_fusion([points(a), points(b)], limit=5, ranking_constant_k=10, weights=weights)
    ours = rrf([a, b], weights, 10, 5)
    assert [int(p.id) for p in theirs] == [row for row, _ in ours]
    assert [p.score for p in theirs] == pytest.approx([score for _, score in ours])


def test_filters_match_like_qdrant_keyword_conditions() -> None:
    payloads: list[dict[str, object]] = [
        {"lang": "ru", "kind": "act"},
        {"lang": "kk", "kind": "act"},
        {"lang": "ru", "kind": "registry", "registry": {"automatable": "да", "agency": ["А", "Б"]}},
        {"lang": "ru", "kind": "registry", "registry": {"automatable": "нет", "agency": "В"}},
    ]
    idx = index(payloads, [([1], [1.0])] * 4)
    assert idx.mask(None).tolist() == [True] * 4
    assert idx.mask({"lang!": "kk"}).tolist() == [True, False, True, True]
    assert idx.mask({"kind": "registry", "registry.automatable": ["да", "частично"]}).tolist() == [
        False,
        False,
        True,
        False,
    ]
    assert idx.mask({"registry.agency": "Б"}).tolist() == [False, False, True, False]  # list field: any
    assert idx.mask({"registry.agency!": ("А",)}).tolist() == [True, True, False, True]  # missing ≠ match
    assert idx.mask({"lang!": "kk"}) is idx.mask({"lang!": "kk"})  # cached per filter


def test_sparse_uses_qdrant_idf_and_skips_points_without_overlap() -> None:
    # term 7 in every doc (low IDF), term 9 only in doc 2 (high IDF)
    idx = index([{}, {}, {}], [([7], [2.0]), ([7], [1.0]), ([7, 9], [1.0, 1.0])])
    mask = np.ones(3, dtype=bool)
    assert idx.sparse_ranking(SparseVec([9, 7], [1.0, 1.0]), mask, 10) == [2, 0, 1]
    assert idx.sparse_ranking(SparseVec([9], [1.0]), mask, 10) == [2]  # no overlap, no hit
    assert idx.sparse_ranking(SparseVec([12345], [1.0]), mask, 10) == []  # unknown term
    assert idx.sparse_ranking(SparseVec([7], [1.0]), np.array([False, True, True]), 1) == [1]


def test_ties_keep_index_order_and_limit_applies() -> None:
    idx = index([{}, {}, {}, {}], [([5], [1.0])] * 4)
    assert idx.sparse_ranking(SparseVec([5], [1.0]), np.ones(4, dtype=bool), 3) == [0, 1, 2]


def test_query_fuses_and_looks_up_citations() -> None:
    idx = index([{}, {}, {}], [([1], [1.0]), ([2], [1.0]), ([1, 2], [0.5, 0.5])])
    dense = [0.0, 1.0, 0.0, 0.0]  # nearest: row 1
    hits = idx.query(dense, SparseVec([1], [1.0]), limit=3, candidates=3, weights=(1.0, 0.15), rrf_k=10)
    assert [h.chunk.chunk_id for h in hits][:1] == ["c0"]
    only_dense = idx.query(dense, None, limit=1, candidates=3, weights=(1.0, 1.0), rrf_k=10)
    assert [h.chunk.chunk_id for h in only_dense] == ["c1"]
    assert idx.query(None, None, limit=3, candidates=3, weights=(1.0, 1.0), rrf_k=10) == []
    assert [c.chunk_id for c in idx.by_citation("law#st2")] == ["c2"] and idx.by_citation("x") == []


def test_old_store_searches_its_copy_and_every_write_refreshes_it(tmp_path: Path) -> None:
    first = OldStore(str(tmp_path / "q"))
    first.create_collection("kenes__v1", EMBEDDER.dim)
    first.add("kenes__v1", encode(CHUNKS))
    first.close()
    # a fresh store whose first call is a search builds its copy (it once deadlocked: the copy
    # took the store's lock, then connecting took it again)
    store = OldStore(str(tmp_path / "q"))
    try:
        assert query(store, "реестр услуг")[0] == "law#st2.p2@ru"
        assert "kenes__v1" in store._memory
        store_tests.test_every_write_refreshes_what_queries_see(store)
    finally:
        store.close()
