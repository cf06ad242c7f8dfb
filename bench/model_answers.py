"""What the packaged model's law answers look like: the dev law questions answered with the
embedded defaults (llama.cpp + the 0.5B model), counted by answer mode and by the defects a
reader sees in a summary — the prompt's source headers copied («Источник  (ст. 1): …»), cut
quotes copied («…»), a space left before a stop («бюджета . [1]»), a sentence cut off mid-phrase
(«… осуществляется на [1].»), a source's point number copied, an output that ran out of tokens —
and by whether the decisive phrase (`must_contain_any`) is in the answer and in its opening part.
Writes docs/benchmarks.md (section "model-answers").

    .venv/bin/python -m bench.model_answers [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.container import Container
from assistant.rag.answer import Final, Token
from assistant.rag.citations import MARKER, POINT_NUMBER, unfinished
from assistant.settings import DEMO_DIR, Settings
from assistant.text.sentences import split_sentences
from bench.common import machine, machine_line, publish
from eval.datasets import load_dataset
from eval.metrics import must_contain

# a source header as an older prompt labelled it, «(ст. 5):», or as it is put now, «Источник [1]:»
HEADER = re.compile(
    r"\((?:ст\.|разд\.|п\.|пп\.|\d+(?:-\d+)?-бап)[^()\n]*\)\s*:|(?:Источник|Дереккөз)\s*\[\d{1,2}\]\s*:"
)
DEFECTS = {
    "source header copied": lambda lead: HEADER.search(lead) is not None,
    "cut quote copied («…»)": lambda lead: "…" in lead or ".." in lead,
    "space before a stop": lambda lead: re.search(r"\s[.;,] ?\[\d", lead) is not None,
    "a sentence ending mid-phrase («… на [1].»)": lambda lead: any(
        unfinished(MARKER.sub("", s)) for s in split_sentences(lead)
    ),
    "a point number copied («14. Информация …»)": lambda lead: any(
        POINT_NUMBER.match(s) for s in split_sentences(lead)
    ),
}


def opening(answer: str) -> str:
    """The part before the quotes: the summary, or «Ответ в тексте источников: …»."""
    return answer.split("\n\n", 1)[0]


def run(data_dir: Path | None) -> dict[str, Any]:
    items = [
        i
        for i in load_dataset(sorted((DEMO_DIR / "eval").glob("dev*.jsonl")))
        if i.kind in ("law", "multi") and i.answerable
    ]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        c = Container(Settings(data_dir=data_dir or Path(tmp)))
        try:
            if data_dir is None:
                c.assistant.ingest()
            c.answer_engine.warmup()
            budget = c.settings.llm.max_tokens
            for item in items:
                tokens = 0
                answer = None
                for event in c.assistant.stream(item.question, item.history or None):
                    tokens += isinstance(event, Token)
                    if isinstance(event, Final):
                        answer = event.answer
                assert answer is not None
                lead = opening(answer.answer)
                rows.append(
                    {
                        "id": item.id,
                        "mode": answer.mode,
                        "out_of_tokens": tokens >= budget,
                        "defects": [
                            name for name, seen in DEFECTS.items() if answer.mode == "hybrid" and seen(lead)
                        ],
                        "fact": must_contain(answer.answer, item.must_contain_any),
                        "fact_in_opening": must_contain(lead, item.must_contain_any),
                    }
                )
        finally:
            c.close()
    return {"machine": machine(), "model": Settings().llm.model_dump(mode="json"), "rows": rows}


def render(data: dict[str, Any]) -> str:
    rows = data["rows"]
    modes = Counter(r["mode"] for r in rows)
    defects = Counter(d for r in rows for d in r["defects"])
    with_fact = [r for r in rows if r["fact"] is not None]
    lines = [
        "## The model's law answers (`bench/model_answers.py`)",
        "",
        machine_line(data["machine"]),
        "",
        f"{len(rows)} answerable law questions of the dev sets, the packaged model "
        f"(fused attention {'on' if data['model'].get('flash_attn') else 'off'}); a defect is counted "
        "in the opening part (before the quotes) of a hybrid answer.",
        "",
        "| measure | count |",
        "|---|---|",
        *(f"| answers: {mode} | {n} |" for mode, n in sorted(modes.items())),
        *(f"| hybrid openings: {name} | {defects.get(name, 0)} |" for name in DEFECTS),
        f"| model ran out of tokens | {sum(r['out_of_tokens'] for r in rows)} |",
        f"| decisive phrase in the answer | {sum(bool(r['fact']) for r in with_fact)} / {len(with_fact)} |",
        f"| decisive phrase in its opening part | {sum(bool(r['fact_in_opening']) for r in with_fact)} / "
        f"{len(with_fact)} |",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=None, help="existing index; default: build one")
    args = ap.parse_args()
    data = run(args.data_dir)
    publish("model-answers", render(data), data)


if __name__ == "__main__":
    main()
