"""Issue 15, defect 1: only versions that finished their build and passed their checks may ever
go live. A build left "building" (killed mid-write) with a real partial collection must be
refused by a named rollback, skipped by a plain one, and cleaned up when the pipeline opens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.embeddings.hashing import HashingEmbedder
from assistant.store.qdrant import QdrantStore
from assistant.text.sparse import SparseEncoder
from ingest.manifest import Manifest, VersionInfo, this_builder
from ingest.pipeline import Encoder, IngestPipeline, VersionNotPromotable
from ingest.sources import load_sources
from tests.unit.rag import tiny_data as td

pytestmark = pytest.mark.usefixtures("distinct_created")


def pipeline(store: QdrantStore, tmp_path: Path) -> IngestPipeline:
    encoder = Encoder(HashingEmbedder(), SparseEncoder(td.analyzer()))
    return IngestPipeline(store, encoder, Manifest(tmp_path / "index" / "manifest.json"))


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def partial_version(p: IngestPipeline, sources: tuple[Path, Path], version: str, builder: str) -> VersionInfo:
    """What a build killed mid-write leaves: a "building" manifest entry and a collection with
    2 of its points."""
    src = load_sources(*sources)
    encoded = p.encoder.encode(src.chunks, p.encoder.stats(src))
    info = VersionInfo(
        collection=f"kenes__{version}",
        version=version,
        created="2026-01-01T00:00:30+00:00",
        counts={"total": len(encoded)},
        builder=builder,
    )
    p.manifest.upsert(info)
    p.store.create_collection(info.collection, len(encoded[0].dense))
    p.store.add(info.collection, encoded[:2])
    return info


def test_rollback_to_a_building_version_is_refused(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    p = pipeline(store, tmp_path)
    v1 = p.build(*sources)
    v2 = p.build(*sources)
    # still being written by a live process (this one): not cleaned up, and never promotable
    # one more digit sorts right after v1 and before v2 (v1[:-1] + "9" equals v1 when it ends in 9)
    between = f"{v1.version}5"
    assert v1.version < between < v2.version
    partial = partial_version(p, sources, between, this_builder())
    with pytest.raises(VersionNotPromotable, match="never finished") as err:
        p.rollback(partial.version)
    assert err.value.code == "version_not_promotable"
    assert store.live_collection() == v2.collection
    # a plain rollback skips it and goes to the newest finished version before the live one
    assert p.rollback().collection == v1.collection
    assert store.live_collection() == v1.collection
    assert p.manifest.get(partial.collection).status == "building"  # type: ignore[union-attr]


def test_an_abandoned_build_is_cleaned_up_when_the_pipeline_opens(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    p = pipeline(store, tmp_path)
    v1 = p.build(*sources)
    partial = partial_version(p, sources, "20990101T000000000", f"{socket.gethostname()}:{dead_pid()}")
    assert store.count(partial.collection) == 2
    reopened = pipeline(store, tmp_path)
    assert [v.collection for v in reopened.versions()] == [v1.collection]
    assert store.collections() == [v1.collection]
    with pytest.raises(VersionNotPromotable, match="interrupted"):
        reopened.rollback(partial.version)
    assert store.live_collection() == v1.collection


def test_a_build_on_another_host_is_left_alone_but_never_promoted(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    p = pipeline(store, tmp_path)
    p.build(*sources)
    partial = partial_version(p, sources, "20990101T000000000", f"elsewhere-{os.getpid()}:1")
    reopened = pipeline(store, tmp_path)
    assert partial.collection in [v.collection for v in reopened.versions()]
    with pytest.raises(VersionNotPromotable):
        reopened.rollback(partial.collection)
    with pytest.raises(VersionNotPromotable):
        reopened.promote(partial)


def test_a_finished_version_that_lost_points_is_refused(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    p = pipeline(store, tmp_path)
    v1 = p.build(*sources)
    v2 = p.build(*sources)
    chunk_ids = [pt.chunk.chunk_id for pt in store.scroll(v1.collection)]
    store.delete(v1.collection, chunk_ids[:3])
    with pytest.raises(VersionNotPromotable, match="6 points stored, 9 expected"):
        p.rollback(v1.version)
    assert store.live_collection() == v2.collection


def test_builds_are_marked_ready_before_they_go_live(
    store: QdrantStore, tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    p = pipeline(store, tmp_path)
    seen: list[str] = []
    promote = p.promote

    def spy(info: VersionInfo) -> None:
        seen.append(p.manifest.get(info.collection).status)  # type: ignore[union-attr]
        promote(info)

    monkeypatch.setattr(p, "promote", spy)
    p.build(*sources)
    p.update(None, sources[1])
    assert seen == ["ready", "ready"]
    assert {v.builder for v in p.versions()} == {this_builder()}
