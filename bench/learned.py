"""Answer quality with the learned rankers against the hand-written rules they replaced, on the
dev sets and on held-out sets, next to the train and held-out-article numbers from fitting.
The dev questions carry part of the fits' weight (DEV_SHARE in eval/train_fit.py), so the dev
columns are partly in sample; the held-out sets (data/demo/eval/heldout*-fresh-qa.jsonl, written
in the dev sets' style after the rankers were fitted) were never fitted, tuned or chosen on, and
each is reported in its own columns (HELD_OUT says what has been done with each). Fake LLM (the
CI gate configuration): the answer text is the quoted evidence.
Writes docs/benchmarks.md (section "learned") and bench/results/learned.json.

    .venv/bin/python -m bench.learned        # needs a built demo index (kenes ingest)
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from assistant.container import Container
from assistant.settings import DEMO_DIR, Settings
from bench.common import machine, machine_line, publish
from eval.datasets import load_dataset
from eval.runner import EvalRunner
from eval.train_metrics import held_out_table

DEV = sorted((DEMO_DIR / "eval").glob("dev*.jsonl"))
# Each held-out set with what it has been used for: a set whose failures were read to find
# classes of errors is no longer a clean measurement of a fix made after that reading.
HELD_OUT = {
    "held-out 1": (
        DEMO_DIR / "eval" / "heldout-fresh-qa.jsonl",
        "40 questions written on 2026-12-07 after the fit; its failures were read since, to look for "
        "classes of errors (nothing was tuned on it), and trial fits that were not kept took it as "
        "training questions",
    ),
    "held-out 2": (
        DEMO_DIR / "eval" / "heldout2-fresh-qa.jsonl",
        "50 questions (34 law, 14 of them Kazakh; 10 registry; 6 out of scope) written later the "
        "same day by another writer who saw neither Kenes's answers nor the first set's results; "
        "changes were judged on it since, and its failures read (docs/benchmarks.md)",
    ),
    "held-out 3": (
        DEMO_DIR / "eval" / "heldout3-fresh-qa.jsonl",
        "50 questions in the same mix by a third writing pass, on facts the other sets do not ask; "
        "run for this table and to judge one change once (Kazakh–Russian bridges, not kept), for "
        "which the answers it changed were read",
    ),
    "held-out 4": (
        DEMO_DIR / "eval" / "heldout4-fresh-qa.jsonl",
        "50 questions in the same mix, on articles the written Kazakh training questions "
        "(train-kk-written.jsonl) leave out (public-services and personal-data from ст. 16, "
        "access-to-information from ст. 13, MIOR statute from п. 16; odd-numbered registry rows); "
        "run for this table only; its two registry items graded against the v2 registry's "
        "automatable and risk values were set to those of the v1 registry the demo serves",
    ),
    "held-out 5": (
        DEMO_DIR / "eval" / "heldout5-fresh-qa.jsonl",
        "50 questions in the same mix (five registry questions on MIOR functions the central "
        "office and its committees share), on facts no other set asks; written after the fifth "
        "pass's fits and run once to judge its registry-row features (registry performer 7 → 9 of "
        "10, no law answer changed); its registry failures were read since",
    ),
    "held-out 6": (
        DEMO_DIR / "eval" / "heldout6-fresh-qa.jsonl",
        "50 questions in the same mix (7 of the 14 Kazakh law questions on Russian-only acts, some "
        "naming the act), on facts and registry rows no other set asks; written during the fifth "
        "pass and run to judge three of its changes: the act-title feature (kept), Kazakh "
        "questions' quotes from Russian-only acts (no change on it; kept) and quotes that add to "
        "each other (one answer lost; not kept); one registry failure was read",
    ),
    "held-out 7": (
        DEMO_DIR / "eval" / "heldout7-fresh-qa.jsonl",
        "50 questions in the same mix (14 registry; 10 out of scope, 6 of them registry-style), on "
        "facts and rows no other set asks; written at the end of the fifth pass and first run in "
        "the sixth to judge its two changes: a quoted term the law defines (one Kazakh answer "
        "gained, kept) and the exceptions that come with a quoted rule (no change, kept); the one "
        "answer that changed was read",
    ),
    "held-out 8": (
        DEMO_DIR / "eval" / "heldout8-fresh-qa.jsonl",
        "50 questions in the same mix (14 registry, five of them on two similar rows; 10 out of "
        "scope; 6 of the 10 Kazakh law questions on Russian-only acts), written during the sixth "
        "pass and run once at its end, against its start: no answer changed; its failures were "
        "read since",
    ),
    "held-out 9": (
        DEMO_DIR / "eval" / "heldout9-fresh-qa.jsonl",
        "50 questions in the same mix (no Russian public-services law questions, that act's "
        "points being nearly all asked already; 4 of the 8 Kazakh law questions on Russian-only "
        "acts), written at the end of the sixth pass and run once against its start: one answer "
        "changed (a quoted act name taken for a defined term, fixed and checked on it; no other "
        "answer read); held-out 7-9 judged the seventh pass's best-sentence ranking once per form "
        "tried (five forms)",
    ),
    "held-out 10": (
        DEMO_DIR / "eval" / "heldout10-fresh-qa.jsonl",
        "40 registry questions (about 20 whose wording must pick between two similar rows) and 10 "
        "registry-style out-of-scope ones, written at the end of the sixth pass and first run in "
        "the seventh to judge four forms of its best-sentence ranking, once each; no answer read",
    ),
    "held-out 11": (
        DEMO_DIR / "eval" / "heldout11-fresh-qa.jsonl",
        "50 questions in the same mix (18 Russian and 16 Kazakh law, 8 of the Kazakh on "
        "Russian-only acts, 4 follow-ups; 8 registry; 8 out of scope), written in the seventh pass "
        "by a helper who saw no answers and run to judge its best-sentence ranking (five forms); "
        "no answer read",
    ),
    "held-out 12": (
        DEMO_DIR / "eval" / "heldout12-fresh-qa.jsonl",
        "50 questions in the same mix (16 Russian and 14 Kazakh law; 12 registry with 4 pairs of "
        "similar rows; 8 out of scope), written in the seventh pass by a helper who saw no answers "
        "and first run in the eighth, once, to judge its Kazakh answerability change; no answer read",
    ),
    "held-out 13": (
        DEMO_DIR / "eval" / "heldout13-fresh-qa.jsonl",
        "50 questions in the same mix (16 Russian and 12 Kazakh law, 6 of the Kazakh on "
        "Russian-only acts, 2 follow-ups; 12 registry, 4 picking between similar rows; 10 out of "
        "scope, 5 near-topic), written in the tenth pass by a helper who saw no answers; it judged "
        "two of that pass's forms once each (per-language refusal thresholds, not kept; quotes of "
        "sources with no text in the question's language, kept in a narrower form); the two "
        "answers that changed citations were read",
    ),
    "held-out 14": (
        DEMO_DIR / "eval" / "heldout14-fresh-qa.jsonl",
        "50 questions in the same mix (14 Russian and 16 Kazakh law, 10 of the Kazakh on "
        "Russian-only acts, 2 follow-ups; 10 registry; 10 out of scope, 5 near-topic), written in "
        "the tenth pass by a helper who saw no answers and run once, on that pass's kept change "
        "(no answer changed); no answer read",
    ),
    "held-out 15": (
        DEMO_DIR / "eval" / "heldout15-fresh-qa.jsonl",
        "50 questions in the same mix (14 Russian and 16 Kazakh law, most on the access-to-"
        "information, personal-data and MIOR texts, the public-services points being nearly all "
        "asked already, 3 follow-ups; 10 registry, mostly MIOR rows; 10 out of scope), written in "
        "the eleventh pass by a helper who saw no answers; it judged that pass's changes once each; "
        "no answer read",
    ),
    "held-out 16": (
        DEMO_DIR / "eval" / "heldout16-fresh-qa.jsonl",
        "50 questions in the same mix as held-out 15 (4 follow-ups), written with it; run once at "
        "the end of the eleventh pass, on its kept changes and on the one try it judged (a second "
        "answerability model fitted on written questions, not kept); no answer read",
    ),
}
# Held-out 7-14's out-of-scope questions that were answered were read in the eleventh pass, to
# look for the classes of wrong answers (docs/benchmarks.md); their law and registry answers were not.
REPORT = Path("eval/train/report.json")
METRICS = (
    "hit@1", "hit@5", "mrr", "must_contain", "refusal_recall", "refusal_precision", "agency_accuracy",
    "automatable_accuracy", "risk_accuracy", "language_match",
)  # fmt: skip


# How the source ranker's feature set was chosen, said where its numbers are shown: two
# candidate sets were tried on 2026-12-05 and the choice between them looked at dev.
FEATURE_CHOICE = (
    "The source ranker's features were chosen between two sets on 2026-12-05. Both add each "
    "candidate's gap to the question's best candidate; one also read the asking sentence's coverage "
    "(«focus»). The focus set ranked better on held-out articles (MRR 0.815 vs 0.794) but, "
    "through the sources it chose, made the answerability decision worse on dev (out-of-fold AUC "
    "0.80 vs 0.83; out-of-scope refused 0.21 vs 0.36), and dev end to end was worse (must_contain "
    "0.650 vs 0.670, refusal recall 0.33 vs 0.47). The set without focus was kept: this choice "
    "used dev, so the dev numbers above are slightly optimistic for that one decision."
)


def run(learned: bool, datasets: list[Path]) -> dict[str, Any]:
    settings = Settings()
    settings.llm.mode = "fake"
    settings.retrieval.learned = learned
    container = Container(settings)
    try:
        with tempfile.TemporaryDirectory() as out:
            summary = EvalRunner(container.assistant, Path(out), progress=False).run(
                load_dataset(datasets), fresh=True
            )
        by_lang = {lang: summary.by_lang.get(lang, {}) for lang in ("ru", "kk")}
        return {
            "overall": {k: summary.overall.get(k) for k in METRICS},
            "law_must_contain": summary.by_kind.get("law", {}).get("must_contain"),
            "by_lang": {
                lang: {k: g.get(k) for k in ("hit@1", "hit@5", "must_contain")} for lang, g in by_lang.items()
            },
            "refusal": summary.overall.get("refusal"),
            "answerable_refused": _answerable_refused(summary.overall.get("refusal")),
        }
    finally:
        container.close()


def _answerable_refused(refusal: dict[str, int] | None) -> float | None:
    """Share of the answerable questions refused, from the summary's refusal counts (a refused
    answerable question is a false positive of the refusal decision)."""
    if not refusal or not refusal.get("fp", 0) + refusal.get("tn", 0):
        return None
    return refusal["fp"] / (refusal["fp"] + refusal["tn"])


def fmt(v: Any) -> str:
    return "—" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def main() -> int:
    m = machine()
    dev = {"hand": run(False, DEV), "learned": run(True, DEV)}
    held = {
        name: {"hand": run(False, [path]), "learned": run(True, [path])}
        for name, (path, _) in HELD_OUT.items()
    }
    report = json.loads(REPORT.read_text(encoding="utf-8")) if REPORT.exists() else {}
    columns = [dev["hand"], dev["learned"], *(h[k] for h in held.values() for k in ("hand", "learned"))]

    def row(label: str, get: Any) -> str:
        return f"| {label} | " + " | ".join(fmt(get(r)) for r in columns) + " |"

    rows = [row(k, lambda r, k=k: r["overall"][k]) for k in METRICS]
    rows.append(row("answerable refused", lambda r: r["answerable_refused"]))
    rows.append(row("must_contain, kind:law", lambda r: r["law_must_contain"]))
    for lang in ("ru", "kk"):
        for k in ("hit@1", "must_contain"):
            rows.append(row(f"{k}, lang:{lang}", lambda r, k=k, lang=lang: r["by_lang"][lang].get(k)))
    fitted = ""
    if report:
        s, a = report["sentence"], report["answerable"]
        lines = [
            "| | train | valid (held-out articles) | dev (out of fold: source ranker and answerability; sentence ranker never fitted on it) | dev, hand rules |",
            "|---|---|---|---|---|",
        ]
        # the table every eval report shows; rows a split does not have stay empty
        lines += ["| " + " | ".join([str(r[0]), *(fmt(v) if v is not None else "" for v in r[1:])]) + " |"
                  for r in held_out_table(report)]  # fmt: skip
        fitted = (
            f"Fitting (`python -m eval.train_ranker`, items {report['items']}): quotes are picked by "
            f"**{s.get('quotes_by', '—')}** (whichever put the gold sentence among the three quotes more often on valid and dev pooled); refusal below "
            f"p={a['refuse_below']:.3f}, caution below p={a['caution_below']:.3f} (chosen out-of-fold on dev: among the "
            "thresholds refusing at most 10% of answerable questions, the one refusing the most out-of-scope ones for "
            "the fewest answerable).\n\n" + "\n".join(lines) + "\n\n" + FEATURE_CHOICE
        )
    sets = "; ".join(f"{name}: {path.name}, {about}" for name, (path, about) in HELD_OUT.items())
    header = " | ".join(f"{name}, {k}" for name in ("dev", *HELD_OUT) for k in ("hand rules", "learned"))
    markdown = "\n".join([
        "## Learned rankers vs hand rules (`bench/learned.py`)", "", machine_line(m), "",
        f"Dev sets ({', '.join(p.name for p in DEV)}; part of the fits' weight) and the held-out sets "
        f"({sets}), embedded defaults, fake LLM:", "",
        f"| metric | {header} |", "|---" * (1 + len(columns)) + "|", *rows, "", fitted,
    ])  # fmt: skip
    publish("learned", markdown, {"machine": m, "dev": dev, "held_out": held, "fitting": report})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
