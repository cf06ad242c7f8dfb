"""Scale benchmark (issue 14): embedded indexes of 10k / 100k (/ 1M with --million) chunks built
from the real acts (shared/corpus-large + shared/corpus/acts) replicated with variation, on
Qdrant Edge and on the pre-Edge store (qdrant-client local mode + its in-process search copy),
in the same run. Reports ingest chunks/s, peak RSS, disk, hybrid search p50/p95 and old/new
ratios, with the machine's load. Writes docs/benchmarks.md ("## Scale") and bench/results/.

    .venv/bin/python -m bench.scale [--sizes 10000 100000] [--million] [--old-max 100000]
        [--embedder hashing|real] [--queries 200] [--print-only]

Each (store, size) is built in its own child process, so peak RSS is that build's alone. The
base chunks are encoded once (real sparse vectors; hashing or the real embedder for dense);
replica r of a chunk gets a new id and a perturbed lexical side — about a tenth of its terms
dropped, two terms of another chunk added, weights jittered — and a jittered dense vector, so
replicas are near-duplicates, not copies (copies would tie and short-cut the search).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from assistant.settings import PROJECT_ROOT, QdrantSettings, Settings
from assistant.store.base import EncodedChunk, SparseVec
from bench.common import machine, machine_line, proc_memory, summary, write_section

CORPORA = [Path("/work/shared/corpus-large"), Path("/work/shared/corpus/acts")]
STORES = ("edge", "old")


# -- the data ------------------------------------------------------------------------------------
def encode_base(embedder_mode: str, out: Path) -> dict[str, Any]:
    """Parse and encode the real acts once (as ingest does: corpus statistics, then sparse +
    dense per chunk); pickled for the child processes."""
    from assistant.container import Container
    from assistant.text.sparse import CorpusStats
    from assistant.text.views import dense_text, lexical_parts, lexical_text
    from ingest.sources import load_sources

    c = Container(Settings.model_validate({"data_dir": out / "c", "embeddings": {"mode": embedder_mode}}))
    chunks = []
    for corpus in CORPORA:
        if corpus.is_dir():
            chunks += load_sources(corpus, None).chunks
    sparse = c.sparse_encoder
    c.embedder.embed_query("warm-up")
    t0 = time.perf_counter()
    terms = [[t for text, lang in lexical_parts(ch) for t in sparse.doc_terms(text, lang)] for ch in chunks]
    stats = CorpusStats.from_lengths(len(t) for t in terms)
    dense = c.embedder.embed_documents([dense_text(ch) for ch in chunks])
    encoded = [
        EncodedChunk(ch, vec, SparseVec(*sparse.encode_terms(t, stats)), lexical_text(ch), "", "")
        for ch, vec, t in zip(chunks, dense, terms, strict=True)
    ]
    seconds = time.perf_counter() - t0
    (out / "base.pkl").write_bytes(pickle.dumps(encoded))
    c.close()
    return {
        "chunks": len(encoded),
        "encode_s": round(seconds, 1),
        "chunks_per_s": round(len(encoded) / seconds, 1),
    }


def replicas(base: list[EncodedChunk], n: int, seed: int = 7) -> Iterator[EncodedChunk]:
    """Streamed: a million replicas as Python lists would not fit beside the engine."""
    rng = np.random.default_rng(seed)
    for i in range(n):
        src = base[i % len(base)]
        r = i // len(base)
        if r == 0:
            yield src
            continue
        chunk = src.chunk.model_copy(
            update={"chunk_id": f"{src.chunk.chunk_id}~r{r}", "act_slug": f"{src.chunk.act_slug}-r{r}"}
        )
        keep = rng.random(len(src.sparse.indices)) > 0.1
        idx = [t for t, k in zip(src.sparse.indices, keep, strict=True) if k]
        val = [
            float(v) * float(rng.uniform(0.8, 1.2)) for v, k in zip(src.sparse.values, keep, strict=True) if k
        ]
        donor = base[int(rng.integers(len(base)))].sparse
        for j in rng.choice(len(donor.indices), size=min(2, len(donor.indices)), replace=False):
            if donor.indices[j] not in idx:
                idx.append(donor.indices[j])
                val.append(float(donor.values[j]))
        dense = np.asarray(src.dense, dtype=np.float32) + rng.normal(0, 0.02, len(src.dense)).astype(
            np.float32
        )
        yield EncodedChunk(
            chunk, dense.tolist(), SparseVec(idx, val), src.lexical, src.content_hash, src.embed_hash
        )


# -- one build, in a child process ---------------------------------------------------------------
def _disk(path: Path) -> int:
    """Blocks really used (Edge preallocates WAL and mmap files sparsely)."""
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file())


class _OldSearchCopy:
    """The old store's search path alone (its in-process copy) for sizes where writing through
    qdrant-client's local mode first would take hours (≈70 points/s here)."""

    def __init__(self, items: list[EncodedChunk]) -> None:
        from bench.old_store import MemoryIndex

        dense = np.asarray([i.dense for i in items], dtype=np.float32)
        sparse = [(i.sparse.indices, i.sparse.values) for i in items]
        payloads = [i.chunk.model_dump() for i in items]
        self.index = MemoryIndex([i.chunk for i in items], payloads, dense, sparse)

    def query(self, _name: str, dense: Any, sparse: Any, **kw: Any) -> Any:
        return self.index.query(dense, sparse, **kw)

    def count(self, _name: str) -> int:
        return len(self.index)

    def close(self) -> None:
        pass


