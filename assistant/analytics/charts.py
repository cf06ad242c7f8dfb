"""PNG charts for reports and the analyst page (matplotlib, Agg, no pyplot).

Figures are built with `Figure` + the Agg canvas directly: pyplot keeps global state that is
not safe across the API's worker threads.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from assistant.analytics.counts import AUTOMATABLE, RISKS, Matrix, Summary, SummaryLine

CHART_NAMES: tuple[str, ...] = ("automatable", "risk", "heatmap")
MAX_BARS = 14  # more agencies than this are folded into «прочие», or labels become unreadable
LABEL_CHARS = 46

_COLOURS = {
    "да": "#2e8b57", "частично": "#e8b10c", "нет": "#a8261e",
    "низкий": "#2e8b57", "средний": "#e8b10c", "высокий": "#a8261e",
}  # fmt: skip
_TITLES = {
    "automatable": "Функции по {by}: автоматизируемость",
    "risk": "Функции по {by}: риск автоматизации",
}
_BY = {"agency": "органам", "category": "категориям", "act": "актам"}


def _label(text: str) -> str:
    short = text if len(text) <= LABEL_CHARS * 2 else text[: LABEL_CHARS * 2 - 1] + "…"
    return "\n".join(textwrap.wrap(short, LABEL_CHARS)) or "—"


def _png(fig: object) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)  # type: ignore[arg-type]
    buf = io.BytesIO()
    # no timestamp/version metadata: the same data gives the same bytes (docs stay diff-free)
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})  # type: ignore[attr-defined]
    return buf.getvalue()


def _fold(lines: Sequence[SummaryLine]) -> list[SummaryLine]:
    if len(lines) <= MAX_BARS:
        return list(lines)
    head, tail = list(lines[: MAX_BARS - 1]), lines[MAX_BARS - 1 :]
    rest = SummaryLine(
        key=f"прочие ({len(tail)})",
        total=sum(x.total for x in tail),
        automatable={v: sum(x.automatable.get(v, 0) for x in tail) for v in AUTOMATABLE},
        risk={v: sum(x.risk.get(v, 0) for x in tail) for v in RISKS},
    )
    return [*head, rest]


def stacked_bars(summary: Summary, field: str = "automatable") -> bytes:
    """Horizontal bars, one per agency/category/act, stacked by automatable status or risk."""
    from matplotlib.figure import Figure

    values = AUTOMATABLE if field == "automatable" else RISKS
    lines = _fold(summary.lines)
    height = max(2.6, 0.55 * len(lines) + 1.4)
    fig = Figure(figsize=(10, height))
    ax = fig.add_subplot()
    labels = [_label(line.key) for line in lines][::-1]
    left = [0] * len(lines)
    for value in values:
        counts = [getattr(line, field).get(value, 0) for line in lines][::-1]
        ax.barh(
            labels, counts, left=left, color=_COLOURS[value], label=value, edgecolor="white", linewidth=0.6
        )
        for i, (c, start) in enumerate(zip(counts, left, strict=True)):
            if c and c >= 0.04 * max(1, max(line.total for line in lines)):
                ax.text(start + c / 2, i, str(c), ha="center", va="center", fontsize=8, color="white")
        left = [a + b for a, b in zip(left, counts, strict=True)]
    title = _TITLES.get(field, "{by}").format(by=_BY.get(summary.by, summary.by))
    if summary.filters:
        title += " (" + ", ".join(f"{k}={v}" for k, v in summary.filters.items()) + ")"
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_xlabel("число функций")
    ax.tick_params(axis="y", labelsize=8)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    if not lines:
        ax.text(0.5, 0.5, "нет данных", transform=ax.transAxes, ha="center")
    return _png(fig)


def heatmap(m: Matrix, title: str = "Категория × риск автоматизации") -> bytes:
    """A count matrix as a heat map with the numbers written in."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, max(2.6, 0.45 * len(m.row_labels) + 1.5)))
    ax = fig.add_subplot()
    data = m.counts or [[0] * len(m.col_labels)]
    image = ax.imshow(data, cmap="YlOrRd", aspect="auto")
    ax.set_xticks(range(len(m.col_labels)), labels=m.col_labels)
    ax.set_yticks(range(len(m.row_labels)), labels=[_label(r) for r in m.row_labels], fontsize=8)
    peak = max((max(r) for r in data), default=0)
    for i, row in enumerate(m.counts):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", fontsize=9,
                    color="white" if peak and value > 0.6 * peak else "black")  # fmt: skip
    ax.set_title(title, fontsize=11, loc="left")
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02, label="число функций")
    return _png(fig)
