from __future__ import annotations

from assistant.analytics.positions import (
    NEEDS_DATA,
    position_key,
    positions_rollup,
    positions_table,
    split_positions,
    validate_positions,
)
from tests.unit.analytics.conftest import row


def test_without_positions_the_view_explains_what_it_needs() -> None:
    report = positions_rollup([row("1", "A", "t"), row("2", "A", "t", positions="")])
    assert not report.available and report.lines == []
    assert report.message == NEEDS_DATA
    assert "positions" in report.message and ";" in report.message
    assert report.to_dict()["coverage"] == 0.0


def test_split_accepts_lists_and_semicolon_strings() -> None:
    assert split_positions("главный специалист;  руководитель  отдела ;") == [
        "главный специалист",
        "руководитель отдела",
    ]
    assert split_positions(["эксперт", " ", "аналитик"]) == ["эксперт", "аналитик"]
    assert split_positions(None) == []
    assert position_key("Главный  специалист.") == position_key("главный специалист")


def test_rollup_counts_functions_per_position_by_automatable_and_risk() -> None:
    rows = [
        row("1", "A", "t", automatable="да", risk="низкий", positions="специалист; руководитель"),
        row("2", "A", "t", automatable="нет", risk="высокий", positions=["Специалист", "руководитель"]),
        row("3", "B", "t", automatable="частично", risk="средний", positions="специалист"),
        row("4", "B", "t", automatable="да", risk="низкий"),
    ]
    report = positions_rollup(rows)
    assert report.available and (report.rows_with_positions, report.rows_total) == (3, 4)
    by_name = {p.position: p for p in report.lines}
    assert set(by_name) == {"специалист", "руководитель"}  # «Специалист» is the same position
    spec = by_name["специалист"]
    assert spec.functions == 3 and spec.function_ids == ["1", "2", "3"]
    assert spec.automatable == {"да": 1, "частично": 1, "нет": 1}
    assert spec.risk == {"низкий": 1, "средний": 1, "высокий": 1}
    assert spec.share_automatable == 0.5
    assert spec.agencies == ["A", "B"]
    assert report.lines[0].position == "специалист"  # most functions first
    assert "не указаны" in report.message  # row 4 has no positions
    assert "должность почти никогда" in report.caveat.lower()
    assert len(positions_table(report).rows) == 2


def test_validation_reports_variants_duplicates_empty_items_and_joined_titles() -> None:
    long_title = ", ".join(["главный специалист управления регистрации"] * 4)
    rows = [
        row("1", "A", "t", positions="специалист;; руководитель"),
        row("2", "A", "t", positions="Специалист; специалист"),
        row("3", "A", "t", positions=long_title),
    ]
    problems = validate_positions(rows)
    assert any(p.startswith("1: empty position") for p in problems)
    assert any(p.startswith("2: position «специалист» is listed twice") for p in problems)
    assert any(p.startswith("3:") and "«,» instead of «;»" in p for p in problems)
    assert any("spelled 2 ways" in p for p in problems)
    assert positions_rollup(rows).problems == problems


def test_a_row_counts_once_per_position_even_if_listed_twice() -> None:
    report = positions_rollup([row("1", "A", "t", positions="эксперт; Эксперт")])
    assert [(p.position, p.functions) for p in report.lines] == [("эксперт", 1)]
