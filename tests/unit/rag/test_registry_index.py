"""The in-memory registry of the live version: agencies, categories, exact selections."""

from __future__ import annotations

import pytest

from assistant.domain import Chunk
from assistant.rag.registry_index import RegistryIndex
from ingest.registry import RegistryRow, row_to_chunk
from tests.unit.rag.tiny_data import analyzer, row

GOV = "Правительство Республики Казахстан"
PD = "уполномоченный орган в сфере защиты персональных данных"
PS = "уполномоченный орган в сфере оказания государственных услуг"
LOCAL = "местные исполнительные органы"


def _row(fid: str, agency: str, category: str, automatable: str, risk: str) -> Chunk:
    return row_to_chunk(
        RegistryRow.model_validate(
            row(
                function_id=fid,
                agency=agency,
                function_text=f"функция {fid}",
                category=category,
                automatable=automatable,
                automation_risk=risk,
            )
        )
    )


@pytest.fixture(scope="module")
def index() -> RegistryIndex:
    chunks = [
        _row("B-1", GOV, "нормотворческая", "нет", "высокий"),
        _row("A-2", PD, "учетно-регистрационная", "да", "низкий"),
        _row("A-1", PS, "учетно-регистрационная", "да", "низкий"),
        _row("C-1", LOCAL, "контрольно-надзорная", "частично", "средний"),
        _row("C-2", LOCAL, "учетно-регистрационная", "нет", "высокий"),
        Chunk(
            chunk_id="law#st1@ru", citation="law#st1", kind="act", lang="ru", title="Статья 1", text="Текст."
        ),
    ]
    return RegistryIndex(chunks, analyzer())


def test_rows_only_sorted_by_function_id(index: RegistryIndex) -> None:
    assert len(index) == 5
    assert [r.citation for r in index.rows] == [f"registry:{f}" for f in ("A-1", "A-2", "B-1", "C-1", "C-2")]
    assert set(index.by_id) == {r.citation for r in index.rows}
    assert index.by_id["registry:C-1"].registry["agency"] == LOCAL


def test_agencies_and_categories(index: RegistryIndex) -> None:
    assert index.agencies == sorted({GOV, PD, PS, LOCAL})
    assert index.categories == ["контрольно-надзорная", "нормотворческая", "учетно-регистрационная"]


@pytest.mark.parametrize(
    ("question", "agencies"),
    [
        ("Какие функции у Правительства Республики Казахстан?", [GOV]),
        ("функции уполномоченного органа в сфере защиты персональных данных", [PD]),
        ("Перечисли функции местных исполнительных органов", [LOCAL]),
        ("Какие функции у министерства обороны?", []),
        # naming only the common part is too vague to pick one
        ("Какие функции у уполномоченного органа?", []),
    ],
)
def test_match_agencies(index: RegistryIndex, question: str, agencies: list[str]) -> None:
    assert [m.agency for m in index.match_agencies(question)] == agencies


def test_ambiguous_mention_returns_every_close_agency(index: RegistryIndex) -> None:
    matches = index.match_agencies("функции уполномоченного органа в сфере оказания и защиты")
    assert {m.agency for m in matches} == {PD, PS}
    assert matches[0].score >= matches[-1].score


@pytest.mark.parametrize(
    ("question", "category"),
    [
        ("Сколько учетно-регистрационных функций?", "учетно-регистрационная"),
        ("Какие контрольно-надзорные функции у акиматов?", "контрольно-надзорная"),
        ("Какие функции у Правительства?", None),
    ],
)
def test_match_category(index: RegistryIndex, question: str, category: str | None) -> None:
    assert index.match_category(question) == category


@pytest.mark.parametrize(
    ("question", "category"),
    [
        ("Сколько функций записаны как «иная»?", "иная"),
        ("Какие у них иные функции?", "иная"),
        ("Какие функции у информационного органа?", None),
    ],
)
def test_a_category_that_is_a_stopword_still_matches(question: str, category: str | None) -> None:
    index = RegistryIndex(
        [_row("X-1", GOV, "иная", "нет", "высокий"), _row("X-2", PD, "нормотворческая", "да", "низкий")],
        analyzer(),
    )
    assert index.match_category(question) == category


def test_words_every_agency_shares_name_none() -> None:
    index = RegistryIndex(
        [
            _row(f"G-{i}", f"уполномоченный орган {n}", "иная", "нет", "высокий")
            for i, n in enumerate(["по связи", "по архивам", "по спорту"])
        ],
        analyzer(),
    )
    assert index.match_agencies("У каких органов есть функции?") == []
    assert [m.agency for m in index.match_agencies("функции уполномоченного органа по архивам")] == [
        "уполномоченный орган по архивам"
    ]


def test_acts_named_after_a_word_for_an_act() -> None:
    rows = [
        row_to_chunk(
            RegistryRow.model_validate(
                row(function_id="P-1", act_slug="pd", act_title="О персональных данных и их защите")
            )
        ),
        row_to_chunk(
            RegistryRow.model_validate(
                row(function_id="A-1", act_slug="ai", act_title="О доступе к информации")
            )
        ),
    ]
    index = RegistryIndex(rows, analyzer())
    acts, used = index.match_acts(
        "Сколько функций по законам о персональных данных и о доступе к информации?"
    )
    assert acts == {"pd": "О персональных данных и их защите", "ai": "О доступе к информации"}
    assert {"персональный", "данные", "доступ", "информация"} <= used
    # title words without a word for an act name no act; nor do the words of another act
    assert index.match_acts("Сколько функций о персональных данных?")[0] == {}
    assert index.match_acts("Какие функции по Закону о данных?")[0] == {}


def test_empty_index() -> None:
    empty = RegistryIndex([], analyzer())
    assert len(empty) == 0 and empty.agencies == [] and empty.match_agencies("Правительство") == []
    assert empty.match_category("что угодно") is None and empty.match_acts("по Закону о тестах") == (
        {},
        set(),
    )
