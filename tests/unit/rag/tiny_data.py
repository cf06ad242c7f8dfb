"""Tiny hand-made sources shared by the unit tests of rag/, ingest/, store/ and the CLI: one act
in Russian and Kazakh (the same text as the `tiny_corpus` fixture), one repealed statute split
by numbered paragraphs, and a three-row registry resting on both."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.registry import COLUMNS

if TYPE_CHECKING:
    from assistant.text.analyzer import Analyzer

AGENCY = "уполномоченный орган в сфере тестовых услуг"
OLD_AGENCY = "старый комитет по архивам"

TINY_META = (
    "title:\n  rus: О тестовых услугах\n  kaz: Сынақ қызметтері туралы\n"
    "requisite: Закон Республики Казахстан от 1 января 2024 года № 1-VIII\n"
    "version_date:\n  rus: 2024-01-01\n  kaz: 2024-01-01\n"
    "source:\n  rus: https://example.invalid/rus\n  kaz: https://example.invalid/kaz\n"
)
TINY_RUS = (
    '# О тестовых услугах\n\n<a id="st1"></a>\n\n### Статья 1. Сроки рассмотрения\n\n'
    "Заявление рассматривается в течение пяти рабочих дней со дня его поступления.\n\n"
    '<a id="st2"></a>\n\n### Статья 2. Компетенция уполномоченного органа\n\n'
    "Уполномоченный орган:\n\n1) утверждает правила оказания тестовых услуг;\n\n"
    "2) ведет реестр тестовых услуг.\n"
)
TINY_KAZ = (
    '# Сынақ қызметтері туралы\n\n<a id="st1"></a>\n\n### 1-бап. Қарау мерзімдері\n\n'
    "Өтініш ол түскен күннен бастап бес жұмыс күні ішінде қаралады.\n\n"
    '<a id="st2"></a>\n\n### 2-бап. Уәкілетті органның құзыреті\n\n'
    "Уәкілетті орган:\n\n1) сынақ қызметтерін көрсету қағидаларын бекітеді;\n\n"
    "2) сынақ қызметтерінің тізілімін жүргізеді.\n"
)
OLD_META = (
    "title:\n  rus: О старом комитете по архивам\n"
    "requisite: Постановление Правительства Республики Казахстан от 1 марта 2019 года № 5. "
    "Утратило силу постановлением Правительства Республики Казахстан от 1 октября 2023 года № 9\n"
    "version_date:\n  rus: 2019-03-01\n"
    "source:\n  rus: https://example.invalid/old\n"
)
OLD_RUS = (
    "# Положение о старом комитете по архивам\n\n"
    "1. Старый комитет по архивам является государственным органом.\n\n"
    "2. Старый комитет по архивам осуществляет выдачу архивных справок гражданам.\n"
)

OLD_BASIS = (
    "Положение о старом комитете по архивам (утв. постановлением Правительства РК от 1 марта 2019 года № 5; "
    "утратило силу постановлением Правительства РК от 1 октября 2023 года № 9), п. 2"
)


def row(**overrides: str) -> dict[str, str]:
    base = {
        "function_id": "TA-02-01",
        "agency": AGENCY,
        "function_text": "утверждает правила оказания тестовых услуг",
        "act_slug": "tiny-act",
        "act_title": "О тестовых услугах",
        "legal_basis": "Закон РК «О тестовых услугах», ст. 2, пп. 1)",
        "citation": "tiny-act#st2",
        "category": "нормотворческая",
        "automatable": "нет",
        "automation_risk": "высокий",
        "automation_rationale": "Утверждение правил требует решения должностного лица.",
        "updated_on": "2024-01-01",
    }
    base.update(overrides)
    return base


def rows() -> list[dict[str, str]]:
    return [
        row(),
        row(
            function_id="TA-02-02",
            function_text="ведет реестр тестовых услуг",
            legal_basis="Закон РК «О тестовых услугах», ст. 2, пп. 2)",
            category="учетно-регистрационная",
            automatable="да",
            automation_risk="низкий",
            automation_rationale="Ведение реестра — рутинная операция.",
        ),
        row(
            function_id="OS-02-01",
            agency=OLD_AGENCY,
            function_text="выдача архивных справок гражданам",
            act_slug="old-statute",
            act_title="О старом комитете по архивам",
            legal_basis=OLD_BASIS,
            citation="old-statute#p2",
            category="оказание услуг",
            automatable="частично",
            automation_risk="средний",
            automation_rationale="Справки готовит работник архива.",
            updated_on="2019-03-01",
        ),
    ]


def write_registry(path: Path, items: list[dict[str, str]] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows() if items is None else items)
    return path


def write_acts(root: Path, *, with_old: bool = True) -> Path:
    """The acts folder under `root` (`root/acts`)."""
    tiny = root / "acts" / "tiny-act"
    tiny.mkdir(parents=True, exist_ok=True)
    (tiny / "meta.yaml").write_text(TINY_META, encoding="utf-8")
    (tiny / "rus.md").write_text(TINY_RUS, encoding="utf-8")
    (tiny / "kaz.md").write_text(TINY_KAZ, encoding="utf-8")
    if with_old:
        old = root / "acts" / "old-statute"
        old.mkdir(parents=True, exist_ok=True)
        (old / "meta.yaml").write_text(OLD_META, encoding="utf-8")
        (old / "rus.md").write_text(OLD_RUS, encoding="utf-8")
    return root / "acts"


@lru_cache(maxsize=1)
def analyzer() -> Analyzer:
    from assistant.text.analyzer import Analyzer
    from assistant.text.lexicon import Lexicon

    return Analyzer(Lexicon.load())
