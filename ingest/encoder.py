"""Chunks → what the store needs: BM25 sparse vectors (lemmatised terms), dense vectors, hashes.

Measured on demo + large acts (docs/benchmarks.md, "Ingest throughput"): dense embedding is
nearly all of a build's time with the packaged MiniLM; the sparse side is the lemmatiser, so
documents are analysed once per build (the corpus statistics and the vectors share the terms)
and, on a corpus big enough to pay for it (20k+ chunks), in a pool of forked workers. Dense
texts go to the embedder in large slabs, so sentence-transformers can sort them by length and
pad each batch little.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from assistant.domain import Chunk
from assistant.embeddings.base import Embedder
from assistant.store.base import EncodedChunk, SparseVec
from assistant.text.sparse import CorpusStats, SparseEncoder
from assistant.text.views import dense_text, lexical_parts, lexical_text
from ingest.sources import SourceSet

log = logging.getLogger(__name__)
Progress = Callable[[str, float], None]

# Below this many chunks a pool costs more than it saves: each worker warms its own lemma caches,
# and on shared cores the workers get half a core each. Measured on demo + large (2,151 chunks,
# 2 cores at load ≈ 2.7): 1.2 s in this process, 1.5 s in two workers.
PARALLEL_MIN_CHUNKS = 20_000
TASK_CHUNKS = 256
# One embedder call per slab: long enough for length-sorted batches, short enough for progress.
DENSE_SLAB = 1024

# The job a forked worker analyses: set just before the pool starts, read by index in workers
# (fork shares it copy-on-write, so no chunk is pickled on the way in).
_JOB: tuple[SparseEncoder, Sequence[Chunk]] | None = None


def content_hash(chunk: Chunk) -> str:
    return hashlib.sha256(chunk.model_dump_json().encode()).hexdigest()


def embed_hash(dense: str, lexical: str, embedder: str) -> str:
    return hashlib.sha256(f"{embedder}\x00{dense}\x00{lexical}".encode()).hexdigest()


def chunk_terms(sparse: SparseEncoder, chunk: Chunk) -> list[str]:
    return [t for text, lang in lexical_parts(chunk) for t in sparse.doc_terms(text, lang)]


_SEP = "\x1f"  # never inside a term (terms are words, numbers and ^prefixes)


def _analyse_range(bounds: tuple[int, int]) -> list[str]:
    assert _JOB is not None, "worker started without a job"
    sparse, chunks = _JOB
    # one string per chunk: pickling hundreds of small strings per chunk cost more than the analysis
    return [_SEP.join(chunk_terms(sparse, chunks[i])) for i in range(*bounds)]


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


class Encoder:
    """Turns chunks into what the store needs. `timings` holds the seconds of the last calls
    (sparse analysis + weighting, dense embedding), for reports and benchmarks."""

    def __init__(self, embedder: Embedder, sparse: SparseEncoder, *, workers: int | None = None) -> None:
        self.embedder = embedder
        self.sparse = sparse
        self.workers = default_workers() if workers is None else max(1, workers)
        self.timings: dict[str, float] = {}

    def terms(self, chunk: Chunk) -> list[str]:
        return chunk_terms(self.sparse, chunk)

    def analyse(self, chunks: Sequence[Chunk]) -> list[list[str]]:
        """Index terms of every chunk, in order; in worker processes on a large corpus."""
        started = time.perf_counter()
        try:
            if self.workers > 1 and len(chunks) >= PARALLEL_MIN_CHUNKS and _can_fork():
                try:
                    return self._analyse_parallel(chunks)
                except (BrokenProcessPool, OSError) as exc:  # e.g. no memory to fork: do it here
                    log.warning("parallel analysis failed (%s); analysing in this process", exc)
            return [self.terms(c) for c in chunks]
        finally:
            self._add("sparse_s", time.perf_counter() - started)

    def _analyse_parallel(self, chunks: Sequence[Chunk]) -> list[list[str]]:
        global _JOB
        ranges = [(i, min(i + TASK_CHUNKS, len(chunks))) for i in range(0, len(chunks), TASK_CHUNKS)]
        _JOB = (self.sparse, chunks)
        try:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx) as pool:
                joined = [terms for part in pool.map(_analyse_range, ranges) for terms in part]
            return [t.split(_SEP) if t else [] for t in joined]
        finally:
            _JOB = None

    def stats(
        self, chunks: SourceSet | Sequence[Chunk], terms: Sequence[list[str]] | None = None
    ) -> CorpusStats:
        """BM25 length statistics of the corpus (from `terms` when already analysed)."""
        if isinstance(chunks, SourceSet):
            chunks = chunks.chunks
        if terms is None:
            terms = self.analyse(chunks)
        return CorpusStats.from_lengths(len(t) for t in terms)

    def encode(
        self,
        chunks: Sequence[Chunk],
        stats: CorpusStats,
        progress: Progress | None = None,
        terms: Sequence[list[str]] | None = None,
    ) -> list[EncodedChunk]:
        """Encoded chunks in input order; `terms` from `analyse` saves analysing them again."""
        if terms is None:
            terms = self.analyse(chunks)
        t0 = time.perf_counter()
        sparse = [SparseVec(*self.sparse.encode_terms(list(t), stats)) for t in terms]
        self._add("sparse_s", time.perf_counter() - t0)
        dense_inputs = [dense_text(c) for c in chunks]
        vectors = self._embed(dense_inputs, progress)
        name = self.embedder.name
        out: list[EncodedChunk] = []
        for chunk, dense_in, vector, sparse_vec in zip(chunks, dense_inputs, vectors, sparse, strict=True):
            lexical = lexical_text(chunk)
            out.append(
                EncodedChunk(
                    chunk=chunk,
                    dense=vector,
                    sparse=sparse_vec,
                    lexical=lexical,
                    content_hash=content_hash(chunk),
                    embed_hash=embed_hash(dense_in, lexical, name),
                )
            )
        return out

    def _embed(self, texts: list[str], progress: Progress | None) -> list[list[float]]:
        started = time.perf_counter()
        vectors: list[list[float]] = []
        for start in range(0, len(texts), DENSE_SLAB):
            vectors += self.embedder.embed_documents(texts[start : start + DENSE_SLAB])
            if progress:
                progress("embedding", min(1.0, len(vectors) / max(1, len(texts))))
        self._add("dense_s", time.perf_counter() - started)
        return vectors

    def _add(self, key: str, seconds: float) -> None:
        self.timings[key] = self.timings.get(key, 0.0) + seconds


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
