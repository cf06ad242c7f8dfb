"""Answer latency with the embedded defaults (llama.cpp + the packaged 0.5B model): time to first
token and total time, p50/p95, for registry and law questions of the dev sets. Writes
docs/benchmarks.md (section "answer").

    .venv/bin/python -m bench.answer [--repeats 2] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.container import Container
from assistant.rag.answer import Final, Token
from assistant.settings import DEMO_DIR, Settings
from bench.common import machine, machine_line, publish, summary
from eval.datasets import load_dataset


def all_dev_items() -> list[dict[str, Any]]:
    """Every dev set, the dev-v2 ones (users' own wording, follow-ups) included."""
    items = load_dataset(sorted((DEMO_DIR / "eval").glob("dev*.jsonl")))
    return [{"question": i.question, "history": i.history} for i in items]


def main() -> None:
    ap = argparse.ArgumentParser()
    # distinct questions by default: a repeat hits the saved prompt state and flatters first-token times
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument(
        "--data-dir", type=Path, default=None, help="existing index; default: build one in a temp dir"
    )
    args = ap.parse_args()
    m = machine()
    with tempfile.TemporaryDirectory() as tmp:
        c = Container(Settings(data_dir=args.data_dir or Path(tmp)))
        try:
            if args.data_dir is None:
                c.assistant.ingest()
            t0 = time.perf_counter()
            engine = c.answer_engine
            engine.warmup()
            load_s = time.perf_counter() - t0
            c.assistant.search("прогрев")
            groups: dict[str, dict[str, list[float]]] = {}
            modes: dict[str, int] = {}
            for _ in range(args.repeats):
                for item in all_dev_items():
                    start = time.perf_counter()
                    first = None
                    answer = None
                    for event in c.assistant.stream(item["question"], item["history"] or None):
                        if isinstance(event, Token) and first is None:
                            first = (time.perf_counter() - start) * 1000
                        elif isinstance(event, Final):
                            answer = event.answer
                    total = (time.perf_counter() - start) * 1000
                    assert answer is not None
                    group = (
                        "registry"
                        if answer.mode == "registry"
                        else "refusal"
                        if answer.refused
                        else f"law ({answer.lang})"
                    )
                    modes[answer.mode] = modes.get(answer.mode, 0) + 1
                    for name in {group, group.split(" ")[0]}:  # "law (kk)" also counts under "law"
                        g = groups.setdefault(name, {"ttft_ms": [], "total_ms": []})
                        g["total_ms"].append(total)
                        g["ttft_ms"].append(first if first is not None else total)
        finally:
            c.close()
    data: dict[str, Any] = {
        "machine": m,
        "llm": Settings().llm.model_dump(mode="json"),
        "model_load_and_prefix_s": round(load_s, 1),
        "modes": modes,
        "groups": {k: {n: summary(v) for n, v in g.items()} for k, g in groups.items()},
    }
    lines = [
        "## Answers (`bench/answer.py`)",
        "",
        machine_line(m),
        "",
        f"Embedded LLM: `{Settings().llm.mode}`, {Settings().llm.model_size}, {Settings().llm.n_threads} threads; "
        f"model load + system-prefix warm-up {data['model_load_and_prefix_s']} s (once per process). "
        "TTFT = first streamed token of the answer (registry answers, refusals and law answers in a "
        f"language without the model's summary — summary languages {Settings().answer.summary_languages} — "
        "have no model tokens: their TTFT is the whole answer).",
        "",
        "| answers | n | TTFT p50 | TTFT p95 | total p50 | total p95 |",
        "|---|---|---|---|---|---|",
    ]
    for name, g in sorted(data["groups"].items()):
        lines.append(
            f"| {name} | {g['total_ms']['n']} | {g['ttft_ms']['p50']:.0f} ms | {g['ttft_ms']['p95']:.0f} ms | "
            f"{g['total_ms']['p50']:.0f} ms | {g['total_ms']['p95']:.0f} ms |"
        )
    publish("answer", "\n".join(lines), data)


if __name__ == "__main__":
    main()
