"""Full builds on a real embedded Qdrant in a temp dir (hashing embedder): alias swap, pruning,
rollback, and failures that leave the previous version live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.embeddings.hashing import HashingEmbedder
from assistant.errors import IndexNotReady, KenesError, ValidationProblem
from assistant.store.base import EncodedChunk
from assistant.store.qdrant import QdrantStore
from assistant.text.sparse import SparseEncoder
from assistant.text.views import dense_text, lexical_text
from ingest.manifest import Manifest, VersionInfo
from ingest.pipeline import Encoder, IngestPipeline, content_hash, count_chunks, embed_hash
from ingest.registry import RegistryRow, row_to_chunk
from ingest.sources import load_sources
from tests.unit.rag import tiny_data as td

pytestmark = pytest.mark.usefixtures("distinct_created")


def encoder() -> Encoder:
    return Encoder(HashingEmbedder(), SparseEncoder(td.analyzer()))


def make_pipeline(store: Any, tmp_path: Path, keep: int = 3) -> IngestPipeline:
    return IngestPipeline(
        store, encoder(), Manifest(tmp_path / "index" / "manifest.json"), keep_versions=keep
    )


class FailingStore:
    """A store that writes part of a batch, then fails like a disk or a server would."""

    def __init__(self, inner: QdrantStore, *, fail_on: str = "add", exc: BaseException | None = None) -> None:
        self.inner = inner
        self.fail_on = fail_on
        self.exc = exc or RuntimeError("disk full")

    def add(self, name: str, items: list[EncodedChunk]) -> None:
        if self.fail_on == "add":
            self.inner.add(name, items[: len(items) // 2])
            raise self.exc
        if self.fail_on == "lose_one":
            self.inner.add(name, items[1:])
            return
        self.inner.add(name, items)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.inner, attr)


def statuses(p: IngestPipeline) -> list[tuple[str, str]]:
    return [(v.collection, v.status) for v in p.versions()]


# -- a build ---------------------------------------------------------------------------------
def test_build_makes_a_live_version(store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]) -> None:
    p = make_pipeline(store, tmp_path)
    report = p.build(*sources)
    assert store.live_collection() == report.collection == f"kenes__{report.version}"
    assert store.collections() == [report.collection]
    assert store.count(report.collection) == report.embedded == report.counts["total"] == 9
    assert report.counts == {
        "total": 9,
        "act_kk": 2,
        "act_ru": 4,
        "registry_ru": 3,
        "articles": 6,
        "registry_rows": 3,
    }
    [info] = p.versions()
    assert (info.collection, info.status, info.parent, info.embedder) == (
        report.collection,
        "live",
        None,
        "hashing-trigram",
    )
    assert info.avgdl > 0 and len(info.sources) == len(report.files) == 6
    assert report.chunks_per_s > 0


def test_progress_is_reported(store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]) -> None:
    seen: list[tuple[str, float]] = []
    make_pipeline(store, tmp_path).build(*sources, progress=lambda stage, share: seen.append((stage, share)))
    assert ("embedding", 1.0) in seen and seen[-1] == ("writing", 1.0)


def test_second_build_swaps_the_alias_and_retires_the_first(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    p = make_pipeline(store, tmp_path)
    first = p.build(*sources)
    second = p.build(sources[0], None)
    assert store.live_collection() == second.collection
    assert statuses(p) == [(first.collection, "retired"), (second.collection, "live")]
    assert p.manifest.get(second.collection).parent == first.collection  # type: ignore[union-attr]
    assert store.count(second.collection) == 6 and store.count(first.collection) == 9


def test_versions_are_pruned_to_keep_versions(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    p = make_pipeline(store, tmp_path, keep=2)
    reports = [p.build(*sources) for _ in range(4)]
    kept = [r.collection for r in reports[-2:]]
    assert store.collections() == kept
    assert statuses(p) == [(kept[0], "retired"), (kept[1], "live")]
    assert store.live_collection() == kept[1]


def test_keep_one_version(store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]) -> None:
    p = make_pipeline(store, tmp_path, keep=1)
    p.build(*sources)
    last = p.build(*sources)
    assert store.collections() == [last.collection] and statuses(p) == [(last.collection, "live")]


# -- rollback --------------------------------------------------------------------------------
def test_rollback_to_the_previous_and_to_a_named_version(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    p = make_pipeline(store, tmp_path)
    v1, v2, v3 = p.build(*sources), p.build(sources[0], None), p.build(None, sources[1])
    back = p.rollback()
    assert back.collection == v2.collection and back.status == "live"
    assert store.live_collection() == v2.collection
    assert dict(statuses(p)) == {v1.collection: "retired", v2.collection: "live", v3.collection: "retired"}
    assert p.rollback(v1.version).collection == v1.collection
    assert p.rollback(v3.collection).collection == v3.collection  # by collection name too
    assert store.live_collection() == v3.collection
    assert sorted(store.collections()) == sorted([v1.collection, v2.collection, v3.collection])


def test_rollback_with_nothing_to_go_back_to(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    p = make_pipeline(store, tmp_path)
    with pytest.raises(IndexNotReady):
        p.rollback()
    p.build(*sources)
    with pytest.raises(IndexNotReady):
        p.rollback()
    with pytest.raises(IndexNotReady):
        p.rollback("19990101T000000000")


def test_rollback_after_two_quick_builds(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # regression: `created` has one-second resolution and rollback() used to compare it
    monkeypatch.setattr("ingest.pipeline.now_iso", lambda: "2026-01-01T00:00:00+00:00")
    p = make_pipeline(store, tmp_path)
    first = p.build(*sources)
    p.build(*sources)
    assert p.rollback().collection == first.collection


# -- failures leave the live version alone -----------------------------------------------------
@pytest.mark.parametrize("exc", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failing_write_keeps_the_previous_version_live(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path], exc: BaseException
) -> None:
    make_pipeline(store, tmp_path).build(*sources)
    live = store.live_collection()
    failing = make_pipeline(FailingStore(store, exc=exc), tmp_path)
    with pytest.raises(type(exc)):
        failing.build(*sources)
    assert store.live_collection() == live
    assert store.collections() == [live]  # the partial collection is gone
    assert statuses(failing) == [(live, "live")]  # and so is its manifest entry
    assert store.count(live) == 9  # type: ignore[arg-type]


def test_incomplete_version_fails_its_check(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    make_pipeline(store, tmp_path).build(*sources)
    live = store.live_collection()
    with pytest.raises(KenesError, match="Index check failed: 8 points stored, 9 expected"):
        make_pipeline(FailingStore(store, fail_on="lose_one"), tmp_path).build(*sources)
    assert store.live_collection() == live and store.collections() == [live]


def test_invalid_input_writes_nothing(store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]) -> None:
    p = make_pipeline(store, tmp_path)
    p.build(*sources)
    before = (store.live_collection(), store.collections(), statuses(p))
    items = td.rows()
    items[0]["automation_risk"] = "огромный"
    with pytest.raises(ValidationProblem) as err:
        p.build(sources[0], td.write_registry(tmp_path / "bad.csv", items))
    assert any(problem.startswith("bad.csv:2:") for problem in err.value.problems)
    assert (store.live_collection(), store.collections(), statuses(p)) == before


def test_nothing_to_index(store: QdrantStore, tmp_path: Path) -> None:
    with pytest.raises(KenesError, match="Nothing to index"):
        make_pipeline(store, tmp_path).build(None, None)
    assert store.collections() == []


def test_leftovers_of_an_interrupted_build_are_removed(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    p = make_pipeline(store, tmp_path)
    p.build(*sources)
    # a build killed after its collection was created: one known to the manifest, one not
    store.create_collection("kenes__20000101T000000000", 256)
    p.manifest.upsert(
        VersionInfo(
            collection="kenes__20000101T000000000",
            version="20000101T000000000",
            created="2000-01-01T00:00:00+00:00",
        )
    )
    store.create_collection("kenes__stray", 256)
    last = p.build(*sources)
    assert "kenes__stray" not in store.collections()
    assert "kenes__20000101T000000000" not in store.collections()
    assert all(v.status != "building" for v in p.versions())
    assert store.live_collection() == last.collection


def test_other_collections_are_not_touched(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    store.create_collection("someone_else", 4)
    make_pipeline(store, tmp_path, keep=1).build(*sources)
    assert "someone_else" in [c.name for c in store.client.get_collections().collections]


# -- encoding ----------------------------------------------------------------------------------
def test_hashes() -> None:
    chunk = row_to_chunk(RegistryRow.model_validate(td.row()))
    flagged = row_to_chunk(RegistryRow.model_validate(td.row(automatable="да")))
    assert content_hash(chunk) == content_hash(chunk.model_copy())
    assert content_hash(chunk) != content_hash(flagged)
    assert embed_hash(dense_text(chunk), lexical_text(chunk), "m") == embed_hash(
        dense_text(flagged), lexical_text(flagged), "m"
    )
    assert embed_hash("a", "b", "m1") != embed_hash("a", "b", "m2")
    assert embed_hash("a", "b", "m") != embed_hash("a", "", "m")


def test_encoder_output(tmp_path: Path) -> None:
    src = load_sources(td.write_acts(tmp_path), td.write_registry(tmp_path / "r.csv"))
    enc = encoder()
    stats = enc.stats(src)
    assert stats.n_docs == len(src.chunks) == 9 and stats.avgdl > 0
    encoded = enc.encode(src.chunks, stats)
    assert [e.chunk for e in encoded] == src.chunks
    for e in encoded:
        assert len(e.dense) == 256 and e.sparse.indices and len(e.sparse.indices) == len(e.sparse.values)
        assert e.lexical == lexical_text(e.chunk) and e.content_hash == content_hash(e.chunk)
        assert e.embed_hash == embed_hash(dense_text(e.chunk), e.lexical, "hashing-trigram")
    bridged = next(e.chunk for e in encoded if e.chunk.chunk_id == "registry:TA-02-02@ru")
    # the Kazakh bridge adds lexical terms, not dense ones
    assert len(enc.terms(bridged)) > len(enc.terms(bridged.model_copy(update={"bridge": ""})))


def test_count_chunks() -> None:
    assert count_chunks([]) == {"total": 0, "articles": 0, "registry_rows": 0}
