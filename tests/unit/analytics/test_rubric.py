from __future__ import annotations

from typing import Any

import pytest

from assistant.analytics.rubric import PROPOSAL_COLUMNS, PROPOSAL_NOTE, Assessor, apply_rubric, is_assessed
from assistant.text.analyzer import Analyzer
from tests.unit.analytics.conftest import row


@pytest.mark.parametrize(
    ("text", "category", "automatable", "risk", "rule"),
    [
        ("разрабатывает и утверждает правила ведения реестра", "нормотворческая", "нет", "высокий", "R10"),
        ("утверждение перечня обязательных каналов", "нормотворческая", "нет", "высокий", "R09"),
        ("осуществляет государственный контроль за соблюдением закона", "контрольно-надзорная", "нет", "высокий", "R13"),
        ("проводит проверки субъектов", "контрольно-надзорная", "нет", "высокий", "R13"),
        ("ведет реестр систем искусственного интеллекта", "учетно-регистрационная", "да", "низкий", "R19"),
        ("осуществление учета иностранных изданий", "учетно-регистрационная", "да", "низкий", "R19"),
        ("осуществляет мониторинг цен", "учетно-регистрационная", "частично", "средний", "R18"),
        ("размещение информации на интернет-портале открытых данных", "информационно-аналитическая", "да",
         "низкий", "R15"),
        ("проведение изучения и анализа рынка", "информационно-аналитическая", "частично", "средний", "R16"),
        ("осуществление лицензирования отдельных видов деятельности", "разрешительная", "нет", "высокий", "R06"),
        ("выдает разрешения на строительство", "разрешительная", "нет", "высокий", "R06"),
        ("рассматривают обращения граждан", "оказание услуг", "частично", "средний", "R21"),
        ("координирует деятельность местных органов", "организационно-координационная", "частично", "средний",
         "R25"),
        ("осуществляет иные полномочия, предусмотренные законами", "иная", "частично", "средний", "R01"),
    ],
)  # fmt: skip
def test_rules_by_category(text: str, category: str, automatable: str, risk: str, rule: str) -> None:
    result = apply_rubric(text)
    assert (result.category, result.automatable, result.risk, result.rule_id) == (
        category,
        automatable,
        risk,
        rule,
    )
    assert result.rationale and result.trigger


def test_the_earliest_trigger_wins_and_generic_words_yield_to_specific_ones() -> None:
    # «мониторинг» appears before «анализ»: the leading action decides
    assert apply_rubric("организация и координация работы по мониторингу и анализу").rule_id == "R25"
    # «обеспечивают» is generic: the information rule later in the text wins
    r = apply_rubric("обеспечивают предоставление информации в уполномоченный орган")
    assert (r.rule_id, r.category, r.automatable) == ("R15", "информационно-аналитическая", "да")


def test_an_override_makes_the_assessment_stricter_and_keeps_the_category() -> None:
    r = apply_rubric("создает консультативный совет, а также определяет порядок его деятельности")
    assert (r.category, r.automatable, r.risk) == ("организационно-координационная", "нет", "высокий")
    assert (r.rule_id, r.override_id) == ("R25", "O1")
    assert "O1" in r.explain() and "утверждение" in r.rationale
    # a participle «утвержденными» is not an approval by this body
    assert apply_rubric("координирует работу по правилам, утвержденным Правительством").override_id == ""


def test_no_rule_gives_the_fallback() -> None:
    r = apply_rubric("принимает экзамены")
    assert (r.rule_id, r.category, r.automatable, r.risk) == ("R00", "иная", "частично", "средний")


def test_leading_circumstances_are_ignored() -> None:
    assert apply_rubric("в установленном порядке ведение реестра изданий").rule_id == "R19"


