"""What only the Edge adapter does: the alias file, the store lock, leftovers of killed builds,
the HNSW build before search, and the export of the live version to qdrant-client (a Qdrant
server's API; here its local mode, since no server runs in tests) and to an archive."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from assistant.errors import IndexNotReady, StoreLocked
from assistant.settings import QdrantSettings
from assistant.store.base import EncodedChunk
from assistant.store.edge import EdgeStore, write_atomic
from assistant.store.export import archive, export_to_qdrant
from assistant.store.qdrant import QdrantStore
from tests.unit.store.test_qdrant import CHUNKS, EMBEDDER, encode, query


@pytest.fixture()
def edge(tmp_path: Path) -> Iterator[EdgeStore]:
    s = EdgeStore(QdrantSettings(), str(tmp_path / "edge"))
    s.create_collection("kenes__v1", EMBEDDER.dim)
    s.add("kenes__v1", encode(CHUNKS))
    s.swap_alias("kenes__v1")
    yield s
    s.close()


def test_alias_is_a_small_json_file_replaced_atomically(edge: EdgeStore, tmp_path: Path) -> None:
    root = tmp_path / "edge"
    assert json.loads((root / "kenes.alias.json").read_text()) == {"collection": "kenes__v1"}
    assert not list(root.glob(".*.tmp"))
    write_atomic(root / "x.json", "1")
    write_atomic(root / "x.json", "2")
    assert (root / "x.json").read_text() == "2" and not list(root.glob(".*.tmp"))


def test_alias_to_a_removed_version_is_no_index(edge: EdgeStore) -> None:
    edge.drop("kenes__v1")
    assert edge.live_collection() is None and edge.collections() == []
    with pytest.raises(IndexNotReady):
        edge.count("kenes__v1")


def test_lock_is_released_on_close(edge: EdgeStore, tmp_path: Path) -> None:
    other = EdgeStore(QdrantSettings(), str(tmp_path / "edge"))
    with pytest.raises(StoreLocked):
        other.collections()
    edge.close()
    try:
        assert other.live_collection() == "kenes__v1" and other.count("kenes") == len(CHUNKS)
    finally:
        other.close()


def test_create_over_a_leftover_directory(edge: EdgeStore, tmp_path: Path) -> None:
    (tmp_path / "edge" / "kenes__v2" / "segments").mkdir(parents=True)  # a build killed early
    edge.create_collection("kenes__v2", EMBEDDER.dim)
    assert edge.count("kenes__v2") == 0 and edge.collections() == ["kenes__v1", "kenes__v2"]


def test_writes_are_optimized_before_search(edge: EdgeStore) -> None:
    edge.delete("kenes__v1", ["law#st1@kk"])
    assert "kenes__v1" in edge._dirty
    assert query(edge, "рассматривается заявление")[0] == "law#st1@ru"
    assert "kenes__v1" not in edge._dirty


def _indexing_threshold(root: Path, name: str) -> object:
    return json.loads((root / name / "edge_config.json").read_text())["optimizers"]["indexing_threshold"]


def test_sparse_only_versions_are_never_indexed_and_still_search(tmp_path: Path) -> None:
    """A sparse-only version (a one-dimensional placeholder for the dense vector) has no graph to
    build, so its segments stay plain; a dense version keeps the engine's threshold, and an
    explicit setting wins over both."""
    root = tmp_path / "edge"
    store = EdgeStore(QdrantSettings(), str(root))
    try:
        sparse_only = [
            EncodedChunk(e.chunk, [0.0], e.sparse, e.lexical, e.content_hash, e.embed_hash)
            for e in encode(CHUNKS)
        ]
        store.create_collection("kenes__v1", 1)
        store.add("kenes__v1", sparse_only)
        store.create_collection("kenes__v2", EMBEDDER.dim)
        assert _indexing_threshold(root, "kenes__v1") == 0
        assert _indexing_threshold(root, "kenes__v2") is None
        hits = store.query("kenes__v1", [0.0], encode(CHUNKS[:1])[0].sparse, limit=3, candidates=10,
                           weights=(1.0, 0.0), rrf_k=10)  # fmt: skip
        assert hits[0].chunk.chunk_id == CHUNKS[0].chunk_id and store.count("kenes__v1") == len(CHUNKS)
    finally:
        store.close()
    explicit = EdgeStore(QdrantSettings(edge_indexing_threshold_kb=500), str(tmp_path / "other"))
    try:
        explicit.create_collection("kenes__v1", 1)
        assert _indexing_threshold(tmp_path / "other", "kenes__v1") == 500
    finally:
        explicit.close()


def test_reopened_store_reads_what_was_written(edge: EdgeStore, tmp_path: Path) -> None:
    edge.close()
    again = EdgeStore(QdrantSettings(), str(tmp_path / "edge"))
    try:
        assert again.count("kenes__v1") == len(CHUNKS)
        assert query(again, "реестр услуг")[0] == "law#st2.p2@ru"
    finally:
        again.close()


@pytest.mark.filterwarnings("ignore:Payload indexes have no effect")
def test_export_to_qdrant_keeps_points_alias_and_ranking(edge: EdgeStore, tmp_path: Path) -> None:
    client = QdrantClient(path=str(tmp_path / "server"))
    try:
        assert export_to_qdrant(edge, client, batch=4) == "kenes__v1"
        again = export_to_qdrant(edge, client)  # re-running replaces the earlier copy
        server = QdrantStore.over(client, QdrantSettings(engine="local"))
        assert again == server.live_collection() == "kenes__v1"
        assert server.count("kenes__v1") == len(CHUNKS)
        assert server.facet("kenes__v1", "lang") == edge.facet("kenes__v1", "lang")
        for text in ("В какой срок рассматривается заявление?", "реестр услуг"):
            assert query(server, text)[:1] == query(edge, text)[:1]
    finally:
        client.close()


def test_archive_opens_as_an_edge_store_elsewhere(edge: EdgeStore, tmp_path: Path) -> None:
    out = archive(edge, tmp_path / "out" / "live.tar.gz")
    with tarfile.open(out) as tar:
        tar.extractall(tmp_path / "elsewhere", filter="data")
    edge.close()
    moved = EdgeStore(QdrantSettings(), str(tmp_path / "elsewhere"))
    try:
        assert moved.live_collection() == "kenes__v1" and moved.count("kenes") == len(CHUNKS)
        assert query(moved, "реестр услуг")[0] == "law#st2.p2@ru"
    finally:
        moved.close()
