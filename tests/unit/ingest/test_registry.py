from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from assistant.errors import ValidationProblem
from ingest.registry import COLUMNS, RegistryRow, load_registry, registry_point, row_to_chunk

REGISTRY = Path(__file__).resolve().parents[3] / "data" / "demo" / "registry"


def _row(**overrides: str) -> dict[str, str]:
    row = {
        "function_id": "PS-08-03",
        "agency": "уполномоченный орган в сфере оказания государственных услуг",
        "function_text": "ведет реестр государственных услуг",
        "act_slug": "public-services",
        "act_title": "О государственных и социально ответственных услугах",
        "legal_basis": "Закон РК «О государственных услугах», ст. 8, пп. 3)",
        "citation": "public-services#st8",
        "category": "учетно-регистрационная",
        "automatable": "да",
        "automation_risk": "низкий",
        "automation_rationale": "Ведение реестра — рутинная операция.",
        "updated_on": "2023-07-01",
    }
    row.update(overrides)
    return row


def _write_csv(path: Path, rows: list[dict[str, str]], header: tuple[str, ...] = COLUMNS) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(header), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("functions.csv", 354),
        ("functions-v2.csv", 355),
        ("functions.jsonl", 354),
        ("functions-v2.jsonl", 355),
    ],
)
def test_demo_registry_loads(name: str, count: int) -> None:
    rows = load_registry(REGISTRY / name)
    assert len(rows) == count
    assert len({r.function_id for r in rows}) == count


def test_csv_and_jsonl_agree() -> None:
    assert load_registry(REGISTRY / "functions.csv") == load_registry(REGISTRY / "functions.jsonl")


def test_bad_rows_are_all_reported_with_physical_lines(tmp_path: Path) -> None:
    rows = [
        _row(function_id="A-1", function_text="текст\nна двух строках"),  # lines 2-3
        _row(function_id="A-2", automatable="может быть"),  # line 4
        _row(function_id="A-3", agency="  "),  # line 5
        _row(function_id="A-1"),  # line 6: duplicate
        _row(function_id="A-4", updated_on="01.07.2023"),  # line 7
        _row(function_id="A-5", automation_risk="Очень высокий", citation="st8"),  # line 8, two problems
        _row(function_id="A-6"),  # line 9: fine
    ]
    path = tmp_path / "functions.csv"
    _write_csv(path, rows)
    with pytest.raises(ValidationProblem) as err:
        load_registry(path)
    assert err.value.problems == [
        "functions.csv:4: automatable 'может быть' is not one of да, частично, нет",
        "functions.csv:5: agency is empty",
        "functions.csv:6: duplicate function_id 'A-1' (first at line 2)",
        "functions.csv:7: updated_on '01.07.2023' is not an ISO date (YYYY-MM-DD)",
        "functions.csv:8: citation 'st8' is not '<act-slug>#st<N>' or '<act-slug>#p<N>'",
        "functions.csv:8: automation_risk 'Очень высокий' is not one of низкий, средний, высокий",
    ]
    assert err.value.code == "invalid_input"


def test_enum_variants_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    _write_csv(
        path,
        [_row(automatable=" Да ", automation_risk="НИЗКИЙ"), _row(function_id="B", automatable="Частично")],
    )
    rows = load_registry(path)
    assert [(r.automatable, r.automation_risk) for r in rows] == [("да", "низкий"), ("частично", "низкий")]


def test_missing_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    header = tuple(c for c in COLUMNS if c not in ("agency", "automation_risk"))
    _write_csv(path, [_row()], header=header)
    with pytest.raises(ValidationProblem) as err:
        load_registry(path)
    assert err.value.problems == ["r.csv:1: missing required column(s): agency, automation_risk"]


def test_optional_columns_may_be_absent_and_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    header = (
        "function_id",
        "agency",
        "function_text",
        "category",
        "automatable",
        "automation_risk",
        "positions",
    )
    _write_csv(path, [_row(positions="главный специалист; эксперт ;")], header=header)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    [row] = load_registry(path)
    assert row.citation == "" and row.updated_on == ""
    assert row.positions == ["главный специалист", "эксперт"]


