"""Compare two run folders: metric deltas per scope and the items that got worse or better.

Both summaries are rebuilt from results.jsonl with the current metric code, so a comparison with
an older run never mixes two versions of an aggregate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import NotFound
from eval.metrics import MEAN_KEYS, RATE_KEYS, item_score
from eval.report import (
    LATENCY_KEYS,
    Section,
    Summary,
    build_summary,
    fmt,
    fmt_delta,
    load_results,
    render_html,
    render_md,
)

# Per-item metrics shown when an item changed (retrieval detail is covered by hit@5 and mrr).
ITEM_KEYS = (
    "hit@5",
    "mrr",
    *[k for k in MEAN_KEYS if not k.startswith(("hit@", "mrr", "ndcg"))],
    "refusal_correct",
)


@dataclass
class ItemChange:
    id: str
    kind: str
    lang: str
    score_a: float
    score_b: float
    changes: list[str] = field(default_factory=list)

    @property
    def delta(self) -> float:
        return self.score_b - self.score_a


@dataclass
class Comparison:
    run_a: str
    run_b: str
    summary_a: Summary
    summary_b: Summary
    regressed: list[ItemChange]
    improved: list[ItemChange]
    only_a: list[str]
    only_b: list[str]
    markdown: str = ""
    html: str = ""
    paths: dict[str, Path] = field(default_factory=dict)

    def delta(self, metric: str, scope: str = "overall") -> float | None:
        a, b = _scope(self.summary_a, scope).get(metric), _scope(self.summary_b, scope).get(metric)
        return None if a is None or b is None else float(b) - float(a)


def _scope(summary: Summary, scope: str) -> Mapping[str, Any]:
    if scope == "overall":
        return summary.overall
    dim, _, value = scope.partition(":")
    groups = {"kind": summary.by_kind, "lang": summary.by_lang, "dataset": summary.by_dataset}.get(dim, {})
    return groups.get(value, {})


def _load_run(run_dir: Path) -> tuple[Summary, list[dict[str, Any]]]:
    path = run_dir / "results.jsonl"
    if not path.exists():
        raise NotFound(f"{run_dir} is not an eval run folder (no results.jsonl).")
    results = load_results(path)
    return build_summary(results, {"name": run_dir.name}), results


def _item_changes(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    changes = []
    if bool(a.get("error")) != bool(b.get("error")):
        changes.append("error: " + ("appeared" if b.get("error") else "fixed"))
    ma, mb = a.get("metrics", {}), b.get("metrics", {})
    for key in ITEM_KEYS:
        if ma.get(key) != mb.get(key):
            changes.append(f"{key}: {fmt(ma.get(key))} → {fmt(mb.get(key))}")
    if a.get("refused") != b.get("refused"):
        changes.append(f"refused: {fmt(a.get('refused'))} → {fmt(b.get('refused'))}")
    return changes


def _delta_rows(sa: Mapping[str, Any], sb: Mapping[str, Any], scope: str) -> list[list[str]]:
    rows = []
    for key in RATE_KEYS:
        a, b = sa.get(key), sb.get(key)
        if a is None and b is None:
            continue
        d = None if a is None or b is None else float(b) - float(a)
        rows.append([scope, key, fmt(a), fmt(b), fmt_delta(d)])
    for key in LATENCY_KEYS:
        a, b = sa.get(key), sb.get(key)
        if a is None and b is None:
            continue
        # A plain "ms" suffix keeps latency deltas uncoloured: for them higher is worse.
        shift = "—" if a is None or b is None else f"{float(b) - float(a):+.1f} ms"
        rows.append([scope, f"{key} (ms)", fmt(a, 1), fmt(b, 1), shift])
    return rows


def _sections(c: Comparison) -> list[Section]:
    a, b = c.summary_a, c.summary_b
    head = ["scope", "metric", c.run_a, c.run_b, "Δ"]
    sections: list[Section] = [
        ("list", [
            f"A: {c.run_a} — {a.run['items']} items, {a.run['errors']} errors",
            f"B: {c.run_b} — {b.run['items']} items, {b.run['errors']} errors",
            f"items only in A: {len(c.only_a)}, only in B: {len(c.only_b)}",
        ]),
        ("h2", "Overall"),
        ("table", (head, _delta_rows(a.overall, b.overall, "overall"))),
        ("h2", "By kind and language"),
    ]  # fmt: skip
    rows: list[list[str]] = []
    for dim, ga, gb in (("kind", a.by_kind, b.by_kind), ("lang", a.by_lang, b.by_lang)):
        for value in sorted(set(ga) | set(gb)):
            rows += _delta_rows(ga.get(value, {}), gb.get(value, {}), f"{dim}:{value}")
    sections.append(("table", (head, rows)))
    for title, items in (("Regressed items", c.regressed), ("Improved items", c.improved)):
        sections.append(("h2", f"{title} ({len(items)})"))
        if items:
            table = [
                [
                    i.id,
                    i.kind,
                    i.lang,
                    fmt(i.score_a),
                    fmt(i.score_b),
                    fmt_delta(i.delta),
                    "; ".join(i.changes),
                ]
                for i in items
            ]
            sections.append(("table", (["id", "kind", "lang", "A", "B", "Δ", "what changed"], table)))
        else:
            sections.append(("p", "None."))
    return sections


def compare_runs(run_a: Path | str, run_b: Path | str, *, write: bool = True) -> Comparison:
    """Compare run A (baseline) with run B; writes RUN_B/compare-<A name>.md and .html."""
    dir_a, dir_b = Path(run_a), Path(run_b)
    summary_a, results_a = _load_run(dir_a)
    summary_b, results_b = _load_run(dir_b)
    by_a = {r["id"]: r for r in results_a}
    by_b = {r["id"]: r for r in results_b}
    regressed: list[ItemChange] = []
    improved: list[ItemChange] = []
    for item_id in by_a.keys() & by_b.keys():
        ra, rb = by_a[item_id], by_b[item_id]
        change = ItemChange(
            id=item_id, kind=str(rb.get("kind", "")), lang=str(rb.get("lang", "")),
            score_a=item_score(ra.get("metrics", {}), ra.get("error")),
            score_b=item_score(rb.get("metrics", {}), rb.get("error")),
            changes=_item_changes(ra, rb),
        )  # fmt: skip
        if change.delta < 0:
            regressed.append(change)
        elif change.delta > 0:
            improved.append(change)
    regressed.sort(key=lambda i: (i.delta, i.id))
    improved.sort(key=lambda i: (-i.delta, i.id))
    result = Comparison(
        run_a=dir_a.name, run_b=dir_b.name, summary_a=summary_a, summary_b=summary_b,
        regressed=regressed, improved=improved,
        only_a=sorted(by_a.keys() - by_b.keys()), only_b=sorted(by_b.keys() - by_a.keys()),
    )  # fmt: skip
    title = f"Kenes eval: {dir_b.name} vs {dir_a.name}"
    sections = _sections(result)
    result.markdown = render_md(title, sections)
    result.html = render_html(title, sections)
    if write:
        md_path = dir_b / f"compare-{dir_a.name}.md"
        html_path = dir_b / f"compare-{dir_a.name}.html"
        md_path.write_text(result.markdown, encoding="utf-8")
        html_path.write_text(result.html, encoding="utf-8")
        result.paths = {"markdown": md_path, "html": html_path}
    return result
