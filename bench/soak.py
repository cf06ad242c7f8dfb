"""Soak: a long stream of mixed questions (registry, law for the LLM, out-of-scope) through one
running `kenes serve` on loopback, as clients would send them. Checks what issue 15 asks of a
server that runs for days: resident memory at the end within 20% of memory after warm-up, and
no answer slower than the model-call bound (`llm.timeout_s`) plus 5 s. Writes docs/benchmarks.md
(section "soak") and bench/results/soak.json.

    .venv/bin/python -m bench.soak [--questions 300] [--warmup 30] [--clients 3] [--bound-s 30]
        [--data-dir DIR] [--dataset FILE.jsonl ...]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from assistant.settings import DEMO_DIR
from bench.api_load import indexed_with_user, served_process
from bench.common import machine, machine_line, proc_memory, publish, summary

KINDS = {"registry": "registry", "registry-list": "registry", "law": "law", "multi": "law"}
# per 10 questions: what a working day of civil servants looks like, with law heavy enough that
# the model (the part that held on to memory) is busy most of the run
PATTERN = ["registry"] * 5 + ["law"] * 4 + ["other"]


def load_items(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    pools: dict[str, list[dict[str, Any]]] = {"registry": [], "law": [], "other": []}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if not item.get("history"):  # one-off questions: no conversation to replay
                    pools[KINDS.get(item["kind"], "other")].append(item)
    return pools


def schedule(pools: dict[str, list[dict[str, Any]]], n: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    cycles = {k: itertools.cycle(rng.sample(v, len(v))) for k, v in pools.items() if v}
    out = []
    for i in range(n):
        kind = PATTERN[i % len(PATTERN)]
        if kind in cycles:
            out.append((kind, str(next(cycles[kind])["question"])))
    return out


def rss_mb(pid: int) -> float:
    return proc_memory(pid)["VmRSS"]


async def run(
    base: str, token: str, pid: int, questions: list[tuple[str, str]], clients: int
) -> list[dict[str, Any]]:
    """Ask `questions` in order with `clients` at a time; one record per answer."""
    records: list[dict[str, Any]] = []
    todo = iter(enumerate(questions))
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=900
    ) as http:

        async def worker() -> None:
            for i, (kind, question) in todo:
                t0 = time.perf_counter()
                resp = await http.post("/api/ask", json={"question": question})
                body = (
                    resp.json() if resp.headers.get("content-type", "").startswith("application/json") else {}
                )
                records.append(
                    {
                        "i": i,
                        "kind": kind,
                        "status": resp.status_code,
                        "mode": body.get("mode", ""),
                        "notice": bool(body.get("notice")),
                        "seconds": round(time.perf_counter() - t0, 3),
                        "rss_mb": round(rss_mb(pid), 1),
                    }
                )

        await asyncio.gather(*(worker() for _ in range(clients)))
    return sorted(records, key=lambda r: r["i"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=300, help="measured questions after warm-up")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--clients", type=int, default=3)
    ap.add_argument("--bound-s", type=float, default=30.0, help="KENES_LLM__TIMEOUT_S of the server")
    ap.add_argument(
        "--data-dir", type=Path, default=None, help="existing index; default: ingest into a temp dir"
    )
    ap.add_argument(
        "--dataset", type=Path, nargs="*", default=[], help="extra eval sets to draw questions from"
    )
    args = ap.parse_args()
    sets = sorted((DEMO_DIR / "eval").glob("dev-*.jsonl")) + list(args.dataset)
    pools = load_items(sets)
    plan = schedule(pools, args.warmup + args.questions)
    m = machine()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        token = indexed_with_user(data_dir, build=args.data_dir is None, name="soak")
        with served_process(data_dir, {"KENES_LLM__TIMEOUT_S": str(args.bound_s)}) as (base, proc):
            started_rss = rss_mb(proc.pid)
            t0 = time.perf_counter()
            warm = asyncio.run(run(base, token, proc.pid, plan[: args.warmup], args.clients))
            warm_rss = rss_mb(proc.pid)
            measured = asyncio.run(run(base, token, proc.pid, plan[args.warmup :], args.clients))
            end_rss = rss_mb(proc.pid)
            wall = time.perf_counter() - t0
    report(m, args, sets, started_rss, warm_rss, end_rss, warm, measured, wall)


def report(
    m: dict[str, Any],
    args: argparse.Namespace,
    sets: list[Path],
    started_rss: float,
    warm_rss: float,
    end_rss: float,
    warm: list[dict[str, Any]],
    measured: list[dict[str, Any]],
    wall: float,
) -> None:
    slowest = max((r["seconds"] for r in warm + measured), default=0.0)
    limit = args.bound_s + 5
    growth = end_rss / warm_rss - 1
    by_kind = {
        kind: summary([r["seconds"] * 1000 for r in measured if r["kind"] == kind])
        for kind in ("registry", "law", "other")
    }
    errors = sum(1 for r in warm + measured if r["status"] != 200)
    timed_out = sum(1 for r in measured if r["notice"])
    peak = max((r["rss_mb"] for r in measured), default=end_rss)
    data = {
        "machine": m,
        "questions": args.questions,
        "warmup": args.warmup,
        "clients": args.clients,
        "bound_s": args.bound_s,
        "datasets": [str(p) for p in sets],
        "rss_mb": {"start": started_rss, "after_warmup": warm_rss, "end": end_rss, "peak": peak},
        "rss_growth": round(growth, 4),
        "slowest_s": slowest,
        "latency_ms": by_kind,
        "errors": errors,
        "llm_notices": timed_out,
        "wall_s": round(wall, 1),
        "passed": growth <= 0.2 and slowest <= limit and errors == 0,
        "records": warm + measured,
    }
    verdict = "**passed**" if data["passed"] else "**failed**"
    lines = [
        "## Soak: a long stream of mixed questions (`bench/soak.py`)",
        "",
        machine_line(m),
        "",
        f"{args.warmup} warm-up + {args.questions} measured questions (per 10: 5 registry, 4 law for "
        f"the LLM, 1 out-of-scope; {args.clients} clients at a time) through one `kenes serve` on "
        f"loopback with the embedded LLM, model-call bound `KENES_LLM__TIMEOUT_S={args.bound_s:g}`; "
        f"{wall / 60:.0f} min. Result: {verdict}.",
        "",
        f"- Server RSS: {started_rss:.0f} MB at start, **{warm_rss:.0f} MB after warm-up**, "
        f"**{end_rss:.0f} MB at the end** ({growth:+.1%}; bar: within +20%), peak {peak:.0f} MB.",
        f"- Slowest answer **{slowest:.1f} s** (bar: bound + 5 s = {limit:g} s); {timed_out} law answers "
        f"hit the bound and were answered with the cited extract; {errors} errors.",
        "- Latency by question kind (s): "
        + "; ".join(
            f"{k} p50 {v['p50'] / 1000:.2f}, p95 {v['p95'] / 1000:.2f}, max {v['max'] / 1000:.2f} (n={v['n']})"
            for k, v in by_kind.items()
            if v["n"]
        )
        + ".",
    ]
    publish("soak", "\n".join(lines), data)


if __name__ == "__main__":
    main()
