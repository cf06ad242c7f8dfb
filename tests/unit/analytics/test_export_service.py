"""Exports and the service facade on a small hand-made registry file; the CLI over it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from assistant.analytics.cli import analytics_app
from assistant.analytics.export import Table, md_table, to_csv, to_xlsx
from assistant.analytics.service import AnalyticsService, read_rows, write_rows
from assistant.errors import ValidationProblem
from assistant.text.analyzer import Analyzer

HEADER = "function_id,agency,function_text,category,automatable,automation_risk,positions\n"


@pytest.fixture()
def registry(tmp_path: Path, kinds_of_work: list[dict[str, Any]]) -> Path:
    path = tmp_path / "reg.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER.strip().split(","))
        for i, r in enumerate(kinds_of_work):
            pos = "специалист; руководитель" if i % 2 else "специалист"
            w.writerow([r["function_id"], r["agency"], r["function_text"], r["category"], r["automatable"],
                        r["automation_risk"], pos])  # fmt: skip
    return path


def test_csv_has_a_bom_and_round_trips() -> None:
    t = Table("x", "X", ["a", "b"], [["один", 1], ["=SUM(A1)", None]])
    data = to_csv(t)
    assert data.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [
        ["a", "b"],
        ["один", "1"],
        ["'=SUM(A1)", ""],  # neutralised: a spreadsheet shows it, never runs it
    ]


def test_xlsx_keeps_text_that_looks_like_a_formula(tmp_path: Path) -> None:
    t = Table("x", "X", ["a", "b"], [["=SUM(A1)", 2]])
    path = tmp_path / "x.xlsx"
    path.write_bytes(to_xlsx([t, Table("x", "dup name", ["c"], [[1]])]))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["x", "x_2"]
    assert wb["x"]["A2"].value == "=SUM(A1)" and wb["x"]["A2"].data_type == "s"


def test_md_table_formats_percent_columns_only() -> None:
    t = Table("x", "X", ["n", "доля", "приоритет"], [[1, 0.25, 0.5]], frozenset({"доля"}))
    assert md_table(t).splitlines()[-1] == "| 1 | 25.0% | 0.5 |"


def test_service_from_file_summary_groups_positions(registry: Path, analyzer: Analyzer) -> None:
    s = AnalyticsService.from_registry_file(registry, analyzer)
    assert s.source == "файл reg.csv" and len(s.rows) == 9
    assert s.summary("agency").totals.total == 9
    assert len(s.groups()) == 3 and s.groups() is s.groups()  # computed once
    assert s.positions().available
    with pytest.raises(ValidationProblem):
        s.summary("agency", automatable="может быть")
    with pytest.raises(ValidationProblem):
        s.chart("pie")
    assert s.chart("heatmap").startswith(b"\x89PNG")


def test_service_export_every_view(registry: Path, analyzer: Analyzer) -> None:
    s = AnalyticsService.from_registry_file(registry, analyzer)
    for view in ("summary", "breakdown", "heatmap", "groups", "group_members", "positions"):
        for fmt in ("csv", "xlsx", "json", "md"):
            data, media, name = s.export(view, fmt)
            assert data and media and name == f"kenes-{view}.{fmt}"
    with pytest.raises(ValidationProblem):
        s.export("everything", "csv")


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(analytics_app, name="analytics")
    return app


def test_cli_prints_the_summary_and_writes_reports(registry: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(
        _cli(), ["analytics", "--registry", str(registry), "--by", "category", "--format", "csv"]
    )
    assert res.exit_code == 0, res.output
    lines = list(csv.reader(io.StringIO(res.stdout)))
    assert lines[0][0] == "категория" and lines[-1][:2] == ["Итого", "9"]
    res = runner.invoke(
        _cli(), ["analytics", "--registry", str(registry), "--format", "xlsx", "--out", str(tmp_path / "r")]
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "chart-automatable.png", "chart-heatmap.png", "chart-risk.png", "report.xlsx"
    ]  # fmt: skip
    res = runner.invoke(_cli(), ["analytics", "--registry", str(registry), "--format", "xlsx"])
    assert res.exit_code != 0 and "--out" in res.output
    res = runner.invoke(_cli(), ["analytics", "--registry", str(registry), "--risk", "огромный"])
    assert res.exit_code == 2 and "risk" in res.output


def test_cli_assess_one_text_and_bulk(registry: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(
        _cli(), ["analytics", "assess", "ведет реестр аудиторов", "--registry", str(registry), "--json"]
    )
    assert res.exit_code == 0, res.output
    proposal = json.loads(res.stdout)
    assert proposal["status"] == "proposal" and proposal["proposed_category"] == "учетно-регистрационная"
    assert proposal["neighbours"][0]["function_id"].startswith("R-")

    unassessed = tmp_path / "new.csv"
    unassessed.write_text(
        HEADER
        + "NEW-1,Агентство,ведет реестр аудиторов,,,,\n"
        + registry.read_text(encoding="utf-8").split("\n", 1)[1],
        encoding="utf-8",
    )
    out = tmp_path / "proposals.xlsx"
    res = runner.invoke(_cli(), ["analytics", "assess", "--registry", str(unassessed), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = read_rows(out)
    assert rows[0]["function_id"] == "NEW-1" and rows[0]["category"] == ""
    assert rows[0]["proposed_category"] == "учетно-регистрационная"
    assert rows[1]["category"] == "учетно-регистрационная" and rows[1]["proposal_neighbours"]
    res = runner.invoke(
        _cli(), ["analytics", "assess", "--registry", str(unassessed), "--out", str(unassessed)]
    )
    assert res.exit_code != 0  # never overwrite the input


def test_read_and_write_rows_round_trip(tmp_path: Path) -> None:
    rows = [{"function_id": "1", "function_text": "т", "positions": ["a", "b"]}]
    for suffix in (".csv", ".xlsx", ".jsonl"):
        back = read_rows(write_rows(tmp_path / f"r{suffix}", rows))
        assert back[0]["function_text"] == "т"
    with pytest.raises(ValidationProblem):
        read_rows(tmp_path / "r.txt")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValidationProblem, match="cannot read"):
        read_rows(tmp_path / "bad.csv")
