"""Chunks → what the store needs: BM25 sparse vectors (lemmatised terms), dense vectors, hashes.

Measured on demo + large acts (docs/benchmarks.md, "Ingest throughput"): dense embedding is
nearly all of a build's time when it is on; the sparse side is the lemmatiser, so documents are
analysed once per build (the corpus statistics, the vectors and the read model's root index
share the pass) and, on a corpus big enough to pay for it, in a pool of forked workers. Dense
texts go to the embedder in large slabs, so the embedder can sort them by length and pad each
batch little.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import time
from array import array
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from assistant.domain import Chunk
from assistant.embeddings.base import Embedder
from assistant.rag.readmodel import RootIndex
from assistant.store.base import EncodedChunk, SparseVec
from assistant.text.sparse import CorpusStats, SparseEncoder, term_counts
from assistant.text.views import dense_text, lexical_parts, lexical_text
from ingest.sources import SourceSet

log = logging.getLogger(__name__)
Progress = Callable[[str, float], None]

# Below this many chunks a pool costs more than it saves: each worker warms its own lemma caches.
# Measured from cold caches on 2 idle cores: demo (699 chunks) 0.27 s here, 0.20 s in two
# workers; demo + large (2,151) 1.05 s / 0.70 s; ×10 (15,219) 4.7 s / 3.1 s. At load ≈ 2.7 the
# 2,151 chunks had taken 1.2 s here and 1.5 s in workers, so small corpora stay in-process.
PARALLEL_MIN_CHUNKS = 2_000
TASK_CHUNKS = 256
# One embedder call per slab: long enough for length-sorted batches, short enough for progress.
DENSE_SLAB = 1024

# The job a forked worker analyses: set just before the pool starts, read by index in workers
# (fork shares it copy-on-write, so no chunk is pickled on the way in). The set, when roots are
# asked for, becomes each worker's own copy: the words it has already sent back.
_JOB: tuple[SparseEncoder, Sequence[Chunk], set[str] | None] | None = None


def content_hash(chunk: Chunk) -> str:
    return hashlib.sha256(chunk.model_dump_json().encode()).hexdigest()


def embed_hash(dense: str, lexical: str, embedder: str) -> str:
    return hashlib.sha256(f"{embedder}\x00{dense}\x00{lexical}".encode()).hexdigest()


def chunk_terms(sparse: SparseEncoder, chunk: Chunk) -> list[str]:
    return [t for text, lang in lexical_parts(chunk) for t in sparse.doc_terms(text, lang)]


# A chunk's sparse indices and the count of the term behind each (`term_counts`): everything of
# its vector but the BM25 length normalisation, which needs the whole corpus's average length.
Counted = tuple[list[int], list[int]]


def chunk_counts(sparse: SparseEncoder, chunk: Chunk) -> Counted:
    return term_counts(sparse.doc_counts(lexical_parts(chunk)))


@dataclass
class Analysis:
    """One pass over a corpus: the counted terms of every chunk, in order, and the root index of
    their texts (what the version's read model needs besides the sparse indices)."""

    counts: list[Counted]
    roots: RootIndex


def _analyse_range(bounds: tuple[int, int]) -> tuple[array[int], array[int], array[int], list[str]]:
    assert _JOB is not None, "worker started without a job"
    sparse, chunks, sent = _JOB
    # flat typed arrays (entries per chunk, indices, counts) pickle as three byte strings: a
    # list per chunk of strings or ints cost more to send back than the analysis itself
    sizes, indices, counts = array("q"), array("q"), array("q")
    words: set[str] = set()
    for i in range(*bounds):
        ix, tf = chunk_counts(sparse, chunks[i])
        sizes.append(len(ix))
        indices.extend(ix)
        counts.extend(tf)
        if sent is not None:
            words |= RootIndex.words(chunks[i].text)
    if sent is None:
        return sizes, indices, counts, []
    # a worker sends each word once: the common ones are in every range
    new = words - sent
    sent |= new
    return sizes, indices, counts, list(new)


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

    def analyse(self, chunks: Sequence[Chunk]) -> list[Counted]:
        """Counted index terms of every chunk, in order; in worker processes on a large corpus."""
        return self._analyse(chunks, with_roots=False).counts

    def analyse_corpus(self, chunks: Sequence[Chunk]) -> Analysis:
        """`analyse` plus the root index of the chunk texts, in the same pass (and workers)."""
        return self._analyse(chunks, with_roots=True)

    def _analyse(self, chunks: Sequence[Chunk], *, with_roots: bool) -> Analysis:
        started = time.perf_counter()
        try:
            if self.workers > 1 and len(chunks) >= PARALLEL_MIN_CHUNKS and _can_fork():
                try:
                    return self._analyse_parallel(chunks, with_roots)
                except (BrokenProcessPool, OSError) as exc:  # e.g. no memory to fork: do it here
                    log.warning("parallel analysis failed (%s); analysing in this process", exc)
            roots = RootIndex()
            if with_roots:
                for chunk in chunks:
                    roots.add(chunk.text)
            return Analysis([chunk_counts(self.sparse, c) for c in chunks], roots.done())
        finally:
            self._add("sparse_s", time.perf_counter() - started)

    def _analyse_parallel(self, chunks: Sequence[Chunk], with_roots: bool) -> Analysis:
        global _JOB
        ranges = [(i, min(i + TASK_CHUNKS, len(chunks))) for i in range(0, len(chunks), TASK_CHUNKS)]
        _JOB = (self.sparse, chunks, set() if with_roots else None)
        counted: list[Counted] = []
        roots = RootIndex()
        try:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx) as pool:
                for sizes, indices, counts, words in pool.map(_analyse_range, ranges):
                    flat_ix, flat_tf, at = indices.tolist(), counts.tolist(), 0
                    for size in sizes:
                        counted.append((flat_ix[at : at + size], flat_tf[at : at + size]))
                        at += size
                    roots.add_words(words)
            return Analysis(counted, roots.done())
        finally:
            _JOB = None

    def stats(
        self, chunks: SourceSet | Sequence[Chunk], counts: Sequence[Counted] | None = None
    ) -> CorpusStats:
        """BM25 length statistics of the corpus (from `counts` when already analysed)."""
        if isinstance(chunks, SourceSet):
            chunks = chunks.chunks
        if counts is None:
            counts = self.analyse(chunks)
        return CorpusStats.from_lengths(sum(tf) for _, tf in counts)

    def encode(
        self,
        chunks: Sequence[Chunk],
        stats: CorpusStats,
        progress: Progress | None = None,
        counts: Sequence[Counted] | None = None,
    ) -> list[EncodedChunk]:
        """Encoded chunks in input order; `counts` from `analyse` saves analysing them again."""
        if counts is None:
            counts = self.analyse(chunks)
        t0 = time.perf_counter()
        sparse = [SparseVec(*self.sparse.encode_counts(ix, tf, stats)) for ix, tf in counts]
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
