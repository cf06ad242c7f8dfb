"""Summary and reports of a run folder: summary.json, report.md, report.html and charts/*.png.

Everything here is derived from results.jsonl alone, so a report can be rebuilt (or checked)
from the per-item file without re-running anything.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from eval.metrics import QUALITY_KEYS, RATE_KEYS, aggregate, group_metrics, item_score

Row = list[str]
Section = tuple[str, Any]  # ("h2"|"p"|"table"|"img"|"list", payload)

CHART_KEYS = ("hit@5", "mrr", "ndcg@10", "must_contain", "citation_recall", "language_match")
LATENCY_KEYS = ("ttft_p50", "ttft_p95", "total_p50", "total_p95")
WORST_N = 10


class Summary(BaseModel):
    run: dict[str, Any] = Field(default_factory=dict)
    overall: dict[str, Any] = Field(default_factory=dict)
    by_kind: dict[str, dict[str, Any]] = Field(default_factory=dict)
    by_lang: dict[str, dict[str, Any]] = Field(default_factory=dict)
    by_dataset: dict[str, dict[str, Any]] = Field(default_factory=dict)
    by_kind_lang: dict[str, dict[str, Any]] = Field(default_factory=dict)
    worst: list[dict[str, Any]] = Field(default_factory=list)


def load_results(path: Path) -> list[dict[str, Any]]:
    """results.jsonl; a later line for the same id wins (resumed runs append)."""
    by_id: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            by_id[record["id"]] = record
    return list(by_id.values())


def failed_metrics(metrics: Mapping[str, Any]) -> list[str]:
    return [k for k in QUALITY_KEYS if metrics.get(k) is not None and float(metrics[k]) < 1.0]


def worst_items(results: Sequence[Mapping[str, Any]], n: int = WORST_N) -> list[dict[str, Any]]:
    scored = [
        {
            "id": r["id"], "kind": r.get("kind", ""), "lang": r.get("lang", ""),
            "score": round(item_score(r.get("metrics", {}), r.get("error")), 4),
            "failed": failed_metrics(r.get("metrics", {})), "error": r.get("error"),
        }
        for r in results
    ]  # fmt: skip
    scored = [s for s in scored if s["score"] < 1.0 or s["error"]]
    return sorted(scored, key=lambda s: (s["score"], s["id"]))[:n]


def build_summary(results: Sequence[Mapping[str, Any]], run: Mapping[str, Any] | None = None) -> Summary:
    return Summary(
        run={**(run or {}), "items": len(results), "errors": sum(1 for r in results if r.get("error"))},
        overall=group_metrics(results),
        by_kind=aggregate(results, "kind"),
        by_lang=aggregate(results, "lang"),
        by_dataset=aggregate(results, "dataset"),
        by_kind_lang=aggregate(results, "kind/lang"),
        worst=worst_items(results),
    )


# -- rendering helpers shared with compare ----------------------------------------------------
def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def fmt_delta(value: float | None) -> str:
    return "—" if value is None else f"{value:+.3f}"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_md(title: str, sections: Sequence[Section]) -> str:
    lines = [f"# {title}", ""]
    for kind, payload in sections:
        if kind == "h2":
            lines += [f"## {payload}", ""]
        elif kind == "p":
            lines += [str(payload), ""]
        elif kind == "list":
            lines += [f"- {x}" for x in payload] + [""]
        elif kind == "img":
            lines += [f"![{payload[1]}]({payload[0]})", ""]
        elif kind == "table":
            head, rows = payload
            lines.append("| " + " | ".join(_md_cell(h) for h in head) + " |")
            lines.append("|" + "|".join("---" for _ in head) + "|")
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            lines.append("")
    return "\n".join(lines)


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}img{max-width:100%}"
    ".neg{color:#b00}.pos{color:#070}"
)


_DELTA = re.compile(r"^[+-]\d+\.\d+$")


def _html_cell(text: str) -> str:
    # Signed numbers are deltas (compare tables): colour the ones that moved.
    css = ""
    if _DELTA.match(text) and float(text) != 0.0:
        css = ' class="pos"' if text.startswith("+") else ' class="neg"'
    return f"<td{css}>{html.escape(text)}</td>"


def render_html(title: str, sections: Sequence[Section]) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for kind, payload in sections:
        if kind == "h2":
            parts.append(f"<h2>{html.escape(str(payload))}</h2>")
        elif kind == "p":
            parts.append(f"<p>{html.escape(str(payload))}</p>")
        elif kind == "list":
            parts.append("<ul>" + "".join(f"<li>{html.escape(str(x))}</li>" for x in payload) + "</ul>")
        elif kind == "img":
            parts.append(f"<p><img src='{html.escape(payload[0])}' alt='{html.escape(payload[1])}'></p>")
        elif kind == "table":
            head, rows = payload
            parts.append("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>")
            parts += ["<tr>" + "".join(_html_cell(c) for c in row) + "</tr>" for row in rows]
            parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


# -- the run report ---------------------------------------------------------------------------
def _metric_table(groups: Mapping[str, Mapping[str, Any]]) -> tuple[Row, list[Row]]:
    """Metrics as rows, groups as columns: readable with many kinds in Markdown too."""
    names = list(groups)
    rows = [
        ["items", *[fmt(groups[g]["n"]) for g in names]],
        ["errors", *[fmt(groups[g]["errors"]) for g in names]],
    ]
    rows += [[k, *[fmt(groups[g].get(k)) for g in names]] for k in RATE_KEYS]
    rows += [[f"{k} (ms)", *[fmt(groups[g].get(k), 1) for g in names]] for k in LATENCY_KEYS]
    return ["metric", *names], rows


def report_sections(summary: Summary, charts: Mapping[str, str]) -> list[Section]:
    run = summary.run
    o = summary.overall
    sections: list[Section] = [
        ("list", [
            f"index version: {run.get('index_version') or '—'}",
            f"datasets: {', '.join(run.get('datasets') or []) or '—'}",
            f"items: {run.get('items', 0)}, errors: {run.get('errors', 0)}",
            f"started: {run.get('started', '—')}, finished: {run.get('finished', '—')}",
            f"LLM judge: {'on' if run.get('judge') else 'off'}",
        ]),
        ("h2", "Overall"),
        ("table", (["metric", "value", "items"],
                   [[k, fmt(o.get(k)), fmt(o["support"].get(k))] for k in RATE_KEYS])),
        ("p", f"Refusals: tp={o['refusal']['tp']} fp={o['refusal']['fp']} "
              f"fn={o['refusal']['fn']} tn={o['refusal']['tn']} (refused vs. unanswerable)."),
        ("h2", "By kind"),
        ("table", _metric_table(summary.by_kind)),
    ]  # fmt: skip
    if "by_kind" in charts:
        sections.append(("img", (charts["by_kind"], "metrics by kind")))
    sections += [("h2", "By language"), ("table", _metric_table(summary.by_lang))]
    if "by_lang" in charts:
        sections.append(("img", (charts["by_lang"], "metrics by language")))
    sections += [("h2", "By kind and language"), ("table", _metric_table(summary.by_kind_lang))]
    sections += [
        ("h2", "Latency"),
        ("table", (["", "p50 (ms)", "p95 (ms)", "items"], [
            ["first token", fmt(o["ttft_p50"], 1), fmt(o["ttft_p95"], 1), fmt(o["support"]["ttft_ms"])],
            ["total", fmt(o["total_p50"], 1), fmt(o["total_p95"], 1), fmt(o["support"]["total_ms"])],
        ])),
    ]  # fmt: skip
    if "latency" in charts:
        sections.append(("img", (charts["latency"], "latency histogram")))
    learned = run.get("learned") or {}
    if learned.get("held_out"):
        sections += [
            ("h2", "Learned rankers: train vs held-out"),
            ("p", f"Fitted {learned.get('fitted', '—')} on {learned.get('training_set', '—')} "
                  f"(items: {learned.get('items', {})}). valid = generated questions from articles held "
                  "out of fitting; dev = the dev sets, out of fold (source ranker, answerability) or never fitted (sentence ranker)."),
            ("table", (["", "train", "valid", "dev", "dev, hand rules"],
                       [[row[0], *(fmt(v) for v in row[1:])] for row in learned["held_out"]])),
        ]  # fmt: skip
    sections.append(("h2", "Worst items"))
    if summary.worst:
        rows = [[w["id"], w["kind"], w["lang"], fmt(w["score"]), ", ".join(w["failed"]), w["error"] or ""]
                for w in summary.worst]  # fmt: skip
        sections.append(("table", (["id", "kind", "lang", "score", "failed", "error"], rows)))
    else:
        sections.append(("p", "Every item passed every metric."))
    if "worst" in charts:
        sections.append(("img", (charts["worst"], "worst items")))
    return sections


def _grouped_bars(path: Path, groups: Mapping[str, Mapping[str, Any]], title: str) -> bool:
    import matplotlib

    matplotlib.use("Agg")  # headless servers: never try to open a window
    import matplotlib.pyplot as plt

    names = list(groups)
    if not names:
        return False
    width = 0.8 / len(CHART_KEYS)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.4 * len(names) + 2), 4))
    for i, key in enumerate(CHART_KEYS):
        values = [groups[g].get(key) or 0.0 for g in names]
        ax.bar([x + i * width for x in range(len(names))], values, width, label=key)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(names))], names)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    # below the axes: inside, the legend hides the bars of the last group
    ax.legend(fontsize=7, ncol=len(CHART_KEYS), loc="upper center", bbox_to_anchor=(0.5, -0.1))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def write_charts(out_dir: Path, summary: Summary, results: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """PNG charts under charts/; returns {name: path relative to the run folder}."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts_dir = out_dir / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    made: dict[str, str] = {}
    if _grouped_bars(charts_dir / "by_kind.png", summary.by_kind, "Metrics by kind"):
        made["by_kind"] = "charts/by_kind.png"
    if _grouped_bars(charts_dir / "by_lang.png", summary.by_lang, "Metrics by language"):
        made["by_lang"] = "charts/by_lang.png"
    totals = [r["timings"]["total_ms"] for r in results if r.get("timings", {}).get("total_ms") is not None]
    ttfts = [r["timings"]["ttft_ms"] for r in results if r.get("timings", {}).get("ttft_ms") is not None]
    if totals:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.hist(totals, bins=min(20, max(5, len(totals) // 2)), alpha=0.7, label="total")
        if ttfts:
            ax.hist(ttfts, bins=min(20, max(5, len(ttfts) // 2)), alpha=0.7, label="time to first token")
        ax.set_xlabel("ms")
        ax.set_ylabel("items")
        ax.set_title("Latency")
        ax.legend()
        fig.tight_layout()
        fig.savefig(charts_dir / "latency.png", dpi=100)
        plt.close(fig)
        made["latency"] = "charts/latency.png"
    if summary.worst:
        worst = list(reversed(summary.worst))
        fig, ax = plt.subplots(figsize=(6, 0.35 * len(worst) + 1.2))
        ax.barh([w["id"] for w in worst], [w["score"] for w in worst], color="#c55")
        ax.set_xlim(0, 1)
        ax.set_xlabel("item score (mean of quality metrics)")
        ax.set_title("Worst items")
        fig.tight_layout()
        fig.savefig(charts_dir / "worst.png", dpi=100)
        plt.close(fig)
        made["worst"] = "charts/worst.png"
    return made


def write_report(out_dir: Path, summary: Summary, results: Sequence[Mapping[str, Any]]) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    charts = write_charts(out_dir, summary, results)
    title = f"Kenes eval run {summary.run.get('name') or out_dir.name}"
    sections = report_sections(summary, charts)
    paths = {
        "summary": out_dir / "summary.json",
        "markdown": out_dir / "report.md",
        "html": out_dir / "report.html",
    }
    paths["summary"].write_text(
        json.dumps(summary.model_dump(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    paths["markdown"].write_text(render_md(title, sections), encoding="utf-8")
    paths["html"].write_text(render_html(title, sections), encoding="utf-8")
    return paths
