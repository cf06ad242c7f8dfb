"""API under load, on loopback: 20 concurrent clients asking registry questions (p50/p95 and
correctness), and /health latency while an LLM answer is being generated. Writes
docs/benchmarks.md (section "api").

    .venv/bin/python -m bench.api_load [--clients 20] [--rounds 5] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from assistant.api.app import create_app
from assistant.container import Container
from assistant.db.users import add_user
from assistant.settings import Settings
from bench.common import machine, machine_line, summary, write_section
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args()
    m = machine()
    registry_items = [i for i in dev_items() if i["kind"] == "registry" and i.get("gold_agency")]
    law_question = (
        "В какой срок нужно удалить незаконно размещённые персональные данные по требованию субъекта?"
    )
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.model_validate(
            {"data_dir": args.data_dir or Path(tmp), "api": {"rate_limit_per_minute": 0}}
        )
        container = Container(settings)
        if args.data_dir is None:
            container.assistant.ingest()
        app = create_app(container)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        _, token = add_user(app.state.kenes.db, "bench", "user")
        load = asyncio.run(clients(base, token, registry_items, args.clients, args.rounds))
        during = asyncio.run(health_during_llm(base, token, law_question))
        server.should_exit = True
        thread.join(timeout=10)
        container.close()
    data = {"machine": m, "clients": args.clients, "rounds": args.rounds, "load": load, "health": during}
    lines = [
        "## API under load (`bench/api_load.py`)",
        "",
        machine_line(m),
        "",
        f"- {args.clients} concurrent clients × {args.rounds} registry questions over HTTP on loopback: "
        f"p50 **{load['latency_ms']['p50']:.0f} ms**, p95 **{load['latency_ms']['p95']:.0f} ms**; "
        f"{load['correct']}/{load['total']} answers name the gold agency.",
        f"- `/health` while an LLM answer is generated ({during['llm_mode']}, {during['model']}, "
        f"{(during['llm_answer_ms'] or 0) / 1000:.1f} s): p50 {during['health_ms']['p50']:.1f} ms, "
        f"p95 **{during['health_ms']['p95']:.1f} ms** over {during['health_ms']['n']} probes.",
    ]
    write_section("api", "\n".join(lines), data)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
