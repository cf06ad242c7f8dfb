"""`kenes serve` on a national-size index (issue 14): its memory with a 1M-chunk live version and
the time to re-index one changed act at that size.

    .venv/bin/python -m bench.serve_scale [--chunks 1000000] [--work DIR] [--print-only]

1. A real index: `kenes ingest` of the demo and the large acts (real embedder, real parser).
2. Grown to `--chunks` in place: every act chunk of the live version replicated as another act
   (its own slug and citations: «law-r7#st6»), sparse terms partly dropped and re-weighted, dense
   vector jittered — near-duplicates with distinct ids, like the scale benchmark; registry rows
   replicated ×`--row-copies` (a national registry has tens of thousands). HNSW built as a
   promote builds it. Skipped when `--work` already holds a grown index.
3. `kenes serve` (real model) is started on it: time to /ready (the read model's one pass over
   the index included), then law and registry questions over HTTP; the process's RSS (now) and
   peak RSS (VmHWM) are read from /proc after each answer.
4. The server is stopped and one demo act is changed (one article reworded) and re-indexed with
   `kenes ingest --incremental --acts <that act>`: wall time of the whole command, and the new
   wording is then found by `kenes search`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from assistant.settings import PROJECT_ROOT, Settings
from bench.api_load import indexed_with_user, served_process
from bench.common import machine, machine_line, proc_memory, summary, write_section
from bench.retrieval import dev_items

DEMO = PROJECT_ROOT / "data" / "demo"
LARGE = PROJECT_ROOT / "data" / "large"
CHANGED_ACT = "personal-data"
NEW_WORDING = "незамедлительно, но не позднее трёх рабочих часов"


def kenes(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "KENES_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args], env=full, capture_output=True, text=True, check=True
    )


def memory_of(pid: int) -> dict[str, float]:
    return {key: round(mb, 1) for key, mb in proc_memory(pid).items()}


# -- 1 + 2: the index -----------------------------------------------------------------------------
def replicas(base: list[Any], rows: list[Any], n_acts: int, row_copies: int) -> Iterator[Any]:
    from assistant.store.base import StoredPoint

    rng = np.random.default_rng(7)
    made = 0
    r = 0
    while made < n_acts:
        r += 1
        for p in base:
            if made >= n_acts:
                break
            slug = f"{p.chunk.act_slug}-r{r}"
            citation = p.chunk.citation.replace(p.chunk.act_slug, slug, 1)
            chunk = p.chunk.model_copy(
                update={
                    "act_slug": slug,
                    "citation": citation,
                    "chunk_id": p.chunk.chunk_id.replace(p.chunk.act_slug, slug, 1),
                }
            )
            sparse = p.vectors["sparse"]
            keep = rng.random(len(sparse.indices)) > 0.1
            idx = [int(t) for t, k in zip(sparse.indices, keep, strict=True) if k]
            val = [
                float(v) * float(rng.uniform(0.8, 1.2)) for v, k in zip(sparse.values, keep, strict=True) if k
            ]
            dense = np.asarray(p.vectors["dense"], dtype=np.float32) + rng.normal(
                0, 0.02, len(p.vectors["dense"])
            )
            dense /= np.linalg.norm(dense)
            payload = {**p.payload, **chunk.model_dump()}
            vectors = {"dense": dense.tolist(), "sparse": type(sparse)(indices=idx, values=val)}
            made += 1
            yield StoredPoint(chunk, p.content_hash, p.embed_hash, payload, vectors)
    for copy in range(1, row_copies):
        for p in rows:
            fid = f"{p.chunk.registry['function_id']}-c{copy}"
            chunk = p.chunk.model_copy(
                update={
                    "citation": f"registry:{fid}",
                    "chunk_id": f"registry:{fid}@{p.chunk.lang}",
                    "registry": {**p.chunk.registry, "function_id": fid},
                }
            )
            yield StoredPoint(
                chunk, p.content_hash, p.embed_hash, {**p.payload, **chunk.model_dump()}, p.vectors
            )


def build(data_dir: Path, chunks: int, row_copies: int) -> dict[str, Any]:
    from assistant.container import Container
    from assistant.rag import readmodel

    t0 = time.perf_counter()
    kenes(
        data_dir,
        "ingest",
        "--acts",
        str(DEMO / "acts"),
        "--acts",
        str(LARGE),
        "--registry",
        str(DEMO / "registry" / "functions.csv"),
    )
    ingest_s = time.perf_counter() - t0
    c = Container(Settings(data_dir=data_dir))
    store = c.store
    live = store.require_live()
    points = list(store.scroll(live, with_vectors=True))
    base = [p for p in points if p.chunk.kind == "act"]
    rows = [p for p in points if p.chunk.kind == "registry"]
    n_acts = chunks - len(points) - len(rows) * (row_copies - 1)
    t1 = time.perf_counter()
    batch: list[Any] = []
    before = c.pipeline.manifest.get(live)
    counts = dict(before.counts) if before is not None else {}
    articles: set[tuple[str, str]] = set()
    for point in replicas(base, rows, n_acts, row_copies):
        key = f"{point.chunk.kind}_{point.chunk.lang}"
        counts[key] = counts.get(key, 0) + 1
        if point.chunk.kind == "act":
            articles.add((point.chunk.citation, point.chunk.lang))
        if point.chunk.kind == "registry":
            counts["registry_rows"] = counts.get("registry_rows", 0) + 1
        batch.append(point)
        if len(batch) == 2048:
            store.copy_points(live, live, batch)
            batch = []
    store.copy_points(live, live, batch)
    write_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    store.swap_alias(live)  # builds the HNSW graph, as a promote does
    index_s = time.perf_counter() - t2
    # the statistics the ingest saved describe the version before it grew
    readmodel.remove(readmodel.directory_in(data_dir / "index"), live)
    total = store.count(live)
    # the live version's recorded counts, as a build of that many chunks would have written them
    info = c.pipeline.manifest.get(live)
    if info is not None:
        counts["articles"] = counts.get("articles", 0) + len(articles)
        info.counts = {**counts, "total": total}
        c.pipeline.manifest.upsert(info)
    c.close()
    return {
        "base_chunks": len(points),
        "chunks": total,
        "registry_rows": len(rows) * row_copies,
        "ingest_s": round(ingest_s, 1),
        "write_s": round(write_s, 1),
        "index_s": round(index_s, 1),
        "disk_gb": round(sum(p.stat().st_blocks * 512 for p in data_dir.rglob("*") if p.is_file()) / 1e9, 2),
    }


def ensure_stats(data_dir: Path) -> float | None:
    """The read-model statistics a build saves with its version (`assistant/rag/readmodel.py`):
    the version grown here in place has none, so they are made from the store once, as for a
    version built before they existed. Seconds taken, or None if they were there."""
    from assistant.container import Container
    from assistant.rag import readmodel

    c = Container(Settings(data_dir=data_dir))
    live = c.store.require_live()
    stats_dir = readmodel.directory_in(data_dir / "index")
    took = None
    if readmodel.load(stats_dir, live) is None:
        t0 = time.perf_counter()
        readmodel.save(stats_dir, live, readmodel.VersionStats.scanned(c.store, live))
        took = round(time.perf_counter() - t0, 1)
    c.close()
    return took


# -- 3: serving -----------------------------------------------------------------------------------
def serve(data_dir: Path, n_law: int, n_registry: int) -> dict[str, Any]:
    token = indexed_with_user(data_dir, build=False, name="scale")
    items = dev_items(sorted((DEMO / "eval").glob("dev*.jsonl")))
    # practical questions in users' wording (dev-v2), the kind the model answers
    law = [
        i for i in items if i.get("kind") == "law" and i.get("lang") == "ru" and i["id"].startswith("v2-")
    ][:n_law]
    registry = [i for i in items if i.get("kind") == "registry"][:n_registry]
    t0 = time.perf_counter()
    timeline: list[dict[str, Any]] = []
    times: dict[str, list[float]] = {"law": [], "registry": []}
    modes: dict[str, int] = {}
    with served_process(data_dir, {}) as (base, proc):
        ready_s = time.perf_counter() - t0
        timeline.append({"after": "ready", **memory_of(proc.pid)})
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=300) as http:
            for kind, group in (("registry", registry), ("law", law), ("registry", registry)):
                for item in group:
                    t = time.perf_counter()
                    r = http.post("/api/ask", json={"question": item["question"]})
                    r.raise_for_status()
                    mode = f"{kind}: {r.json().get('mode')}"
                    modes[mode] = modes.get(mode, 0) + 1
                    times[kind].append((time.perf_counter() - t) * 1000)
                timeline.append({"after": f"{len(group)} {kind}", **memory_of(proc.pid)})
        final = memory_of(proc.pid)
    return {
        "ready_s": round(ready_s, 1),
        "rss_mb": final["VmRSS"],
        "peak_rss_mb": final["VmHWM"],
        "anon_mb": final.get("RssAnon"),
        "file_mb": final.get("RssFile"),
        "timeline": timeline,
        "law_ms": summary(times["law"]),
        "registry_ms": summary(times["registry"]),
        "modes": modes,
    }


# -- 4: one changed act ---------------------------------------------------------------------------
def update_one_act(data_dir: Path, work: Path) -> dict[str, Any]:
    src = DEMO / "acts" / CHANGED_ACT
    act = work / "changed" / CHANGED_ACT
    shutil.rmtree(act, ignore_errors=True)
    shutil.copytree(src, act)
    rus = next(p for p in act.iterdir() if p.stem.lower() in ("rus", "ru"))
    text = rus.read_text(encoding="utf-8")
    old = "в течение одного рабочего дня"
    assert old in text, "the demo act no longer has the sentence this benchmark rewords"
    rus.write_text(text.replace(old, NEW_WORDING, 1), encoding="utf-8")
    t0 = time.perf_counter()
    done = kenes(data_dir, "ingest", "--incremental", "--acts", str(act), "--json")
    wall_s = time.perf_counter() - t0
    report = json.loads(done.stdout)
    found = kenes(data_dir, "search", NEW_WORDING, "--json").stdout
    return {
        "wall_s": round(wall_s, 1),
        "reported_s": round(float(report.get("seconds", 0.0)), 1),
        "reembedded": report.get("changes", {}).get("reembedded"),
        "chunks_after": report.get("counts", {}).get("total"),
        "new_wording_found": NEW_WORDING in found,
    }


def render(m: dict[str, Any], built: dict[str, Any], served: dict[str, Any], update: dict[str, Any]) -> str:
    law, reg = served["law_ms"], served["registry_ms"]
    lines = [
        "## Serving at scale",
        "",
        "`bench/serve_scale.py`: " + machine_line(m),
        "",
        f"A real demo + large-acts index ({built['base_chunks']:,} chunks, real embedder) grown in place to "
        f"**{built['chunks']:,} chunks** ({built['registry_rows']:,} registry rows): act chunks replicated as "
        "other acts with their own citations, terms and vectors perturbed. Writes "
        f"{built['write_s']} s, HNSW build {built['index_s']} s, disk {built['disk_gb']} GB; its read-model "
        f"statistics (saved by every build; this grown version had none) made from the store once in "
        f"{built.get('stats_s', '—')} s.",
        "",
        "| `kenes serve` (real model) | value |",
        "|---|---|",
        f"| start to /ready (read model from the version's saved statistics, registry rows read, model loaded) "
        f"| {served['ready_s']} s |",
        f"| RSS after the questions | **{served['rss_mb']:,} MB** (anonymous {served['anon_mb']:,}, "
        f"file-backed {served['file_mb']:,}) |",
        f"| peak RSS (VmHWM) | **{served['peak_rss_mb']:,} MB** |",
        f"| questions of the registry dev sets, any answer mode, p50 / p95 (n={reg['n']}) "
        f"| {reg['p50']} / {reg['p95']} ms |",
        f"| law questions (dev-v2), p50 / p95 (n={law['n']}) | {law['p50']} / {law['p95']} ms |",
        "| answers by kind: mode | "
        + ", ".join(f"{k} {v}" for k, v in sorted(served["modes"].items()))
        + " |",
        "",
        "RSS along the run: "
        + "; ".join(f"{t['after']}: {t['VmRSS']:,} MB" for t in served["timeline"])
        + ".",
        "",
        f"Re-index of one changed act at this size (`kenes ingest --incremental --acts {CHANGED_ACT}`, one "
        f"sentence reworded, server stopped): **{update['wall_s']} s** for the whole command "
        f"({update['reported_s']} s inside the update; {update['reembedded']} chunks re-embedded; "
        f"{update['chunks_after']:,} chunks after); the new wording found by `kenes search`: "
        f"{'yes' if update['new_wording_found'] else 'NO'}.",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=1_000_000)
    ap.add_argument("--row-copies", type=int, default=100, help="registry rows ×N (354 → 35,400)")
    ap.add_argument(
        "--work", type=Path, default=Path(os.environ.get("KENES_BENCH_TMP", "/tmp")) / "kenes-serve-scale"
    )
    ap.add_argument("--law", type=int, default=6)
    ap.add_argument("--registry", type=int, default=20)
    ap.add_argument("--print-only", action="store_true")
    args = ap.parse_args()
    m = machine()
    data_dir = args.work / "data"
    marker = args.work / "built.json"
    if marker.exists():
        built = json.loads(marker.read_text())
    else:
        shutil.rmtree(args.work, ignore_errors=True)
        data_dir.mkdir(parents=True)
        for name in ("models",):  # the packaged model and embedder, as `kenes` finds them
            src = Settings().data_dir / name
            if src.exists():
                (data_dir / name).symlink_to(src.resolve())
        built = build(data_dir, args.chunks, args.row_copies)
        marker.write_text(json.dumps(built))
    print("built", built, flush=True)
    stats_s = ensure_stats(data_dir)
    if stats_s is not None:
        built["stats_s"] = stats_s
        marker.write_text(json.dumps(built))
    print("read-model statistics", built.get("stats_s"), flush=True)
    served = serve(data_dir, args.law, args.registry)
    print("served", json.dumps(served), flush=True)
    update = update_one_act(data_dir, args.work)
    print("update", update, flush=True)
    text = render(m, built, served, update)
    if not args.print_only:
        write_section("serve-scale", text, {"machine": m, "built": built, "served": served, "update": update})
    print(text)


if __name__ == "__main__":
    main()
