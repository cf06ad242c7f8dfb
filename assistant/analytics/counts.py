"""Counts and shares of registry functions by agency / category / act × automatable × risk.

Pure functions over row dicts (the registry columns as strings), so the same code serves a
registry file, the live index's rows and hand-made rows in tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.analytics.export import Cell, Table

Row = Mapping[str, Any]
Dimension = Literal["agency", "category", "act"]

DIMENSIONS: tuple[str, ...] = ("agency", "category", "act")
AUTOMATABLE: tuple[str, ...] = ("да", "частично", "нет")
RISKS: tuple[str, ...] = ("низкий", "средний", "высокий")
NO_ACT = "(без акта)"
TOTAL = "Итого"


def field_value(row: Row, name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def dim_value(row: Row, dim: str) -> str:
    """The row's value on a dimension; an act is named by its title (its slug if untitled)."""
    if dim == "act":
        return field_value(row, "act_title") or field_value(row, "act_slug") or NO_ACT
    if dim not in DIMENSIONS:
        raise ValueError(f"unknown dimension '{dim}' (use {', '.join(DIMENSIONS)})")
    return field_value(row, dim) or "—"


def automatable_of(row: Row) -> str:
    return field_value(row, "automatable").lower()


def risk_of(row: Row) -> str:
    return field_value(row, "automation_risk").lower()


def check_filters(automatable: str | None, risk: str | None) -> list[str]:
    problems = []
    if automatable and automatable not in AUTOMATABLE:
        problems.append(f"automatable: '{automatable}' is not one of {', '.join(AUTOMATABLE)}")
    if risk and risk not in RISKS:
        problems.append(f"risk: '{risk}' is not one of {', '.join(RISKS)}")
    return problems


def filter_rows(
    rows: Iterable[Row],
    automatable: str | None = None,
    risk: str | None = None,
    category: str | None = None,
    agency: str | None = None,
) -> list[Row]:
    out = []
    for row in rows:
        if automatable and automatable_of(row) != automatable:
            continue
        if risk and risk_of(row) != risk:
            continue
        if category and field_value(row, "category") != category:
            continue
        if agency and field_value(row, "agency") != agency:
            continue
        out.append(row)
    return out


def share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass
class SummaryLine:
    key: str
    total: int
    automatable: dict[str, int]
    risk: dict[str, int]
    share_of_all: float = 0.0

    def automatable_share(self, value: str) -> float:
        return share(self.automatable.get(value, 0), self.total)

    def risk_share(self, value: str) -> float:
        return share(self.risk.get(value, 0), self.total)

    @property
    def automatable_index(self) -> float:
        """Share automatable with «частично» counted as half: one number to rank by."""
        return share(2 * self.automatable.get("да", 0) + self.automatable.get("частично", 0), 2 * self.total)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "total": self.total,
            "share_of_all": self.share_of_all,
            "automatable": dict(self.automatable),
            "automatable_share": {v: self.automatable_share(v) for v in AUTOMATABLE},
            "risk": dict(self.risk),
            "risk_share": {v: self.risk_share(v) for v in RISKS},
            "automatable_index": self.automatable_index,
        }


def _line(key: str, rows: Sequence[Row], grand_total: int) -> SummaryLine:
    aut = Counter(automatable_of(r) for r in rows)
    rsk = Counter(risk_of(r) for r in rows)
    return SummaryLine(
        key=key,
        total=len(rows),
        automatable={v: aut.get(v, 0) for v in AUTOMATABLE},
        risk={v: rsk.get(v, 0) for v in RISKS},
        share_of_all=share(len(rows), grand_total),
    )


@dataclass
class Summary:
    by: str
    lines: list[SummaryLine]
    totals: SummaryLine
    filters: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "filters": self.filters,
            "lines": [line.to_dict() for line in self.lines],
            "totals": self.totals.to_dict(),
        }


