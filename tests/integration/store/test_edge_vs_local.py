"""Qdrant Edge (the embedded default) against the pre-Edge store on the real demo index: every
dev question gets the same dense and sparse candidates with the same scores (Edge's IDF and
cosine are the engine's own; the old path is qdrant-client's local mode), the same fused RRF
scores, and the same routed top 5."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.container import Container
from assistant.settings import QdrantSettings
from assistant.store.base import SparseVec
from assistant.store.edge import EdgeStore
from assistant.store.filters import edge_filter
from assistant.store.qdrant import QdrantStore
from tests.conftest import load_dev_items

QUESTIONS = [i["question"] for i in load_dev_items()]
KK = "әғқңөұүһі"


def grouped(pairs: list[tuple[str, float]]) -> list[tuple[float, frozenset[str]]]:
    """Ranked (id, score) pairs as groups of tied ids (equal to 1e-5 relative: Edge scores in
    float32, qdrant-client in float64): two engines may order ties differently, nothing else."""
    out: list[tuple[float, set[str]]] = []
    for cid, score in sorted(pairs, key=lambda p: -p[1]):
        if out and abs(out[-1][0] - score) <= 1e-5 * max(1.0, abs(score)):
            out[-1][1].add(cid)
        else:
            out.append((score, {cid}))
    return [(round(score, 3), frozenset(ids)) for score, ids in out]


@pytest.fixture(scope="module")
def old_store(demo_container: Container, tmp_path_factory: pytest.TempPathFactory) -> Iterator[QdrantStore]:
    """The live Edge version copied point for point into qdrant-client's local mode."""
    edge = demo_container.store
    assert isinstance(edge, EdgeStore)
    name = edge.require_live()
    path = tmp_path_factory.mktemp("local") / "qdrant"
    old = QdrantStore(QdrantSettings(engine="local"), str(path))
    points = list(edge.scroll(name, with_vectors=True))
    old.create_collection(name, len(points[0].vectors["dense"]))
    old.copy_points(name, name, points)
    old.swap_alias(name)
    yield old
    old.close()


def _vectors(c: Container, question: str, using: str) -> Any:
    lang: Any = "kk" if any(ch in question for ch in KK) else "ru"
    if using == "sparse":
        return SparseVec(*c.retriever.sparse.encode_query(question, lang))
    return c.embedder.embed_query(question)


@pytest.mark.parametrize("using", ["sparse", "dense"])
def test_candidate_lists_match_the_old_store(
    demo_container: Container, old_store: QdrantStore, using: str
) -> None:
    from qdrant_client import models
    from qdrant_edge import Query, QueryRequest, SparseVector

    edge = demo_container.store
    assert isinstance(edge, EdgeStore)
    name = edge.require_live()
    shard = edge._shard(name)
    for question in QUESTIONS:
        vec = _vectors(demo_container, question, using)
        if using == "sparse":
            if not vec.indices:
                continue
            ours_q: Any = SparseVector(indices=vec.indices, values=vec.values)
            theirs_q: Any = models.SparseVector(indices=vec.indices, values=vec.values)
        else:
            ours_q = theirs_q = vec
        ours = shard.query(
            QueryRequest(
                limit=30,
                query=Query.Nearest(ours_q, using=using),
                filter=edge_filter({"lang!": "kk"}),
                with_payload=["chunk_id"],
            )
        )
        theirs = old_store.client.query_points(
            name,
            query=theirs_q,
            using=using,
            limit=30,
            query_filter=models.Filter(
                must_not=[models.FieldCondition(key="lang", match=models.MatchValue(value="kk"))]
            ),
            with_payload=["chunk_id"],
        ).points
        ours_pairs = [(str((p.payload or {})["chunk_id"]), p.score) for p in ours]
        their_pairs = [(str((p.payload or {})["chunk_id"]), p.score) for p in theirs]
        if using == "sparse":
            # drop the last tied group: a cut-off can fall inside it
            assert grouped(ours_pairs)[:-1] == grouped(their_pairs)[:-1], question
            continue
        # dense: Edge walks an HNSW graph over int8 copies and rescores, qdrant-client scans
        # exactly; e5's cosines lie close together (0.83–0.87 over a top 30), so a neighbour may
        # swap in or out at the edge — the same cosines, nearly the same neighbours
        theirs_by = dict(their_pairs)
        common = [(cid, score) for cid, score in ours_pairs if cid in theirs_by]
        assert len(common) >= 0.9 * len(their_pairs), question
        for cid, score in common:
            assert score == pytest.approx(theirs_by[cid], abs=1e-4), (question, cid)


