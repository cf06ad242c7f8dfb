"""Unit vectors at national scale: the file's size, a server's memory, and the time of one
question's best-unit similarities — the file mapped (how `kenes serve` reads it) against read
whole into memory (how it was read before).

    python -m bench.unit_vectors                     # 1,000,000 citations × 4 units
    python -m bench.unit_vectors --citations 100000  # quicker

The vectors are synthetic (random, normalised, float16, e5-small's 384 dimensions): what is
measured is memory and arithmetic, not ranking. The demo has 3.8 units per chunk (2,680 for 699).
Each reader runs in a fresh process, so its RSS is its own; a question scores RERANK_DEPTH
random citations, as the source ranker does.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import machine, machine_line, proc_memory, publish, summary

DIM = 384
COLLECTION = "kenes__bench"


def _citation(i: int) -> str:
    return f"act-{i // 500}#st{i % 500}"


def build(directory: Path, citations: int, per: int, seed: int = 7) -> dict[str, Any]:
    from assistant.rag.sentence_vectors import SentenceVectors, save

    rng = np.random.default_rng(seed)
    n = citations * per
    vectors = np.empty((n, DIM), dtype=np.float16)
    for start in range(0, n, 250_000):  # in blocks: float64 noise for all rows would not fit
        block = rng.standard_normal((min(250_000, n - start), DIM))
        vectors[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    digests = rng.bytes(16 * n)
    members = {_citation(i): np.arange(i * per, (i + 1) * per, dtype=np.int32) for i in range(citations)}
    started = time.perf_counter()
    save(
        directory, COLLECTION, SentenceVectors("bench", np.frombuffer(digests, dtype="S16"), vectors, members)
    )
    path = next(directory.glob(f"{COLLECTION}.sentences.npz"))
    return {"units": n, "citations": citations, "file_mb": round(path.stat().st_size / 2**20, 1),
            "save_s": round(time.perf_counter() - started, 2)}  # fmt: skip


def read(directory: Path, mode: str, questions: int, depth: int, seed: int = 11) -> dict[str, Any]:
    """One reader, in this process: load, then `questions` questions; memory before and after."""
    from assistant.rag import sentence_vectors

    before = proc_memory()
    started = time.perf_counter()
    if mode.startswith("mapped"):
        loaded = sentence_vectors.load(directory, COLLECTION)
    else:  # the earlier reader: every array read into memory, one dictionary entry per citation
        path = directory / f"{COLLECTION}.sentences.npz"
        with np.load(path, allow_pickle=False) as data:
            starts, rows = data["starts"], data["rows"]
            members = {
                str(c): rows[starts[i] : starts[i + 1]] for i, c in enumerate(data["citations"].tolist())
            }
            loaded = sentence_vectors.SentenceVectors("bench", data["digests"], data["vectors"], members)
    load_s = time.perf_counter() - started
    assert loaded is not None
    after_load = proc_memory()
    rng = np.random.default_rng(seed)
    n = len(loaded.members)
    times = []
    for _ in range(questions):
        q = rng.standard_normal(DIM).astype(np.float32)
        q /= np.linalg.norm(q)
        picks = rng.integers(0, n, depth)
        cites = [_citation(int(i)) for i in picks]
        t0 = time.perf_counter()
        loaded.similarities(q.tolist(), cites)
        times.append((time.perf_counter() - t0) * 1000)
    end = proc_memory()
    return {"mode": mode, "load_s": round(load_s, 2), "ms": summary(times),
            "rss_before_mb": round(before["VmRSS"]), "rss_after_load_mb": round(after_load["VmRSS"]),
            "rss_after_questions_mb": round(end["VmRSS"]), "anon_after_questions_mb": round(end["RssAnon"]),
            "peak_rss_mb": round(end["VmHWM"])}  # fmt: skip


def _drop_from_page_cache(path: Path) -> None:
    """As after a restart of the machine: the next reader reads the pages it touches from disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citations", type=int, default=1_000_000)
    parser.add_argument("--per", type=int, default=4, help="units per citation")
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--reader", help=argparse.SUPPRESS)  # internal: DIR:MODE, run in a child
    args = parser.parse_args(argv)
    from assistant.rag.routed import RERANK_DEPTH

    if args.reader:
        directory, mode = args.reader.rsplit(":", 1)
        print(json.dumps(read(Path(directory), mode, args.questions, RERANK_DEPTH)))
        return 0
    m = machine()
    with tempfile.TemporaryDirectory(prefix="kenes-units-") as tmp:
        built = build(Path(tmp), args.citations, args.per)
        readers = []
        path = Path(tmp) / f"{COLLECTION}.sentences.npz"
        for mode in ("mapped", "mapped, not in page cache", "whole"):
            if "not in page cache" in mode:
                _drop_from_page_cache(path)
            out = subprocess.run(
                [sys.executable, "-m", "bench.unit_vectors", "--reader", f"{tmp}:{mode}",
                 "--questions", str(args.questions)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            readers.append(json.loads(out.stdout.strip().splitlines()[-1]))
    rows = "\n".join(
        f"| {r['mode']} | {r['load_s']} s | {r['rss_after_load_mb'] - r['rss_before_mb']:,} MB | "
        f"{r['rss_after_questions_mb'] - r['rss_before_mb']:,} MB (anonymous {r['anon_after_questions_mb']:,} MB in all) | "
        f"{r['ms']['p50']} / {r['ms']['p95']} ms |"
        for r in readers
    )
    markdown = (
        "## Unit vectors at scale (`bench/unit_vectors.py`)\n\n"
        f"{machine_line(m)}\n\n"
        f"{built['units']:,} synthetic units (float16, {DIM} dimensions) of {built['citations']:,} citations: "
        f"a {built['file_mb']:,} MB file, saved in {built['save_s']} s. Each reader in a fresh process, "
        f"{args.questions:,} questions of {RERANK_DEPTH} random citations each. The file was just "
        "written, so its pages are in the page cache, except for the second reader (dropped first, as "
        "after a restart). File pages a mapped reader touches count in its RSS but are the kernel's "
        "page cache: shared between server processes and given back under memory pressure; the "
        "anonymous memory is the process's own. This kernel keeps a freshly written file in 2 MB "
        "pages, so a touch there maps 2 MB; read from disk, a touch maps 4 KB.\n\n"
        "| read | load | RSS added by the load | RSS added after the questions | one question's similarities p50 / p95 |\n"
        "|---|---|---|---|---|\n"
        f"{rows}\n"
    )
    publish("unit-vectors", markdown, {"machine": m, "built": built, "readers": readers})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
