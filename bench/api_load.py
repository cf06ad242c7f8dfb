"""API under load, on loopback, against a real `kenes serve` process (the load generator runs in
another process, as clients would): 20 concurrent clients asking registry questions (p50/p95 and
correctness), with and without the question-vector cache, /health latency while an LLM answer
is being generated, and the mixed case of issue 15 — 30 questions at once, 24 registry and 6 law
questions for the LLM — reported per answer kind. Writes docs/benchmarks.md (section "api").

    .venv/bin/python -m bench.api_load [--clients 20] [--rounds 5] [--data-dir DIR] [--mixed-only]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from assistant.db.session import Database
from assistant.db.users import add_user
from assistant.settings import Settings
from bench.common import machine, machine_line, publish, summary
from bench.retrieval import dev_items


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def clients(base: str, token: str, items: list[dict[str, Any]], n: int, rounds: int) -> dict[str, Any]:
    times: list[float] = []
    correct = 0
    total = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:

        async def one(i: int) -> None:
            nonlocal correct, total
            for r in range(rounds):
                item = items[(i + r) % len(items)]
                t0 = time.perf_counter()
                resp = await http.post("/api/ask", json={"question": item["question"]})
                times.append((time.perf_counter() - t0) * 1000)
                total += 1
                body = resp.json()
                text = body.get("answer", "").lower()
                if resp.status_code == 200 and item["gold_agency"].lower() in text:
                    correct += 1

        await asyncio.gather(*(one(i) for i in range(n)))
    return {"latency_ms": summary(times), "correct": correct, "total": total}


async def health_during_llm(base: str, token: str, question: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    health: list[float] = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=300) as http:
        llm_task = asyncio.create_task(http.post("/api/ask", json={"question": question}))
        await asyncio.sleep(0.2)
        while not llm_task.done():
            t0 = time.perf_counter()
            await http.get("/health")
            health.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0.05)
        answer = (await llm_task).json()
    return {
        "health_ms": summary(health),
        "llm_answer_ms": answer.get("timings", {}).get("total_ms"),
        "llm_mode": answer.get("mode"),
        "model": answer.get("model"),
    }


async def mixed(
    base: str,
    token: str,
    registry: list[dict[str, Any]],
    law: list[dict[str, Any]],
    n_registry: int,
    n_law: int,
) -> dict[str, Any]:
    """`n_registry` registry and `n_law` law questions sent at once (law first, so the model is
    busy while the registry answers run); latency per answer kind (the answer's mode)."""
    headers = {"Authorization": f"Bearer {token}"}
    by_kind: dict[str, list[float]] = {}
    asked: dict[str, list[float]] = {"registry": [], "law": []}
    errors = 0
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=600) as http:

        async def one(kind: str, question: str, delay: float) -> None:
            nonlocal errors
            await asyncio.sleep(delay)
            t0 = time.perf_counter()
            resp = await http.post("/api/ask", json={"question": question})
            ms = (time.perf_counter() - t0) * 1000
            asked[kind].append(ms)
            if resp.status_code != 200:
                errors += 1
                return
            by_kind.setdefault(resp.json().get("mode", "?"), []).append(ms)

        jobs = [one("law", law[i % len(law)]["question"], 0.0) for i in range(n_law)]
        # registry questions start once the model is working on the first law question
        jobs += [one("registry", registry[i % len(registry)]["question"], 0.5) for i in range(n_registry)]
        await asyncio.gather(*jobs)
    return {
        "asked": {k: summary(v) for k, v in asked.items()},
        "by_mode": {k: summary(v) for k, v in sorted(by_kind.items())},
        "errors": errors,
    }


@contextlib.contextmanager
def served(data_dir: Path, env: dict[str, str]) -> Iterator[str]:
    """`kenes serve` on a free port with `env` on top of ours; yields the base URL once ready."""
    with served_process(data_dir, env) as (base, _):
        yield base


