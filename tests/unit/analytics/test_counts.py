from __future__ import annotations

from typing import Any

import pytest

from assistant.analytics import counts
from tests.unit.analytics.conftest import row


def _rows() -> list[dict[str, Any]]:
    return [
        row("1", "A", "t", "нормотворческая", "нет", "высокий", act_title="Закон 1"),
        row("2", "A", "t", "учетно-регистрационная", "да", "низкий", act_title="Закон 1"),
        row("3", "A", "t", "учетно-регистрационная", "частично", "средний", act_title="Закон 2"),
        row("4", "B", "t", "нормотворческая", "нет", "высокий", act_title="", act_slug="demo"),
        row("5", "B", "t", "учетно-регистрационная", "Да", "низкий", act_title="", act_slug=""),
    ]


def test_summary_by_agency_counts_shares_and_totals() -> None:
    s = counts.summarize(_rows(), "agency")
    assert [line.key for line in s.lines] == ["A", "B"]
    a = s.lines[0]
    assert (a.total, a.automatable, a.risk) == (
        3, {"да": 1, "частично": 1, "нет": 1}, {"низкий": 1, "средний": 1, "высокий": 1}
    )  # fmt: skip
    assert a.share_of_all == 0.6 and a.automatable_share("да") == pytest.approx(0.3333, abs=1e-4)
    assert s.totals.total == 5
    assert s.totals.automatable == {"да": 2, "частично": 1, "нет": 2}  # «Да» is normalised to «да»
    assert sum(line.total for line in s.lines) == s.totals.total


def test_summary_by_act_uses_title_then_slug_then_placeholder() -> None:
    keys = {line.key: line.total for line in counts.summarize(_rows(), "act").lines}
    assert keys == {"Закон 1": 2, "Закон 2": 1, "demo": 1, counts.NO_ACT: 1}


def test_filters_apply_before_counting() -> None:
    s = counts.summarize(_rows(), "category", automatable="да")
    assert s.totals.total == 2 and s.filters == {"automatable": "да"}
    assert [line.key for line in s.lines] == ["учетно-регистрационная"]
    assert s.lines[0].share_of_all == 1.0
    assert counts.summarize(_rows(), "agency", risk="высокий").totals.total == 2


def test_unknown_dimension_and_filters_are_reported() -> None:
    with pytest.raises(ValueError, match="unknown dimension"):
        counts.summarize(_rows(), "position")
    assert counts.check_filters("maybe", "огромный") == [
        "automatable: 'maybe' is not one of да, частично, нет",
        "risk: 'огромный' is not one of низкий, средний, высокий",
    ]


def test_breakdown_is_the_full_cross_and_sums_to_all() -> None:
    lines = counts.breakdown(_rows())
    assert sum(b.count for b in lines) == 5
    assert ("A", "нормотворческая", "нет", "высокий", 1) in [
        (b.agency, b.category, b.automatable, b.risk, b.count) for b in lines
    ]
    assert sum(b.share for b in lines) == pytest.approx(1.0)


def test_matrix_category_by_risk() -> None:
    m = counts.matrix(_rows(), "category", "automation_risk")
    assert m.col_labels == ["низкий", "средний", "высокий"]
    assert dict(zip(m.row_labels, m.counts, strict=True)) == {
        "учетно-регистрационная": [2, 1, 0], "нормотворческая": [0, 0, 2]
    }  # fmt: skip
    assert m.total == 5


def test_tables_end_with_a_totals_row() -> None:
    table = counts.summary_table(counts.summarize(_rows(), "agency"))
    assert table.rows[-1][:3] == [counts.TOTAL, 5, 1.0]
    assert "доля «да»" in table.percent
    heat = counts.matrix_table(counts.matrix(_rows()))
    assert heat.rows[-1] == [counts.TOTAL, 2, 1, 2, 5]
    empty = counts.matrix_table(counts.matrix([]))
    assert empty.rows == [[counts.TOTAL, 0, 0, 0, 0]]


def test_empty_rows_give_zero_totals() -> None:
    s = counts.summarize([], "agency")
    assert s.lines == [] and s.totals.total == 0 and s.totals.automatable_share("да") == 0.0
