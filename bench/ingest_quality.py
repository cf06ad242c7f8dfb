"""What dense vectors add to retrieval, for `bench/ingest.py --retrieval`: hit@1, hit@5 and MRR
of the answerable dev questions (dev and dev-v2) on one demo index with the default embedder,
searched with the default weights; with the dense side fused but its similarity not read by the
rankers; and with the dense side off entirely (`dense_weight = 0` and no similarity: what
sparse-only mode searches with)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench.common import ROOT
from bench.retrieval import dev_items, rank_of, scores

EVAL = ROOT / "data" / "demo" / "eval"
SETS = {
    "dev": ["dev-law-qa.jsonl", "dev-registry-qa.jsonl"],
    "dev-v2": ["dev-v2-law-qa.jsonl", "dev-v2-registry-qa.jsonl"],
}


def _items(names: list[str]) -> list[dict[str, Any]]:
    items = dev_items([EVAL / name for name in names])
    return [it for it in items if it.get("answerable") and it.get("gold_citations")]


def dense_contribution() -> dict[str, Any]:
    from assistant.container import Container
    from assistant.settings import Settings

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        c = Container(Settings.model_validate({"data_dir": Path(tmp), "llm": {"mode": "fake"}}))
        try:
            c.assistant.ingest()
            r = c.settings.retrieval
            default = r.dense_weight
            rankers = c.routed_retriever.rankers
            fitted_on = rankers.info.get("dense_model") if rankers is not None else None
            variants = (
                ("hybrid (default)", default, fitted_on),
                ("fused, similarity not read", default, None),
                ("sparse only", 0.0, None),
            )
            for label, weight, read in variants:
                r.dense_weight = weight
                if rankers is not None:  # the rankers read similarities of this model only
                    rankers.info["dense_model"] = read
                for set_name, files in SETS.items():
                    items = _items(files)
                    ranks: dict[str, list[int | None]] = {}
                    for it in items:
                        hits = c.routed_retriever.search(
                            it["question"], top_k=10, history=it.get("history")
                        ).hits
                        rank = rank_of(it["gold_citations"], [h.chunk.citation for h in hits])
                        for key in ("all", f"lang:{it['lang']}"):
                            ranks.setdefault(key, []).append(rank)
                    out.setdefault(label, {})[set_name] = {k: scores(v) for k, v in ranks.items()}
            r.dense_weight = default
            if rankers is not None:
                rankers.info["dense_model"] = fitted_on
        finally:
            c.close()
    return out


def quality_lines(quality: dict[str, Any]) -> list[str]:
    lines = [
        "What dense adds to retrieval (answerable dev questions; demo index with the default embedder; "
        "gold = article-level prefix or registry id; top 10):",
        "",
        "| search | set | group | n | hit@1 | hit@5 | MRR |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, sets in quality.items():
        for set_name, groups in sets.items():
            for key in sorted(groups, key=lambda k: (k != "all", k)):
                g = groups[key]
                lines.append(
                    f"| {label} | {set_name} | {key} | {g['n']} | {g['hit@1']} | {g['hit@5']} | {g['mrr']} |"
                )
    return lines
