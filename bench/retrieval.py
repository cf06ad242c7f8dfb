"""Retrieval benchmark: demo ingest time, search latency (demo and a ≥100k-chunk synthetic
scale-up), and hit@1/5 + MRR on the dev sets per language and kind, for hybrid, sparse-only and
dense-only retrieval; then the same hybrid quality on the same index through the pre-Edge store
(qdrant-client local mode + its in-process search copy), measured in the same run.
Writes docs/benchmarks.md (section "retrieval") and bench/results/.

    .venv/bin/python -m bench.retrieval [--scale 100000] [--repeats 5] [--no-compare]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.container import Container
from assistant.settings import DEMO_DIR, Settings
from bench.common import machine, machine_line, summary, write_section

DEV = [DEMO_DIR / "eval" / "dev-law-qa.jsonl", DEMO_DIR / "eval" / "dev-registry-qa.jsonl"]
DEV_V2 = [DEMO_DIR / "eval" / f"dev-v2-{name}-qa.jsonl" for name in ("law", "registry", "oos")]


def dev_items(paths: list[Path] = DEV) -> list[dict[str, Any]]:
    items = []
    for path in paths:
        items += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return items


def rank_of(gold: list[str], cited: list[str]) -> int | None:
    for i, c in enumerate(cited):
        if any(c == g or c.startswith(g + ".") for g in gold):
            return i
    return None


def quality(c: Container, items: list[dict[str, Any]], weights: tuple[float, float]) -> dict[str, Any]:
    r = c.settings.retrieval
    saved = (r.sparse_weight, r.dense_weight)
    r.sparse_weight, r.dense_weight = weights
    groups: dict[str, list[int | None]] = {}
    try:
        for it in items:
            if not it["answerable"]:
                continue
            hits = c.routed_retriever.search(it["question"], top_k=10).hits
            rank = rank_of(it["gold_citations"], [h.chunk.citation for h in hits])
            for key in ("all", f"lang:{it['lang']}", f"kind:{it['kind']}"):
                groups.setdefault(key, []).append(rank)
    finally:
        r.sparse_weight, r.dense_weight = saved
    return {key: scores(ranks) for key, ranks in groups.items()}


def scores(ranks: list[int | None]) -> dict[str, float]:
    """hit@1, hit@5 and MRR of the gold's rank per question (None: not in the list)."""
    n = len(ranks) or 1
    return {
        "n": len(ranks),
        "hit@1": round(sum(1 for x in ranks if x == 0) / n, 3),
        "hit@5": round(sum(1 for x in ranks if x is not None and x < 5) / n, 3),
        "mrr": round(sum(1 / (x + 1) for x in ranks if x is not None) / n, 3),
    }


def latency(c: Container, items: list[dict[str, Any]], repeats: int) -> dict[str, Any]:
    """Every query encoded afresh: the question-vector cache is off, or repeats would be free."""
    c.settings.embeddings.query_cache = 0
    total, encode, store = [], [], []
    for _ in range(repeats):
        for it in items:
            t0 = time.perf_counter()
            result = c.routed_retriever.search(it["question"], top_k=8)
            total.append((time.perf_counter() - t0) * 1000)
            encode.append(result.timings.get("encode_ms", 0.0))
            store.append(result.timings.get("store_ms", 0.0))
    return {"total_ms": summary(total), "encode_ms": summary(encode), "store_ms": summary(store)}


def old_store_quality(c: Container, items: dict[str, list[dict[str, Any]]], tmp: Path) -> dict[str, Any]:
    """Hybrid quality per dev set, first through the configured store (Edge), then through the
    pre-Edge embedded store holding the same points; same retriever, same settings."""
    from bench.old_store import OldStore

    live = c.store.require_live()
    points = list(c.store.scroll(live, with_vectors=True))
    old = OldStore(str(tmp / "old-store"))
    old.create_collection(live, len(points[0].vectors["dense"]))
    old.copy_points(live, live, points)
    old.swap_alias(live)
    r = c.settings.retrieval
    weights = (r.sparse_weight, r.dense_weight)
    out: dict[str, Any] = {}
    retriever = c.routed_retriever.retriever
    new = retriever.store
    try:
        for label, group in items.items():
            out[label] = {type(new).__name__: quality(c, group, weights)["all"]}
            retriever.store = old
            try:
                out[label]["QdrantStore (local + memory index)"] = quality(c, group, weights)["all"]
            finally:
                retriever.store = new
    finally:
        old.close()
    return out