def _reference() -> list[dict[str, Any]]:
    return [
        row("E-1", "Министерство", "принимает квалификационные экзамены у кандидатов", "оказание услуг", "нет",
            "высокий"),
        row("E-2", "Агентство", "принимает экзамены у кандидатов в аудиторы", "оказание услуг", "нет", "высокий"),
        row("R-1", "Министерство", "ведет реестр аудиторов", "учетно-регистрационная", "да", "низкий"),
        row("U-1", "Агентство", "принимает экзамены", "", "", ""),  # not assessed: never a neighbour
    ]  # fmt: skip


def test_neighbours_are_assessed_rows_with_ids_and_similarity(analyzer: Analyzer) -> None:
    assessor = Assessor(_reference(), analyzer, k=2)
    assert [r["function_id"] for r in assessor.reference] == ["E-1", "E-2", "R-1"]
    near = assessor.neighbours("принимает экзамены у кандидатов")
    assert [n.function_id for n in near] == ["E-2", "E-1"] or [n.function_id for n in near] == ["E-1", "E-2"]
    assert all(0.2 <= n.similarity <= 1 for n in near)
    assert near[0].similarity >= near[1].similarity
    assert near[0].short().startswith(near[0].function_id)


def test_proposal_falls_back_to_neighbours_when_no_rule_fires(analyzer: Analyzer) -> None:
    p = Assessor(_reference(), analyzer).propose("принимает экзамены у кандидатов")
    assert p.rubric.rule_id == "R00"
    assert (p.category, p.automatable, p.risk, p.source) == ("оказание услуг", "нет", "высокий", "neighbours")
    assert PROPOSAL_NOTE in p.rationale and "E-" in p.rationale
    d = p.to_dict()
    assert d["status"] == "proposal" and d["decided_by"] == "neighbours" and d["neighbours"]


def test_rubric_decides_when_it_fires_and_disagreement_is_flagged(analyzer: Analyzer) -> None:
    ref = [row("X-1", "А", "ведет реестр аудиторов", "учетно-регистрационная", "нет", "высокий")]
    p = Assessor(ref, analyzer).propose("ведет реестр аудиторов и аудиторских организаций")
    assert (p.category, p.automatable, p.source) == ("учетно-регистрационная", "да", "rubric")
    assert p.agrees_with_neighbours is False
    assert "расходится" in p.rationale


def test_without_reference_the_rubric_alone_proposes(analyzer: Analyzer) -> None:
    p = Assessor([], analyzer).propose("ведет реестр аудиторов")
    assert p.neighbours == [] and p.agrees_with_neighbours is None and p.automatable == "да"
    assert "не найдено" in p.rationale


def test_bulk_adds_proposal_columns_and_keeps_human_assessments(analyzer: Analyzer) -> None:
    rows = [
        *_reference(),
        row("H-1", "Агентство", "ведет реестр аудиторов", "учетно-регистрационная", "частично", "средний",
            automation_rationale="решение аналитика"),
    ]  # fmt: skip
    out = Assessor(rows, analyzer).bulk(rows)
    assert len(out) == len(rows)
    for before, after in zip(rows, out, strict=True):
        assert {k: after[k] for k in before} == before  # nothing of the row is changed
        assert set(PROPOSAL_COLUMNS) <= set(after)
    human = out[-1]
    assert (human["automatable"], human["automation_risk"]) == ("частично", "средний")
    assert (human["proposed_automatable"], human["proposed_risk"]) == ("да", "низкий")
    # a row is never its own neighbour: H-1 finds R-1 (same text, another agency), not itself
    assert "H-1" not in human["proposal_neighbours"] and "R-1" in human["proposal_neighbours"]
    unassessed = out[3]
    assert unassessed["category"] == "" and unassessed["proposed_category"] == "оказание услуг"


def test_is_assessed() -> None:
    assert is_assessed(row("1", "a", "t", "иная", "да", "низкий"))
    assert not is_assessed(row("1", "a", "t", "", "да", "низкий"))
    assert not is_assessed(row("1", "a", "t", "иная", "может быть", "низкий"))