def _rss_mb() -> float:
    return proc_memory()["VmRSS"]


def _open(store_kind: str, path: Path) -> Any:
    if store_kind == "edge":
        from assistant.store.edge import EdgeStore

        return EdgeStore(QdrantSettings(), str(path))
    from bench.old_store import OldStore

    return OldStore(str(path))


def worker(store_kind: str, size: int, work: Path, n_queries: int, old_write_max: int) -> dict[str, Any]:
    base: list[EncodedChunk] = pickle.loads((work / "base.pkl").read_bytes())
    items = replicas(base, size)
    dim = len(base[0].dense)
    queries = [base[i] for i in np.random.default_rng(11).choice(len(base), n_queries, replace=True)]
    path = work / f"{store_kind}-{size}"
    shutil.rmtree(path, ignore_errors=True)
    r = Settings().retrieval
    kw: dict[str, Any] = {
        "limit": 32,
        "candidates": r.candidates,
        "weights": (r.sparse_weight, r.dense_weight),
        "rrf_k": r.rrf_k,
    }
    store: Any
    name = "kenes__bench"
    write_s: float | None = None
    t1 = time.perf_counter()
    rss_at_start = _rss_mb()
    if store_kind == "old" and size > old_write_max:
        store = _OldSearchCopy(list(items))
    else:
        store = _open(store_kind, path)
        t0 = time.perf_counter()
        store.create_collection(name, dim)
        while batch := list(itertools.islice(items, 2048)):
            store.add(name, batch)
        write_s = time.perf_counter() - t0
        # the first query builds what search needs: Edge's HNSW graph / the old in-process copy
        t1 = time.perf_counter()
        store.query(name, queries[0].dense, queries[0].sparse, filters={"lang!": "kk"}, **kw)
    index_s = time.perf_counter() - t1
    # serving memory: what the searching store holds, without the generator's Python copies of
    # the points (a `kenes serve` never has those): reopen from disk, or (old store without
    # writes) count the search copy built above against what was resident before it
    rss_before = rss_at_start
    if write_s is not None:
        store.close()
        del items
        gc.collect()
        rss_before = _rss_mb()
        store = _open(store_kind, path)
        store.query(name, queries[0].dense, queries[0].sparse, **kw)  # loads (old: rebuilds its copy)
    times, found = [], 0
    for q in queries:
        # a question is a chunk's own lexical side cut to 8 terms: like a user's, short
        k = np.argsort(q.sparse.values)[-8:]
        sparse = SparseVec([q.sparse.indices[i] for i in k], [1.0] * len(k))
        flt = {"lang!": "kk"} if q.chunk.lang == "ru" else None  # as the retriever filters
        t = time.perf_counter()
        hits = store.query(name, q.dense, sparse, filters=flt, **kw)
        times.append((time.perf_counter() - t) * 1000)
        found += any(h.chunk.chunk_id == q.chunk.chunk_id for h in hits[:10])
    count = store.count(name)
    serve_rss = _rss_mb() - rss_before
    store.close()
    return {
        "store": store_kind,
        "size": size,
        "count": count,
        "write_s": None if write_s is None else round(write_s, 1),
        "index_s": round(index_s, 1),
        "ingest_chunks_per_s": None if write_s is None else round(size / (write_s + index_s), 1),
        "write_chunks_per_s": None if write_s is None else round(size / write_s, 1),
        "search_ms": summary(times),
        "self_found@10": round(found / len(queries), 3),
        "disk_mb": round(_disk(path) / 1e6, 1) if path.exists() else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "serve_rss_mb": round(serve_rss, 1),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def run_child(store_kind: str, size: int, work: Path, n_queries: int, old_write_max: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.scale", "--worker", store_kind, str(size), str(work), str(n_queries)]
    cmd.append(str(old_write_max))
    done = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{store_kind} {size}: {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# -- report --------------------------------------------------------------------------------------
def _ratio(old: float | None, new: float | None) -> str:
    return f"{old / new:.1f}×" if old and new else "—"


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:,}"


def render(m: dict[str, Any], base: dict[str, Any], rows: list[dict[str, Any]], embedder: str) -> str:
    lines = [
        "## Scale",
        "",
        "`bench/scale.py`: " + machine_line(m),
        "",
        f"Base: the real acts of shared/corpus-large and shared/corpus/acts, {base['chunks']:,} chunks, "
        f"encoded at {base['chunks_per_s']} chunks/s (sparse + {embedder} dense, one process); replicated "
        "with variation to each size. Ingest = store writes + index build (Edge: HNSW via optimize; old: "
        "its in-process search copy), encoding excluded. Search = hybrid query (sparse + dense prefetch, "
        "weighted RRF, the Russian-question filter), 8-term questions, after the index is built. Each "
        "row is its own process; serving RSS = the searching store's memory (reopened from disk after "
        "the build, the generator's copies of the points freed); build peak RSS includes those copies "
        "(≈3 GB at 100k). Load average after each row. Old-store "
        "rows without write numbers built only its search copy (the old search path) from the points: "
        "writing them through qdrant-client's local mode first runs at ≈100 points/s here.",
        "",
        "| store | chunks | ingest chunks/s | writes chunks/s | index build s | search p50 ms | p95 ms "
        "| self found@10 | disk MB | serving RSS MB | build peak RSS MB | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r["search_ms"]
        lines.append(
            f"| {'Qdrant Edge' if r['store'] == 'edge' else 'old (local + memory index)'} | {r['size']:,} "
            f"| {_n(r['ingest_chunks_per_s'])} | {_n(r['write_chunks_per_s'])} | {r['index_s']} | {s['p50']} "
            f"| {s['p95']} | {r['self_found@10']} | {_n(r['disk_mb'])} | {r['serve_rss_mb']:,} "
            f"| {r['peak_rss_mb']:,} "
            f"| {' / '.join(str(x) for x in r['loadavg'])} |"
        )
    pairs = [
        (o, e)
        for o in rows
        for e in rows
        if o["store"] == "old" and e["store"] == "edge" and o["size"] == e["size"]
    ]
    if pairs:
        lines += [
            "",
            "Old store ÷ Edge, same run (above 1× = Edge better):",
            "",
            "| chunks | search p50 | search p95 | ingest time | disk | serving RSS |",
            "|---|---|---|---|---|---|",
        ]
        for o, e in pairs:
            lines.append(
                f"| {o['size']:,} | {_ratio(o['search_ms']['p50'], e['search_ms']['p50'])} "
                f"| {_ratio(o['search_ms']['p95'], e['search_ms']['p95'])} "
                f"| {_ratio(e['ingest_chunks_per_s'], o['ingest_chunks_per_s'])} "
                f"| {_ratio(o['disk_mb'], e['disk_mb'])} | {_ratio(o['serve_rss_mb'], e['serve_rss_mb'])} |"
            )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--million", action="store_true", help="add 1,000,000 (Edge only; a long run)")
    ap.add_argument("--old-max", type=int, default=100_000, help="largest size searched on the old store")
    ap.add_argument(
        "--old-write-max", type=int, default=10_000, help="largest size written through local mode (slow)"
    )
    ap.add_argument("--embedder", choices=["hashing", "real"], default="hashing")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--print-only", action="store_true")
    ap.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        kind, size, work, n, write_max = args.worker
        print(json.dumps(worker(kind, int(size), Path(work), int(n), int(write_max))))
        return
    sizes = args.sizes + ([1_000_000] if args.million else [])
    m = machine()
    mode = "sentence_transformers" if args.embedder == "real" else "hashing"
    with tempfile.TemporaryDirectory(dir=os.environ.get("KENES_BENCH_TMP")) as tmp:
        work = Path(tmp)
        base = encode_base(mode, work)
        print("base", base, flush=True)
        rows = []
        for size in sizes:
            for kind in STORES:
                if kind == "old" and size > args.old_max:
                    continue
                row = run_child(kind, size, work, args.queries, args.old_write_max)
                print(json.dumps(row), flush=True)
                rows.append(row)
    text = render(m, base, rows, args.embedder)
    if not args.print_only:
        write_section("scale", text, {"machine": m, "base": base, "rows": rows})
    print(text)


if __name__ == "__main__":
    main()
