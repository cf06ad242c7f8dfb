"""Ingest throughput: chunks/s of a full build and where the time goes (parse, sparse analysis,
dense embedding, store write + checks), peak RSS, on the demo corpus and on demo + the large
acts (data/large), with dense vectors on and off (`KENES_EMBEDDINGS__MODE=none`). Each
configuration runs in a fresh process, so peak RSS and model loading are its own. Writes
docs/benchmarks.md (section "ingest") and bench/results/ingest.json.

    .venv/bin/python -m bench.ingest [--corpus demo demo+large] [--dense on off] [--retrieval]

The model load is not ingest work: it is warmed up before the clock starts. The split by phase
is the pipeline's own (IngestReport.timings); the store's write alone is timed around
`store.add` (the rest of "store" is the point-count and probe checks and the alias switch).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT, machine, machine_line, write_section

DEMO = ROOT / "data" / "demo"
LARGE = ROOT / "data" / "large"
REGISTRY = DEMO / "registry" / "functions.csv"


def acts_root(corpus: str, tmp: Path) -> Path:
    """One folder of act folders: the demo acts, plus the large ones linked in beside them."""
    if corpus == "demo":
        return DEMO / "acts"
    root = tmp / "acts"
    root.mkdir()
    for parent in (DEMO / "acts", LARGE):
        for act in sorted(p for p in parent.iterdir() if p.is_dir()):
            (root / act.name).symlink_to(act)
    return root


def _timed(bucket: dict[str, float], key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            bucket[key] = bucket.get(key, 0.0) + time.perf_counter() - t0

    return wrapper


def run_one(corpus: str, dense: bool) -> dict[str, Any]:
    """One full build in this process (called in a child process by `main`)."""
    from assistant.container import Container
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        acts = acts_root(corpus, tmp)
        overrides: dict[str, Any] = {"data_dir": tmp / "data", "llm": {"mode": "fake"}}
        if not dense:
            overrides["embeddings"] = {"mode": "none"}
        c = Container(Settings.model_validate(overrides))
        try:
            c.embedder.embed_documents(["прогрев"])  # model load is not ingest work
            c.sparse_encoder.doc_terms("прогрев анализатора", "ru")
            times: dict[str, float] = {}
            c.store.add = _timed(times, "store_add_s", c.store.add)  # type: ignore[method-assign]
            load_before = os.getloadavg()[0]
            report = c.pipeline.build(acts, REGISTRY)
            load_after = os.getloadavg()[0]
        finally:
            c.close()
    # the pipeline's own split wins over the wrappers (it sees work done in worker processes)
    phases = {k: round(v, 2) for k, v in {**times, **getattr(report, "timings", {})}.items()}
    known = ("parse_s", "sparse_s", "dense_s", "store_s")
    other = report.seconds - sum(phases.get(k, 0.0) for k in known)
    return {
        "corpus": corpus,
        "dense": dense,
        "chunks": report.embedded,
        "seconds": round(report.seconds, 2),
        "chunks_per_s": round(report.chunks_per_s, 1),
        "phases": phases,
        "other_s": round(other, 2) if "store_s" in phases else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_avg": [round(load_before, 2), round(load_after, 2)],
    }


def _child(corpus: str, dense: bool) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.ingest", "--one", corpus, "--dense", "on" if dense else "off"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _table(runs: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| corpus | dense | chunks | total s | chunks/s | parse s | sparse s | dense s | store s (write) "
        "| peak RSS MB | load avg (start→end) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        p = r["phases"]
        lines.append(
            f"| {r['corpus']} | {'on' if r['dense'] else 'off'} | {r['chunks']:,} | {r['seconds']} "
            f"| **{r['chunks_per_s']}** | {p.get('parse_s', '–')} | {p.get('sparse_s') or '–'} "
            f"| {p.get('dense_s', '–')} | {p.get('store_s', '–')} ({p.get('store_add_s', '–')}) "
            f"| {r['peak_rss_mb']} | {r['load_avg'][0]}→{r['load_avg'][1]} |"
        )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--one", choices=["demo", "demo+large"], help=argparse.SUPPRESS)
    ap.add_argument("--corpus", nargs="+", default=["demo", "demo+large"])
    ap.add_argument("--dense", nargs="+", default=["on", "off"], choices=["on", "off"])
    ap.add_argument("--retrieval", action="store_true", help="also: what dense adds on the dev sets")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.dense[0] == "on"), ensure_ascii=False))
        return
    m = machine()
    runs = [_child(corpus, d == "on") for corpus in args.corpus for d in args.dense]
    data: dict[str, Any] = {"machine": m, "runs": runs}
    lines = ["## Ingest throughput (`bench/ingest.py`)", "", machine_line(m), "", *_table(runs)]
    if args.retrieval:
        from bench.ingest_quality import dense_contribution, quality_lines

        data["quality"] = dense_contribution()
        lines += ["", *quality_lines(data["quality"])]
    print("\n".join(lines))
    if not args.no_write:
        write_section("ingest", "\n".join(lines), data)


if __name__ == "__main__":
    main()