def test_wrong_field_count_and_unsupported_format(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    _write_csv(path, [_row()])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("X-1,only,three\n")
    with pytest.raises(ValidationProblem) as err:
        load_registry(path)
    assert err.value.problems == ["r.csv:3: has 3 fields, the header has 12"]
    with pytest.raises(ValidationProblem) as err:
        load_registry(tmp_path / "r.xls")
    assert err.value.problems == ["r.xls: unsupported registry format '.xls' (use .csv, .xlsx or .jsonl)"]


def test_xlsx_round_trip(tmp_path: Path) -> None:
    import openpyxl

    rows = load_registry(REGISTRY / "functions.csv")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in rows:
        values: list[object] = [getattr(row, c) for c in COLUMNS]
        values[COLUMNS.index("updated_on")] = dt.date.fromisoformat(row.updated_on)  # typed date cell
        sheet.append(values)
    path = tmp_path / "functions.xlsx"
    workbook.save(path)
    assert load_registry(path) == rows


def test_xlsx_bad_row_and_corrupt_file(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    sheet.append([_row()[c] for c in COLUMNS])
    sheet.append([_row(function_id="X", automatable="иногда")[c] for c in COLUMNS])
    path = tmp_path / "reg.xlsx"
    workbook.save(path)
    with pytest.raises(ValidationProblem) as err:
        load_registry(path)
    assert err.value.problems == ["reg.xlsx:3: automatable 'иногда' is not one of да, частично, нет"]
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(b"not a workbook")
    with pytest.raises(ValidationProblem) as err:
        load_registry(corrupt)
    assert err.value.problems[0].startswith("corrupt.xlsx: not a valid xlsx file")


def test_jsonl_round_trip_and_errors(tmp_path: Path) -> None:
    rows = load_registry(REGISTRY / "functions-v2.csv")
    path = tmp_path / "functions.jsonl"
    path.write_text(
        "\n".join(json.dumps(r.model_dump(exclude={"positions"}), ensure_ascii=False) for r in rows) + "\n"
    )
    assert load_registry(path) == rows
    bad = tmp_path / "bad.jsonl"
    good = json.dumps(_row(), ensure_ascii=False)
    missing = json.dumps(
        {k: v for k, v in _row(function_id="Z").items() if k != "agency"}, ensure_ascii=False
    )
    bad.write_text(f"{good}\n\n{{not json\n{missing}\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(ValidationProblem) as err:
        load_registry(bad)
    problems = err.value.problems
    assert problems[0].startswith("bad.jsonl:3: invalid JSON")
    assert problems[1:] == ["bad.jsonl:4: agency is missing", "bad.jsonl:5: expected a JSON object, got list"]


@pytest.mark.parametrize(
    ("legal_basis", "point"),
    [
        ("Закон РК «О государственных услугах», ст. 7, пп. 1)", "1"),
        ("Закон РК «О персональных данных и их защите», ст. 27-1, п. 1, пп. 2-1)", "2-1"),
        ("Закон РК «О государственных услугах», ст. 6", ""),
        ("Положение … (утв. …; утратило силу … № 866), п. 16, пп. 2), поз. 14", "2"),
    ],
)
def test_registry_point(legal_basis: str, point: str) -> None:
    assert registry_point(RegistryRow.model_validate(_row(legal_basis=legal_basis))) == point


def test_row_to_chunk() -> None:
    row = RegistryRow.model_validate(_row())
    chunk = row_to_chunk(row)
    assert chunk.chunk_id == "registry:PS-08-03@ru"
    assert chunk.citation == "registry:PS-08-03"
    assert chunk.kind == "registry" and chunk.lang == "ru"
    assert chunk.title == "ведет реестр государственных услуг"
    assert chunk.text == (
        "Орган: уполномоченный орган в сфере оказания государственных услуг. "
        "Функция: ведет реестр государственных услуг. Категория: учетно-регистрационная. "
        "Автоматизация: да, риск: низкий. Обоснование: Ведение реестра — рутинная операция. "
        "Правовое основание: Закон РК «О государственных услугах», ст. 8, пп. 3)."
    )
    assert chunk.act_slug == "public-services"
    assert chunk.act_title == "О государственных и социально ответственных услугах"
    assert chunk.article == "8" and chunk.point == "3"
    assert chunk.registry == _row()
    assert not chunk.repealed


def test_row_to_chunk_on_demo_data() -> None:
    rows = {r.function_id: r for r in load_registry(REGISTRY / "functions-v2.csv")}
    mior = row_to_chunk(rows["MIOR-C-001"])
    assert mior.article == "p16" and mior.point == "1"
    assert (
        mior.repealed
        and mior.status == "Утратило силу постановлением Правительства РК от 4 октября 2023 года № 866"
    )
    demo = row_to_chunk(rows["DEMO-MAIDR-001"])
    assert demo.article == "" and demo.point == "" and demo.registry["citation"] == ""
    assert row_to_chunk(rows["PD-27.1-1-07.3"]).point == "7-3"
    assert row_to_chunk(rows["PS-09.1-03"]).article == "9-1"