@contextlib.contextmanager
def served_process(data_dir: Path, env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """As `served`, also yielding the process (its pid, for memory readings). Its log goes to a
    file: an unread pipe would fill up and stall the server in a long run."""
    port = free_port()
    full = {**os.environ, "KENES_DATA_DIR": str(data_dir), "KENES_API__RATE_LIMIT_PER_MINUTE": "0", **env}
    kenes = shutil.which("kenes", path=str(Path(sys.executable).parent)) or "kenes"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [kenes, "serve", "--port", str(port)], env=full, stdout=subprocess.DEVNULL, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"kenes serve exited: {log.read().decode()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                        break
                time.sleep(0.5)
            yield base, proc
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def indexed_with_user(data_dir: Path, *, build: bool, name: str) -> str:
    """Build the demo index in `data_dir` when asked (in a child process, as an admin would) and
    return the token of a new user for the requests."""
    if build:
        env = {**os.environ, "KENES_DATA_DIR": str(data_dir)}
        subprocess.run([sys.executable, "-m", "assistant.cli", "ingest"], env=env, check=True)
    _, token = add_user(
        Database.from_settings(Settings(data_dir=data_dir)), f"{name}-{time.time_ns()}", "user"
    )
    return token


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument(
        "--data-dir", type=Path, default=None, help="existing index; default: ingest into a temp dir"
    )
    ap.add_argument("--mixed-only", action="store_true", help="only the mixed registry + LLM case")
    ap.add_argument("--registry", type=int, default=24, help="mixed case: registry questions")
    ap.add_argument("--law", type=int, default=6, help="mixed case: law questions for the LLM")
    args = ap.parse_args()
    m = machine()
    registry_items = [i for i in dev_items() if i["kind"] == "registry" and i.get("gold_agency")]
    law_items = [i for i in dev_items() if i["kind"] == "law"]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        token = indexed_with_user(data_dir, build=args.data_dir is None, name="bench")
        if not args.mixed_only:
            registry_load(args, m, data_dir, token, registry_items)
        with served(data_dir, {}) as base:
            asyncio.run(mixed(base, token, registry_items, law_items, 2, 1))  # warm: model, caches
            result = asyncio.run(mixed(base, token, registry_items, law_items, args.registry, args.law))
    write_mixed(m, args.registry, args.law, result)


def registry_load(
    args: argparse.Namespace,
    m: dict[str, Any],
    data_dir: Path,
    token: str,
    registry_items: list[dict[str, Any]],
) -> None:
    law_question = (
        "В какой срок нужно удалить незаконно размещённые персональные данные по требованию субъекта?"
    )
    # Cold: every request encodes its question (no vector cache), the worst case for a stream of
    # distinct questions. Then the defaults, where repeated questions reuse their vectors.
    with served(data_dir, {"KENES_EMBEDDINGS__QUERY_CACHE": "0"}) as base:
        cold = asyncio.run(clients(base, token, registry_items, args.clients, args.rounds))
    with served(data_dir, {}) as base:
        load = asyncio.run(clients(base, token, registry_items, args.clients, args.rounds))
        during = asyncio.run(health_during_llm(base, token, law_question))
    data = {
        "machine": m,
        "clients": args.clients,
        "rounds": args.rounds,
        "distinct_questions": len(registry_items),
        "load_no_vector_cache": cold,
        "load": load,
        "health": during,
    }
    lines = [
        "## API under load (`bench/api_load.py`)",
        "",
        machine_line(m),
        "",
        f"- {args.clients} concurrent clients × {args.rounds} registry questions over HTTP on loopback "
        f"({len(registry_items)} distinct dev questions): p50 **{load['latency_ms']['p50']:.0f} ms**, "
        f"p95 **{load['latency_ms']['p95']:.0f} ms**; {load['correct']}/{load['total']} answers name the "
        "gold agency.",
        f"- The same with the question-vector cache off (every request encodes its question): "
        f"p50 {cold['latency_ms']['p50']:.0f} ms, p95 **{cold['latency_ms']['p95']:.0f} ms**; "
        f"{cold['correct']}/{cold['total']} correct.",
        f"- `/health` while an LLM answer is generated ({during['llm_mode']}, {during['model']}, "
        f"{(during['llm_answer_ms'] or 0) / 1000:.1f} s): p50 {during['health_ms']['p50']:.1f} ms, "
        f"p95 **{during['health_ms']['p95']:.1f} ms** over {during['health_ms']['n']} probes.",
    ]
    publish("api", "\n".join(lines), data)


def write_mixed(m: dict[str, Any], n_registry: int, n_law: int, result: dict[str, Any]) -> None:
    asked = result["asked"]
    rows = [
        f"| {kind} | {s['n']} | {s['p50']:.0f} | {s['p95']:.0f} | {s['max']:.0f} |"
        for kind, s in result["by_mode"].items()
    ]
    lines = [
        "## Mixed load: registry answers while the model writes (`bench/api_load.py`)",
        "",
        machine_line(m),
        "",
        f"{n_registry + n_law} questions at once over HTTP on loopback against one `kenes serve` "
        f"(embedded LLM): {n_law} law questions for the model, then {n_registry} registry questions "
        "0.5 s later, while the model is busy. Registry questions: p50 "
        f"**{asked['registry']['p50']:.0f} ms**, p95 **{asked['registry']['p95']:.0f} ms**; law "
        f"questions: p50 {asked['law']['p50'] / 1000:.1f} s, p95 {asked['law']['p95'] / 1000:.1f} s; "
        f"{result['errors']} errors. By the kind of answer given (ms):",
        "",
        "| answer kind | n | p50 | p95 | max |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "Model work runs on one model thread at a lower CPU priority (`llm.nice`), each call bounded "
        "by `llm.timeout_s` (queueing included); registry and refusal answers never queue behind it, "
        "and it pauses between tokens while they run.",
    ]
    publish("api-mixed", "\n".join(lines), {"machine": m, "registry": n_registry, "law": n_law, **result})


if __name__ == "__main__":
    main()
