"""Choose `answer.summary_min_adds` — how much of what the lead sentence adds to the question the
model's summary must say to open a law answer — on generated questions, never on the dev sets.

Every generated law question whose source sentence had a deadline, a body or a ban taken out of
it has a known answer span. Each is answered once by the packaged model with the rule off; for
each candidate share, the opening is the summary when it says that share (and the sentence
otherwise), and the table counts the openings that carry the span. The smallest share with the
most is the choice; the report also gives each language apart, and the openings if the summary
never opened one (the sentence always does). Needs a built demo index and the packaged model
(~10 min on two cores).

    python -m eval.summary_share [--out eval/train/summary-share.json]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from assistant.container import Container
from assistant.rag import answer as answer_module
from assistant.rag.summary import adds_of_lead, summarise
from assistant.settings import Settings
from eval.generate import answer_span
from eval.metrics import contains_phrase

SHARES = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]


def item_span(item: dict[str, Any]) -> str | None:
    """The part of the item's source sentence its question was made without, for the typed items."""
    kind = re.search(r"type=(\w+)", item.get("notes", ""))
    if kind is None:
        return None
    return answer_span(item.get("reference_answer", ""), kind.group(1)) or None


def collect(generated: Path, settings: Settings) -> list[dict[str, Any]]:
    """Answer every typed item with the rule off; keep its summary, its lead and its span."""
    container = Container(settings)
    seen: dict[str, Any] = {}

    def recording(*args: Any, **kwargs: Any) -> Any:
        summary = yield from summarise(*args, **kwargs)
        seen["summary"], seen["focus"] = summary.text, args[5]
        return summary

    answer_module.summarise = recording
    rows: list[dict[str, Any]] = []
    try:
        container.answer_engine.warmup()
        kb = container.knowledge.for_version(container.store.require_live())
        for line in generated.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            span = item_span(item) if item.get("kind") == "law" and item.get("answerable") else None
            if span is None:
                continue
            seen.clear()
            answer = container.assistant.ask(item["question"])
            if answer.refused or "focus" not in seen:
                continue
            lead = seen["focus"].get(1, "")
            same_lang = bool(answer.citations) and answer.citations[0].lang == item["lang"]
            summary = seen["summary"]
            rows.append(
                {
                    "id": item["id"],
                    "lang": item["lang"],
                    "span": span,
                    "share": adds_of_lead(summary, lead, item["question"], kb, item["lang"])
                    if summary
                    else None,
                    "same_lang": same_lang,
                    "span_in_summary": contains_phrase(summary, span),
                    "span_in_lead": contains_phrase(lead, span),
                }
            )
    finally:
        answer_module.summarise = summarise
        container.close()
    return rows


def summary_opens(r: dict[str, Any], share: float) -> bool:
    return r["share"] is not None and (not r["same_lang"] or r["share"] >= share)


def table(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Openings carrying the span, per share required, and with the summary never opening."""
    out: dict[str, int] = {}
    for share in SHARES:
        out[str(share)] = sum(
            r["span_in_summary"] if summary_opens(r, share) else r["span_in_lead"] for r in rows
        )
    out["never"] = sum(r["span_in_lead"] for r in rows)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=Path, default=Path("eval/train/generated.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("eval/train/summary-share.json"))
    args = parser.parse_args(argv)
    # every language the model could summarise in, whatever the default leaves it to
    settings = Settings(answer={"summary_min_adds": 0.0, "summary_languages": ["ru", "kk"]})  # type: ignore[arg-type]
    rows = collect(args.generated, settings)
    counts = table(rows)
    best = max(counts[str(s)] for s in SHARES)
    chosen = min(s for s in SHARES if counts[str(s)] == best)
    by_lang: dict[str, dict[str, Any]] = {}
    for lang in sorted({r["lang"] for r in rows}):
        part = [r for r in rows if r["lang"] == lang]
        by_lang[lang] = {"answered": len(part), "with_summary": sum(r["share"] is not None for r in part),
                         "other_lang_source": sum(not r["same_lang"] for r in part),
                         "summary_opens": sum(summary_opens(r, chosen) for r in part),
                         "span_in_opening": table(part)}  # fmt: skip
    report = {"answered": len(rows), "with_summary": sum(r["share"] is not None for r in rows),
              "llm_source_ratio": settings.answer.llm_source_ratio,
              "span_in_opening": counts, "chosen": chosen, "by_lang": by_lang}  # fmt: skip
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
