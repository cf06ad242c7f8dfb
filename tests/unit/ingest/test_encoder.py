"""The encoder: terms analysed once (in worker processes on a big corpus) give the same vectors
as analysing each chunk on the spot; the phases are timed for the ingest report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.embeddings.hashing import HashingEmbedder
from assistant.rag.readmodel import VersionStats
from assistant.text.sparse import SparseEncoder, term_counts
from ingest import encoder as encoder_mod
from ingest.encoder import Encoder
from ingest.manifest import Manifest
from ingest.pipeline import IngestPipeline
from ingest.sources import load_sources
from tests.unit.rag import tiny_data as td


def _encoder(workers: int) -> Encoder:
    return Encoder(HashingEmbedder(), SparseEncoder(td.analyzer()), workers=workers)


def test_parallel_analysis_matches_the_sequential_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = load_sources(td.write_acts(tmp_path), td.write_registry(tmp_path / "r.csv"))
    chunks = src.chunks * 3  # more chunks than one task holds
    monkeypatch.setattr(encoder_mod, "PARALLEL_MIN_CHUNKS", 2)
    monkeypatch.setattr(encoder_mod, "TASK_CHUNKS", 4)
    parallel = _encoder(2).analyse(chunks)
    serial = _encoder(1)
    assert parallel == [term_counts(serial.terms(c)) for c in chunks]
    assert encoder_mod._JOB is None  # the job is dropped once the pool is done


def test_the_corpus_pass_builds_the_same_root_index_in_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = load_sources(td.write_acts(tmp_path), td.write_registry(tmp_path / "r.csv"))
    chunks = src.chunks * 3
    monkeypatch.setattr(encoder_mod, "PARALLEL_MIN_CHUNKS", 2)
    monkeypatch.setattr(encoder_mod, "TASK_CHUNKS", 4)
    parallel = _encoder(2).analyse_corpus(chunks)
    serial = _encoder(1).analyse_corpus(chunks)
    # what the read model had built from the texts on its own, before the pass made it
    scanned = VersionStats.of((c.text, []) for c in chunks).roots
    assert parallel.counts == serial.counts
    assert parallel.roots.pieces == serial.roots.pieces == scanned.pieces
    assert "архив" in parallel.roots and len(parallel.roots.pieces) > 50


def test_counts_passed_in_give_the_same_vectors(tmp_path: Path) -> None:
    src = load_sources(td.write_acts(tmp_path), td.write_registry(tmp_path / "r.csv"))
    enc = _encoder(1)
    counts = enc.analyse(src.chunks)
    stats = enc.stats(src.chunks, counts)
    assert stats == enc.stats(src)
    assert stats.avgdl == sum(len(enc.terms(c)) for c in src.chunks) / len(src.chunks)
    enc.timings = {}
    once = enc.encode(src.chunks, stats, counts=counts)
    again = enc.encode(src.chunks, stats)
    assert [(e.sparse, e.dense, e.embed_hash) for e in once] == [
        (e.sparse, e.dense, e.embed_hash) for e in again
    ]
    # and the vectors a document's own terms give, weighted in one go
    assert [(e.sparse.indices, e.sparse.values) for e in once] == [
        enc.sparse.encode_terms(enc.terms(c), stats) for c in src.chunks
    ]
    assert {"sparse_s", "dense_s"} <= enc.timings.keys()


def test_dense_texts_go_to_the_embedder_in_slabs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = load_sources(td.write_acts(tmp_path), None)
    enc = _encoder(1)
    calls: list[int] = []
    embed = enc.embedder.embed_documents

    def counting(texts: list[str]) -> list[list[float]]:
        calls.append(len(texts))
        return embed(texts)

    monkeypatch.setattr(enc.embedder, "embed_documents", counting)
    monkeypatch.setattr(encoder_mod, "DENSE_SLAB", 3)
    seen: list[float] = []
    enc.encode(src.chunks, enc.stats(src), progress=lambda _stage, share: seen.append(share))
    assert sum(calls) == len(src.chunks) and max(calls) == 3
    assert seen[-1] == 1.0


def test_a_build_reports_its_time_per_phase(store: Any, tmp_path: Path, sources: tuple[Path, Path]) -> None:
    pipeline = IngestPipeline(store, _encoder(1), Manifest(tmp_path / "index" / "manifest.json"))
    report = pipeline.build(*sources)
    assert {"parse_s", "sparse_s", "dense_s", "store_s"} <= report.timings.keys()
    assert all(v >= 0 for v in report.timings.values())
    assert sum(report.timings.values()) <= report.seconds + 1e-6
