"""Hand-made registry rows and one shared analyzer (pymorphy takes a moment to load)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.text.analyzer import Analyzer
from assistant.text.lexicon import Lexicon


def row(fid: str, agency: str, text: str, category: str = "иная", automatable: str = "частично",
        risk: str = "средний", **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {
        "function_id": fid, "agency": agency, "function_text": text, "category": category,
        "automatable": automatable, "automation_risk": risk, "act_slug": extra.pop("act_slug", "act-a"),
        "act_title": extra.pop("act_title", "Закон А"), **extra,
    }  # fmt: skip


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer(Lexicon.load())


@pytest.fixture()
def kinds_of_work() -> list[dict[str, Any]]:
    """Three kinds of work, each done by several agencies in different words."""
    reg, norm, info = "учетно-регистрационная", "нормотворческая", "информационно-аналитическая"
    return [
        row("R-1", "Министерство А", "ведет реестр объектов культурного наследия", reg, "да", "низкий"),
        row("R-2", "Министерство Б", "ведение реестра объектов культурного наследия", reg, "да", "низкий"),
        row(
            "R-3",
            "Агентство В",
            "ведет реестр объектов наследия и вносит в него изменения",
            reg,
            "да",
            "низкий",
        ),
        row("N-1", "Министерство А", "утверждает правила проведения конкурса", norm, "нет", "высокий"),
        row("N-2", "Министерство Б", "утверждение правил проведения конкурса", norm, "нет", "высокий"),
        row("N-3", "Агентство В", "утверждает правила проведения открытого конкурса", norm, "нет", "высокий"),
        row(
            "I-1",
            "Министерство А",
            "размещает информацию о закупках на интернет-ресурсе",
            info,
            "да",
            "низкий",
        ),
        row(
            "I-2", "Агентство В", "размещение информации о закупках на интернет-ресурсе", info, "да", "низкий"
        ),
        row(
            "X-1",
            "Агентство В",
            "осуществляет международное сотрудничество",
            "организационно-координационная",
            "нет",
            "высокий",
        ),
    ]
