"""Index builds: encode chunks (dense + BM25 sparse), write a new collection version beside the
live one, check it, then switch the alias. The live version is never written to by a full
build, so a crash or a bad file leaves users on the previous version."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain import Chunk
from assistant.errors import IndexNotReady, KenesError, ValidationProblem
from assistant.rag.readmodel import VersionStats, directory_in
from assistant.rag.readmodel import remove as remove_stats
from assistant.rag.readmodel import save as save_stats
from assistant.rag.sentence_vectors import SentenceVectors
from assistant.rag.sentence_vectors import load as load_sentences
from assistant.rag.sentence_vectors import remove as remove_sentences
from assistant.rag.sentence_vectors import save as save_sentences
from assistant.store.base import EncodedChunk, VectorStore
from ingest.encoder import Encoder, content_hash, embed_hash
from ingest.manifest import Manifest, VersionInfo, new_version_id, now_iso, this_builder
from ingest.sources import ActsArg, load_sources

# re-exported: callers import the encoder and the hashes from the pipeline
__all__ = [
    "Encoder",
    "IngestPipeline",
    "IngestReport",
    "Progress",
    "content_hash",
    "count_chunks",
    "embed_hash",
]

log = logging.getLogger(__name__)
Progress = Callable[[str, float], None]


class VersionNotPromotable(ValidationProblem):
    """A rollback asked for a version that never finished its build or fails its checks now."""

    code = "version_not_promotable"


@dataclass
class IngestReport:
    version: str
    collection: str
    counts: dict[str, int]
    seconds: float
    embedded: int
    files: list[dict[str, str]] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)
    # seconds per phase: parse, sparse (analysis + weights), dense (embedding), store (write + checks)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def chunks_per_s(self) -> float:
        return self.embedded / self.seconds if self.seconds else 0.0


def count_chunks(chunks: list[Chunk]) -> dict[str, int]:
    counts: dict[str, int] = {"total": len(chunks)}
    for c in chunks:
        counts[f"{c.kind}_{c.lang}"] = counts.get(f"{c.kind}_{c.lang}", 0) + 1
    counts["articles"] = len({(c.citation, c.lang) for c in chunks if c.kind == "act"})
    counts["registry_rows"] = sum(1 for c in chunks if c.kind == "registry")
    return counts


class IngestPipeline:
    def __init__(
        self,
        store: VectorStore,
        encoder: Encoder,
        manifest: Manifest,
        *,
        keep_versions: int = 3,
        alias: str = "kenes",
        sentence_vectors: bool = True,
    ) -> None:
        self.store = store
        self.encoder = encoder
        self.manifest = manifest
        self.keep_versions = keep_versions
        self.alias = alias
        # sparse-only mode has no dense model to embed sentences with
        self.sentence_vectors = sentence_vectors and encoder.embedder.name != "none"
        self._recovered = False
        self._removed: dict[str, VersionInfo] = {}  # unfinished versions `recover` removed

    def recover(self) -> None:
        """Remove what builds killed mid-write left behind (a "building" manifest entry and a
        partial collection), once per process before the first index operation, so neither
        `index list` nor a rollback ever offers them."""
        if self._recovered:
            return
        for v in self.manifest.load():
            if v.abandoned() and v.collection != self.store.live_collection():
                log.warning("removing unfinished index version %s (its build was interrupted)", v.version)
                self.discard(v.collection)
                self._removed[v.version] = self._removed[v.collection] = v
        self._recovered = True

    def build(self, acts: ActsArg, registry: Path | None, progress: Progress | None = None) -> IngestReport:
        """Full build of a new version from the given sources; the alias moves only if the new
        version is complete and passes its checks."""
        started = time.perf_counter()
        self.recover()
        sources = load_sources(acts, registry)
        if not sources.chunks:
            raise KenesError("Nothing to index: no acts and no registry rows were given.")
        parsed = time.perf_counter()
        self.encoder.timings = {}
        # once: for the statistics, the vectors and the read model
        analysis = self.encoder.analyse_corpus(sources.chunks)
        stats = self.encoder.stats(sources.chunks, analysis.counts)
        encoded = self.encoder.encode(sources.chunks, stats, progress, analysis.counts)
        encoded_at = time.perf_counter()
        version = new_version_id()
        collection = f"{self.alias}__{version}"
        info = VersionInfo(
            collection=collection,
            version=version,
            created=now_iso(),
            parent=self.store.live_collection(),
            sources=sources.files,
            counts=count_chunks(sources.chunks),
            avgdl=stats.avgdl,
            embedder=self.encoder.embedder.name,
            builder=this_builder(),
        )
        # recorded as "building" first so an interrupted build is found and removed
        self.manifest.upsert(info)
        try:
            self.store.create_collection(collection, len(encoded[0].dense))
            self.store.add(collection, encoded)
            if progress:
                progress("writing", 1.0)
            self.check(collection, len(encoded), encoded)
            self.save_stats(
                collection, VersionStats.counted((e.sparse.indices for e in encoded), analysis.roots)
            )
            self.write_sentences(
                collection,
                lambda previous: SentenceVectors.build(sources.chunks, self.encoder.embedder, previous),
            )
            self.mark_ready(info)
        except BaseException:
            self.discard(collection)
            raise
        self.promote(info)
        done = time.perf_counter()
        timings = {
            "parse_s": parsed - started,
            **self.encoder.timings,
            "store_s": done - encoded_at - self.encoder.timings.get("sentences_s", 0.0),
        }
        return IngestReport(
            version, collection, info.counts, done - started, len(encoded), sources.files, timings=timings
        )

    def check(self, collection: str, expected: int, encoded: list[EncodedChunk] | None) -> None:
        """A version goes live only if every point is there and a probe query finds its chunk."""
        stored = self.store.count(collection)
        if stored != expected:
            raise KenesError(f"Index check failed: {stored} points stored, {expected} expected")
        if not encoded:
            return
        probe = encoded[0]
        # sparse-only mode stores one placeholder vector for every point: on the dense side all
        # points tie, so its list is arbitrary and would push the probe out of the top 3
        dense = 0.0 if self.encoder.embedder.name == "none" else 1.0
        hits = self.store.query(
            collection, probe.dense, probe.sparse, limit=3, candidates=10, weights=(1.0, dense), rrf_k=60
        )
        if not any(h.chunk.chunk_id == probe.chunk.chunk_id for h in hits):
            raise KenesError("Index check failed: a probe query does not find its own chunk")

    def mark_ready(self, info: VersionInfo) -> None:
        """The build is complete and checked: from now on it may be promoted."""
        info.status = "ready"
        self.manifest.upsert(info)

    @property
    def stats_dir(self) -> Path:
        return directory_in(self.manifest.path.parent)

    def save_stats(self, collection: str, stats: VersionStats) -> None:
        """The version's read-model statistics, beside the manifest: a server starts from them
        instead of reading every chunk."""
        save_stats(self.stats_dir, collection, stats)

    def write_sentences(
        self, collection: str, make: Callable[[SentenceVectors | None], SentenceVectors]
    ) -> None:
        """The version's unit vectors (article sentences, row functions and clauses), beside its
        statistics: `make` gets the live version's (None if it has none), whose vectors it reuses
        for unchanged units."""
        if not self.sentence_vectors:
            return
        started = time.perf_counter()
        live = self.store.live_collection()
        save_sentences(
            self.stats_dir, collection, make(load_sentences(self.stats_dir, live) if live else None)
        )
        self.encoder.timings["sentences_s"] = time.perf_counter() - started

    def discard(self, collection: str) -> None:
        try:
            if collection in self.store.collections():
                self.store.drop(collection)
        finally:
            remove_stats(self.stats_dir, collection)
            remove_sentences(self.stats_dir, collection)
            self.manifest.remove(collection)

    def promote(self, info: VersionInfo) -> None:
        if not info.promotable:
            raise _unfinished(info)
        previous = self.store.live_collection()
        self.store.swap_alias(info.collection)
        for v in self.manifest.load():
            if v.collection == previous and v.collection != info.collection:
                v.status = "retired"
                self.manifest.upsert(v)
        info.status = "live"
        self.manifest.upsert(info)
        self.prune()

    def prune(self) -> None:
        """Keep the live version and the newest `keep_versions - 1` others; remove leftovers of
        interrupted builds (collections never promoted) too."""
        live = self.store.live_collection()
        versions = self.manifest.load()
        known = {v.collection for v in versions}
        for name in self.store.collections():
            if name not in known and name != live:
                self.store.drop(name)
        for v in versions:
            if v.abandoned() and v.collection != live:
                self.discard(v.collection)
        # a build still running in another process is neither counted nor removed here
        retired = [v for v in self.manifest.load() if v.collection != live and v.promotable]
        for v in retired[: max(0, len(retired) - (self.keep_versions - 1))]:
            self.discard(v.collection)

    def update(self, acts: ActsArg, registry: Path | None, progress: Progress | None = None) -> IngestReport:
        from ingest.incremental import update

        return update(self, acts, registry, progress)

    def versions(self) -> list[VersionInfo]:
        self.recover()
        return self.manifest.load()

    def rollback(self, version: str | None = None) -> VersionInfo:
        """Make `version` (default: the newest finished one before the live one) live again.
        Only versions that finished their build and still pass the point-count check qualify."""
        self.recover()
        stored = set(self.store.collections())
        versions = [v for v in self.manifest.load() if v.collection in stored]
        live = self.store.live_collection()
        if version:
            target = next((v for v in versions if version in (v.version, v.collection)), None)
            unfinished = target if target is not None else self._removed.get(version)
            if unfinished is not None and not unfinished.promotable:
                raise _unfinished(unfinished)
        else:
            # version ids are UTC timestamps to the centisecond, so they order builds exactly
            live_version = next((v.version for v in versions if v.collection == live), "9999")
            older = sorted(
                (v for v in versions if v.promotable and v.collection != live and v.version < live_version),
                key=lambda v: v.version,
            )
            target = older[-1] if older else None
        if target is None:
            raise IndexNotReady(f"No stored index version to roll back to ({version or 'previous'}).")
        expected = target.counts.get("total")
        if expected is not None and target.collection != live:
            try:
                self.check(target.collection, expected, None)
            except KenesError as exc:
                raise VersionNotPromotable(
                    f"Index version {target.version} cannot go live: {exc.message}", [exc.message]
                ) from exc
        self.promote(target)
        return target


def _unfinished(info: VersionInfo) -> VersionNotPromotable:
    message = (
        f"Index version {info.version} is {info.status}: its build never finished or never passed "
        "its checks, so it cannot go live. Roll back to a finished version (see `kenes index list`)."
    )
    if info.abandoned():
        message += " Its build was interrupted; what it left has been removed."
    return VersionNotPromotable(message, [f"{info.version}: status {info.status}"])