def summarize(
    rows: Sequence[Row], by: str = "agency", automatable: str | None = None, risk: str | None = None
) -> Summary:
    """One line per value of `by` (largest first), each with automatable and risk counts."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension '{by}' (use {', '.join(DIMENSIONS)})")
    selected = filter_rows(rows, automatable=automatable, risk=risk)
    groups: dict[str, list[Row]] = {}
    for row in selected:
        groups.setdefault(dim_value(row, by), []).append(row)
    n = len(selected)
    lines = [_line(key, members, n) for key, members in groups.items()]
    lines.sort(key=lambda line: (-line.total, line.key))
    filters = {k: v for k, v in (("automatable", automatable), ("risk", risk)) if v}
    return Summary(by=by, lines=lines, totals=_line(TOTAL, selected, n), filters=filters)


@dataclass
class BreakdownLine:
    agency: str
    category: str
    automatable: str
    risk: str
    count: int
    share: float


def breakdown(
    rows: Sequence[Row], automatable: str | None = None, risk: str | None = None
) -> list[BreakdownLine]:
    """The full cross: agency × category × automatable × risk, non-empty cells only."""
    selected = filter_rows(rows, automatable=automatable, risk=risk)
    cells = Counter(
        (dim_value(r, "agency"), dim_value(r, "category"), automatable_of(r), risk_of(r)) for r in selected
    )
    return ordered([BreakdownLine(*key, count=c, share=share(c, len(selected))) for key, c in cells.items()])


def ordered(lines: list[BreakdownLine]) -> list[BreakdownLine]:
    """Breakdown lines by agency, category, then the marks in their natural order."""
    order = {v: i for i, v in enumerate(AUTOMATABLE + RISKS)}
    return sorted(
        lines, key=lambda b: (b.agency, b.category, order.get(b.automatable, 9), order.get(b.risk, 9))
    )


@dataclass
class Matrix:
    row_labels: list[str]
    col_labels: list[str]
    counts: list[list[int]]

    @property
    def total(self) -> int:
        return sum(map(sum, self.counts))

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.row_labels, "columns": self.col_labels, "counts": self.counts}


def matrix(
    rows: Sequence[Row], row_dim: str = "category", col_field: str = "automation_risk",
    automatable: str | None = None, risk: str | None = None,
) -> Matrix:  # fmt: skip
    """Counts of `row_dim` values × `col_field` values (risk or automatable, in their natural order)."""
    selected = filter_rows(rows, automatable=automatable, risk=risk)
    if col_field == "automation_risk":
        cols, value = list(RISKS), risk_of
    elif col_field == "automatable":
        cols, value = list(AUTOMATABLE), automatable_of
    else:
        raise ValueError(f"unknown column field '{col_field}'")
    totals = Counter(dim_value(r, row_dim) for r in selected)
    labels = sorted(totals, key=lambda k: (-totals[k], k))
    cells = Counter((dim_value(r, row_dim), value(r)) for r in selected)
    return Matrix(labels, cols, [[cells.get((lab, c), 0) for c in cols] for lab in labels])


# --- views as tables (for CSV/XLSX/Markdown) ----------------------------------------------------

_DIM_TITLES = {"agency": "орган", "category": "категория", "act": "акт"}


def summary_table(summary: Summary) -> Table:
    columns = [_DIM_TITLES.get(summary.by, summary.by), "всего", "доля от всех"]
    columns += [f"автоматизируемо: {v}" for v in AUTOMATABLE] + [f"доля «{v}»" for v in AUTOMATABLE]
    columns += [f"риск: {v}" for v in RISKS] + [f"доля риска «{v}»" for v in RISKS]
    rows: list[list[Cell]] = []
    for line in [*summary.lines, summary.totals]:
        row: list[Cell] = [line.key, line.total, line.share_of_all]
        row += [line.automatable[v] for v in AUTOMATABLE] + [line.automatable_share(v) for v in AUTOMATABLE]
        row += [line.risk[v] for v in RISKS] + [line.risk_share(v) for v in RISKS]
        rows.append(row)
    percent = frozenset(c for c in columns if c.startswith("доля"))
    title = f"Функции по {_DIM_TITLES.get(summary.by, summary.by)}: автоматизируемость и риск"
    return Table("summary", title, columns, rows, percent)


def breakdown_table(lines: Sequence[BreakdownLine]) -> Table:
    columns = ["орган", "категория", "автоматизируемо", "риск", "функций", "доля"]
    rows: list[list[Cell]] = [[b.agency, b.category, b.automatable, b.risk, b.count, b.share] for b in lines]
    return Table(
        "breakdown", "Орган × категория × автоматизируемость × риск", columns, rows, frozenset({"доля"})
    )


def matrix_table(m: Matrix, row_title: str = "категория", name: str = "category_risk") -> Table:
    columns = [row_title, *m.col_labels, "всего"]
    rows: list[list[Cell]] = [
        [label, *counts, sum(counts)] for label, counts in zip(m.row_labels, m.counts, strict=True)
    ]
    col_totals = [sum(row[j] for row in m.counts) for j in range(len(m.col_labels))]
    rows.append([TOTAL, *col_totals, m.total])
    return Table(name, f"{row_title.capitalize()} × риск", columns, rows)


def compact_table(summary: Summary) -> Table:
    """The summary for reading (Markdown): counts with their shares in one cell."""

    def cell(n: int, total: int) -> str:
        return f"{n} ({share(n, total):.0%})" if total else "0"

    columns = [_DIM_TITLES.get(summary.by, summary.by), "всего", "доля", *AUTOMATABLE]
    columns += [f"риск {v}" for v in RISKS]
    rows: list[list[Cell]] = []
    for line in [*summary.lines, summary.totals]:
        row: list[Cell] = [line.key, line.total, f"{line.share_of_all:.1%}"]
        row += [cell(line.automatable[v], line.total) for v in AUTOMATABLE]
        row += [cell(line.risk[v], line.total) for v in RISKS]
        rows.append(row)
    return Table("summary", "Сводка", columns, rows)
