"""Registry files read into records, one reader per format: each yields (line number, {column:
value}) for a row, or (line number, error message) for a row (or header) it cannot read, so the
loader (ingest/registry.py) reports every bad line at once. Spreadsheet cells come typed and are
turned into the strings a CSV would hold."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

Record = tuple[int, dict[str, Any] | str]


def _cell(value: object) -> str:
    # Spreadsheet cells come typed: dates as datetime, ids as floats.
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header_problem(header: list[str], required: Sequence[str]) -> str | None:
    missing = [name for name in required if name not in header]
    return f"missing required column(s): {', '.join(missing)}" if missing else None


def _tabular(
    rows: Iterable[tuple[int, list[str]]],
    required: Sequence[str],
    record: Callable[[list[str], list[str]], dict[str, Any] | str],
) -> Iterator[Record]:
    """Rows of a table whose first non-empty row is the header: each later row as `record`
    makes it of the header and its cells."""
    header: list[str] | None = None
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            problem = _header_problem(header, required)
            if problem:
                yield number, problem
                return
            continue
        yield number, record(header, cells)
    if header is None:
        yield 1, "no header row"


def _csv_record(header: list[str], cells: list[str]) -> dict[str, Any] | str:
    if len(cells) != len(header):
        return f"has {len(cells)} fields, the header has {len(header)}"
    return dict(zip(header, cells, strict=True))


def _read_csv(path: Path, required: Sequence[str]) -> Iterator[Record]:
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))

    def rows() -> Iterator[tuple[int, list[str]]]:
        last_line = 0
        for cells in reader:  # a quoted cell may span lines: a row starts after the last one
            start, last_line = last_line + 1, reader.line_num
            yield start, cells

    yield from _tabular(rows(), required, _csv_record)


def _read_jsonl(path: Path, required: Sequence[str]) -> Iterator[Record]:
    text = path.read_bytes().decode("utf-8-sig")
    # split("\n"), not splitlines(): JSON strings may hold a raw U+2028, which is not a line end.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"invalid JSON ({exc.msg})"
            continue
        if not isinstance(obj, dict):
            yield number, f"expected a JSON object, got {type(obj).__name__}"
            continue
        yield number, {str(k).strip().lower(): v if isinstance(v, list) else _cell(v) for k, v in obj.items()}


def _xlsx_record(header: list[str], cells: list[str]) -> dict[str, Any] | str:
    return {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name}


def _read_xlsx(path: Path, required: Sequence[str]) -> Iterator[Record]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        values = workbook.worksheets[0].iter_rows(values_only=True)
        rows = ((number, [_cell(v) for v in row]) for number, row in enumerate(values, start=1))
        yield from _tabular(rows, required, _xlsx_record)
    finally:
        workbook.close()


READERS: dict[str, Callable[[Path, Sequence[str]], Iterator[Record]]] = {
    ".csv": _read_csv,
    ".jsonl": _read_jsonl,
    ".xlsx": _read_xlsx,
}