def scale_up(c: Container, target: int, queries: list[str]) -> dict[str, Any]:
    """The embedded search path at `target` points: the in-process copy built from the demo
    points replicated (dense vectors jittered, so ties do not short-cut the search), queried
    with the real question vectors and the Russian-question filter."""
    import numpy as np

    from assistant.store.base import SparseVec
    from bench.old_store import MemoryIndex

    live = c.store.require_live()
    base = list(c.store.scroll(live, with_vectors=True))
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    picks = [base[i % len(base)] for i in range(target)]
    dense = np.array([p.vectors["dense"] for p in picks], dtype=np.float32)
    dense += rng.normal(0, 0.01, dense.shape).astype(np.float32)
    sparse = [(list(p.vectors["sparse"].indices), list(p.vectors["sparse"].values)) for p in picks]
    index = MemoryIndex([p.chunk for p in picks], [p.payload for p in picks], dense, sparse)
    build_s = time.perf_counter() - t0
    r = c.settings.retrieval
    times = []
    for q in queries:
        vec = SparseVec(*c.sparse_encoder.encode_query(q))
        emb = c.embedder.embed_query(q)
        t1 = time.perf_counter()
        index.query(
            emb,
            vec,
            limit=32,
            candidates=r.candidates,
            weights=(r.sparse_weight, r.dense_weight),
            rrf_k=r.rrf_k,
            filters={"lang!": "kk"},
        )
        times.append((time.perf_counter() - t1) * 1000)
    return {"points": target, "build_s": round(build_s, 1), "store_query_ms": summary(times)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--scale-queries", type=int, default=10)
    ap.add_argument("--no-compare", action="store_true", help="skip the old-store comparison")
    ap.add_argument("--print-only", action="store_true", help="print; leave docs/ and results/ alone")
    args = ap.parse_args()
    m = machine()
    items = dev_items()
    with tempfile.TemporaryDirectory() as tmp:
        c = Container(Settings.model_validate({"data_dir": Path(tmp), "llm": {"mode": "fake"}}))
        try:
            c.embedder.embed_query("warm-up")  # model load is not ingest work
            report = c.assistant.ingest()
            c.routed_retriever.search("прогрев")  # knowledge + analyzer caches
            ingest = {
                "seconds": round(report.seconds, 1),
                "chunks": report.embedded,
                "chunks_per_s": round(report.chunks_per_s, 1),
            }
            modes = {
                "hybrid": quality(
                    c, items, (c.settings.retrieval.sparse_weight, c.settings.retrieval.dense_weight)
                ),
                "sparse only": quality(c, items, (1.0, 0.0)),
                "dense only": quality(c, items, (0.0, 1.0)),
            }
            sets = {"dev v1": items, "dev-v2": dev_items(DEV_V2)}
            compare = {} if args.no_compare else old_store_quality(c, sets, Path(tmp))
            lat = latency(c, items, args.repeats)
            scale = (
                scale_up(c, args.scale, [i["question"] for i in items[: args.scale_queries]])
                if args.scale
                else {}
            )
        finally:
            c.close()
    data = {
        "machine": m,
        "ingest": ingest,
        "quality": modes,
        "latency": lat,
        "scale": scale,
        "compare": compare,
        "settings": Settings().retrieval.model_dump(),
    }
    lines = [
        "## Retrieval (`bench/retrieval.py`)",
        "",
        machine_line(m),
        "",
        f"- Demo ingest (4 acts ru+kk, registry v1): **{ingest['seconds']} s**, {ingest['chunks']} chunks, "
        f"{ingest['chunks_per_s']} chunks/s (embedding model already loaded).",
        f"- Search latency on the demo index, {lat['total_ms']['n']} queries (dev questions × {args.repeats}, "
        "each question encoded afresh): "
        f"p50 **{lat['total_ms']['p50']} ms**, p95 **{lat['total_ms']['p95']} ms** "
        f"(query encoding p50 {lat['encode_ms']['p50']} ms, store p50 {lat['store_ms']['p50']} ms).",
    ]
    if scale:
        lines.append(
            f"- Synthetic scale-up, {scale['points']:,} points (the demo points replicated) in the embedded "
            f"search copy (built in {scale['build_s']} s): hybrid store query p50 "
            f"{scale['store_query_ms']['p50']} ms, p95 {scale['store_query_ms']['p95']} ms over "
            f"{scale['store_query_ms']['n']} dev questions. Exact search grows linearly with the points; "
            "past a few hundred thousand use the Qdrant server (docs/deployment.md)."
        )
    lines += [
        "",
        "Dev sets (answerable items; gold = article-level prefix or exact registry id):",
        "",
        "| mode | group | n | hit@1 | hit@5 | MRR |",
        "|---|---|---|---|---|---|",
    ]
    for mode, groups in modes.items():
        for key in sorted(groups, key=lambda k: (k != "all", k)):
            g = groups[key]
            lines.append(f"| {mode} | {key} | {g['n']} | {g['hit@1']} | {g['hit@5']} | {g['mrr']} |")
    if compare:
        lines += [
            "",
            "Same index, same run, hybrid with the default settings: Qdrant Edge (the embedded default) "
            "against the pre-Edge store (qdrant-client local mode + its in-process search copy):",
            "",
            "| dev sets | store | n | hit@1 | hit@5 | MRR |",
            "|---|---|---|---|---|---|",
        ]
        for label, stores in compare.items():
            for store, g in stores.items():
                lines.append(f"| {label} | {store} | {g['n']} | {g['hit@1']} | {g['hit@5']} | {g['mrr']} |")
    if not args.print_only:
        write_section("retrieval", "\n".join(lines), data)
    else:
        print(json.dumps(data["compare"], ensure_ascii=False))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