def test_fused_scores_match_the_old_store(demo_container: Container, old_store: QdrantStore) -> None:
    """Same weighted RRF: a chunk ranked alike on both sides gets the same fused score."""
    name = demo_container.store.require_live()
    s = demo_container.settings.retrieval
    kw: Any = {"limit": 32, "candidates": s.candidates, "weights": (s.sparse_weight, s.dense_weight)}
    same = total = 0
    for question in QUESTIONS:
        sparse = _vectors(demo_container, question, "sparse")
        dense = _vectors(demo_container, question, "dense")
        args = (name, dense, sparse)
        ours = demo_container.store.query(*args, rrf_k=s.rrf_k, filters={"lang!": "kk"}, **kw)
        theirs = old_store.query(*args, rrf_k=s.rrf_k, filters={"lang!": "kk"}, **kw)
        assert ours[0].score == pytest.approx(theirs[0].score, abs=1e-6), question
        their_scores = {t.chunk.chunk_id: t.score for t in theirs}
        for hit in ours[:8]:
            total += 1
            same += abs(their_scores.get(hit.chunk.chunk_id, -1.0) - hit.score) < 1e-6
    assert same / total >= 0.9  # the rest differ only by how exact ties were ordered


def test_routed_top5_is_the_same_either_way(demo_container: Container, old_store: QdrantStore) -> None:
    retriever = demo_container.routed_retriever.retriever
    edge = retriever.store
    for question in QUESTIONS:
        new = [h.chunk.citation for h in demo_container.routed_retriever.search(question, top_k=8).hits]
        retriever.store = old_store
        try:
            old = [h.chunk.citation for h in demo_container.routed_retriever.search(question, top_k=8).hits]
        finally:
            retriever.store = edge
        assert set(new[:5]) == set(old[:5]) or new[:4] == old[:4], question


def test_edge_is_the_embedded_default(tmp_path: Path) -> None:
    from tests.conftest import make_settings

    c = Container(make_settings(tmp_path / "data"))
    try:
        assert isinstance(c.store, EdgeStore)
        assert c.store.collections() == [] and (tmp_path / "data" / "edge").is_dir()
    finally:
        c.close()
    local = Container(make_settings(tmp_path / "data2", qdrant={"engine": "local"}))
    assert isinstance(local.store, QdrantStore)


def test_similarities_are_each_citations_best_window_in_both_stores(
    demo_container: Container, old_store: QdrantStore
) -> None:
    """What the learned ranker reads: per citation, the cosine of its best window — the same
    from Edge and from qdrant-client, and equal to the cosine computed from the stored vectors."""
    import numpy as np

    edge = demo_container.store
    assert isinstance(edge, EdgeStore)
    name = edge.require_live()
    points = list(edge.scroll(name, with_vectors=True))
    for question in QUESTIONS[:5]:
        hits = demo_container.retriever.search(question, top_k=10).hits
        citations = [h.chunk.citation for h in hits]
        q = np.array(demo_container.embedder.embed_query(question))
        ours = edge.similarities(name, q.tolist(), citations)
        theirs = old_store.similarities(name, q.tolist(), citations)
        assert set(ours) == set(citations) == set(theirs)
        for citation in citations:
            windows = [np.array(p.vectors["dense"]) for p in points if p.payload["citation"] == citation]
            direct = max(float(v @ q / (np.linalg.norm(v) * np.linalg.norm(q))) for v in windows)
            assert ours[citation] == pytest.approx(direct, abs=2e-2)  # Edge searches int8 copies
            assert theirs[citation] == pytest.approx(direct, abs=1e-4)
