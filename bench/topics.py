"""Topic questions on the real large acts, which no training set draws from: for every article,
«Что предусмотрено по теме «<title>»?» (Kazakh: «… тақырыбы бойынша не көзделген?»), a wording no
generated question uses, asked of a sparse-only index of that act alone; hit@1 and hit@3 of the
article, per ranker model. Writes docs/benchmarks.md (section "topics") and bench/results/topics.json.

    .venv/bin/python -m bench.topics [--models A.json B.json …] [--acts civil-service …]
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path
from typing import Any

from assistant.container import Container
from assistant.rag.learned import DEFAULT_PATH
from assistant.settings import PROJECT_ROOT, Settings
from bench.common import machine, machine_line, publish
from ingest.sources import load_sources

LARGE = PROJECT_ROOT / "data" / "large"
_NUMBER = re.compile(r"^\s*(?:статья\s+[\d\-]+\.?|[\d\-]+-бап\.?)\s*", re.I)
TEMPLATE = {"ru": "Что предусмотрено по теме «{x}»?", "kk": "«{x}» тақырыбы бойынша не көзделген?"}


def questions(act: Path) -> dict[tuple[str, str], str]:
    """One question per article with a title of two words or more (repealed ones left out)."""
    out: dict[tuple[str, str], str] = {}
    for chunk in load_sources(act, None).chunks:
        title = _NUMBER.sub("", chunk.title).strip()
        if chunk.kind == "act" and len(title.split()) >= 2 and not re.search("утратил|исключен", title, re.I):
            out[(chunk.citation, chunk.lang)] = TEMPLATE[chunk.lang].format(x=title)
    return out


def measure(act: Path, models: list[Path]) -> dict[str, Any]:
    asked = questions(act)
    out: dict[str, Any] = {"questions": len(asked)}
    with tempfile.TemporaryDirectory() as tmp:
        for i, model in enumerate(models):
            # built in one go so that sparse-only mode also turns the dense side of fusion off
            # (set afterwards, every point's placeholder vector would tie and add noise)
            settings = Settings.model_validate(
                {
                    "data_dir": Path(tmp),
                    "embeddings": {"mode": "none"},
                    "llm": {"mode": "fake"},
                    "retrieval": {"learned_model": model},
                }
            )
            container = Container(settings)
            try:
                if i == 0:
                    container.assistant.ingest(act, None)
                top1: dict[str, list[bool]] = {"ru": [], "kk": []}
                top3: list[bool] = []
                for (citation, lang), question in asked.items():
                    hits = [h.chunk.citation for h in container.assistant.search(question, top_k=3).hits]
                    top1[lang].append(bool(hits) and hits[0] == citation)
                    top3.append(citation in hits)
                first = top1["ru"] + top1["kk"]
                out[str(model)] = {
                    "hit@1": sum(first) / len(first),
                    "hit@3": sum(top3) / len(top3),
                    # The Kazakh questions lean on the lexicon's bridges; their own figure shows it.
                    **{f"hit@1 {lang}": sum(v) / len(v) for lang, v in top1.items() if v},
                }
            finally:
                container.close()
    return out


def _cell(result: dict[str, float]) -> str:
    by_lang = ", ".join(
        f"{lang} {result[f'hit@1 {lang}']:.3f}" for lang in ("ru", "kk") if f"hit@1 {lang}" in result
    )
    return f"{result['hit@1']:.3f} / {result['hit@3']:.3f} (hit@1 {by_lang})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, nargs="+", default=[DEFAULT_PATH])
    parser.add_argument("--acts", nargs="+", default=["civil-service", "local-government"])
    parser.add_argument("--note", default="", help="what the models are, for the published section")
    args = parser.parse_args(argv)
    m = machine()
    results = {act: measure(LARGE / act, args.models) for act in args.acts}
    head = (
        "| model | " + " | ".join(f"{a} ({results[a]['questions']}): hit@1 / hit@3" for a in args.acts) + " |"
    )
    rows = [head, "|---" * (len(args.acts) + 1) + "|"]
    for model in args.models:
        cells = [_cell(results[a][str(model)]) for a in args.acts]
        rows.append(f"| `{model.name}` | " + " | ".join(cells) + " |")
    markdown = "\n".join(
        ["## Topic questions on acts outside the training data (`bench/topics.py`)", "", machine_line(m), "",
         " ".join(__doc__.split("\n\n")[0].split()), "", *rows, "", args.note]
    )  # fmt: skip
    publish("topics", markdown, {"machine": m, "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
