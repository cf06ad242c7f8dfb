"""Writers for analytics views: CSV, XLSX (one sheet per table, charts on their own sheet),
JSON and Markdown tables. A view is one or more `Table`s; nothing here knows the registry."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Cell = str | int | float | None
FORMATS: tuple[str, ...] = ("md", "csv", "xlsx", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
}
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass
class Table:
    name: str  # file / sheet name: latin, no spaces
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    # shares stored as fractions (0.25) in CSV/XLSX/JSON, shown as «25.0%» in Markdown
    percent: frozenset[str] = frozenset()

    def records(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


# A spreadsheet runs a cell that starts with one of these as a formula (`=HYPERLINK(…)`,
# `+cmd|…`, `-2+3+cmd…`, `@SUM(…)`); tab and CR start one in some importers.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Cell) -> Cell:
    """A text cell that a spreadsheet would run as a formula, prefixed with «'» so it stays text
    (OWASP's advice); numbers stay numbers, so a negative share is still -0.25."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def to_csv(table: Table) -> bytes:
    """UTF-8 with a BOM, so Excel opens Cyrillic text correctly on double-click."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([csv_safe(c) for c in table.columns])
    writer.writerows([csv_safe(c) for c in row] for row in table.rows)
    return buf.getvalue().encode("utf-8-sig")


def _sheet_title(name: str, used: set[str]) -> str:
    base = name.translate(_SHEET_FORBIDDEN)[:31] or "sheet"
    title, n = base, 2
    while title.lower() in used:
        suffix = f"_{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def to_xlsx(tables: Sequence[Table], images: Sequence[tuple[str, bytes]] = ()) -> bytes:
    """One sheet per table (header bold and frozen), plus a «charts» sheet with the PNGs."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for table in tables:
        ws = wb.create_sheet(_sheet_title(table.name, used))
        ws.append(table.columns)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            ws.append(list(row))
        # a function text starting with «=» must stay text, not become a formula
        for row_cells in ws.iter_rows(min_row=2):
            for cell in row_cells:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        for i, col in enumerate(table.columns, 1):
            longest = max([len(str(col))] + [len(str(r[i - 1] or "")) for r in table.rows[:200]])
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, max(8, longest + 2))
    if images:
        from openpyxl.drawing.image import Image

        ws = wb.create_sheet(_sheet_title("charts", used))
        anchor_row = 1
        for name, png in images:
            ws.cell(anchor_row, 1, name)
            img = Image(io.BytesIO(png))
            ws.add_image(img, f"A{anchor_row + 1}")
            anchor_row += int(img.height / 20) + 4  # ≈ 20 px per default row
    if not wb.worksheets:
        wb.create_sheet("empty")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=2).encode("utf-8")


def _md_cell(value: Cell, percent: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1%}" if percent else f"{value:g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def md_table(table: Table, max_rows: int | None = None) -> str:
    rows = table.rows if max_rows is None else table.rows[:max_rows]
    out = ["| " + " | ".join(table.columns) + " |", "|" + "|".join("---" for _ in table.columns) + "|"]
    pct = [c in table.percent for c in table.columns]
    out += ["| " + " | ".join(_md_cell(c, p) for c, p in zip(row, pct, strict=True)) + " |" for row in rows]
    if max_rows is not None and len(table.rows) > max_rows:
        out.append(f"\n…и ещё {len(table.rows) - max_rows} строк (полностью — в CSV/XLSX).")
    return "\n".join(out)


def tables_to_json(tables: Sequence[Table]) -> bytes:
    return to_json({t.name: {"title": t.title, "rows": t.records()} for t in tables})
